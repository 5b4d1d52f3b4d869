"""Tell which transaction an X12 file carries."""

from __future__ import annotations

from claimflow.x12.errors import X12StructureError
from claimflow.x12.segments import tokenize

_BY_GUIDE = {"X222": "837P", "X223": "837I", "X224": "837D", "X214": "277CA"}
_SIMPLE = {"835", "270", "271", "276", "999"}


def detect(text: str) -> str:
    """Return the kind of the first transaction in ``text``.

    Args:
        text: An X12 interchange.

    Returns:
        One of "837P", "837I", "837D", "835", "270", "271", "276", "277",
        "277CA", "999", "TA1". 837 and 277 are told apart by the guide in GS08
        (or ST03), then by BHT06 (``TH`` for a 277CA).

    Raises:
        X12Error: The text cannot be tokenized or holds no known transaction.
    """
    segments = tokenize(text)
    gs = None
    for index, segment in enumerate(segments):
        if segment.id == "TA1":
            return "TA1"
        if segment.id == "GS":
            gs = segment
        if segment.id != "ST":
            continue
        code = segment.get(1)
        guide = (gs.get(8) if gs else "") or segment.get(3)
        if code in _SIMPLE:
            return code
        for marker, kind in _BY_GUIDE.items():
            if marker in guide and kind.startswith(code):
                return kind
        following = segments[index + 1] if index + 1 < len(segments) else None
        if code == "277":
            is_ca = following is not None and following.get(6) == "TH"
            return "277CA" if is_ca else "277"
        if code == "837" and following is not None:
            return "837P"
        raise X12StructureError(
            "unknown transaction",
            segment_number=segment.number,
            segment_id="ST",
            element=1,
            value=code,
            expected="837, 835, 270, 271, 276, 277 or 999",
        )
    raise X12StructureError("no transaction set found", expected="an ST or TA1")
