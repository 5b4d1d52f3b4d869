"""Split X12 text into segments, reading the delimiters from each ISA.

The ISA header is the only place delimiters are defined: the element separator is
the byte right after ``ISA``, the repetition separator is ISA11, the component
separator is ISA16 and the segment terminator is the character after ISA16. A file
may hold several interchanges, each with its own delimiters. Line breaks and other
whitespace between segments are ignored; a UTF-8 byte order mark is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from claimflow.x12.errors import (
    X12Error,
    X12StructureError,
    X12SyntaxError,
    X12ValueError,
)

_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_BOM = "\ufeff"
_AMOUNT = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


@dataclass(frozen=True)
class Delimiters:
    """The four separators one interchange uses."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


@dataclass
class Segment:
    """One segment: its ID, elements (1-based via :meth:`get`) and file position."""

    number: int
    id: str
    elements: list[str]
    delimiters: Delimiters
    start: int = 0  # offset of the segment in the tokenized text (BOM removed)
    end: int = 0  # offset just past its terminator
    error: X12Error | None = None  # set only by a lenient tokenize

    def get(self, position: int) -> str:
        """Return element ``position`` (1-based) or an empty string if absent."""
        if 1 <= position <= len(self.elements):
            return self.elements[position - 1]
        return ""

    def components(self, position: int) -> list[str]:
        """Return the components of a composite element (never empty)."""
        return self.get(position).split(self.delimiters.component)

    def component(self, position: int, index: int) -> str:
        """Return component ``index`` (1-based) of element ``position``."""
        parts = self.components(position)
        return parts[index - 1] if index <= len(parts) else ""

    def repeats(self, position: int) -> list[str]:
        """Return the repetitions of element ``position``."""
        value = self.get(position)
        return value.split(self.delimiters.repetition) if value else []

    def fail(
        self,
        position: int | None,
        problem: str,
        expected: str,
        code: str | None = None,
    ) -> X12ValueError:
        """Build a value error located at this segment and element.

        ``code`` is the 999's IK403 code when it is not 7 (invalid code value),
        or the IK502 code of a problem with the whole set (ST, SE).
        """
        return X12ValueError(
            problem,
            segment_number=self.number,
            segment_id=self.id,
            element=position,
            value=self.get(position) if position else None,
            expected=expected,
            code=code,
        )

    def amount(self, position: int) -> Decimal:
        """Return element ``position`` as a Decimal, exactly as sent."""
        text = self.get(position)
        if not _AMOUNT.match(text):
            raise self.fail(position, "not a decimal number", "digits with '.'", "6")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise self.fail(position, "not a decimal number", "digits", "6") from exc

    def optional_amount(self, position: int) -> Decimal | None:
        """Like :meth:`amount`, but an empty element gives None."""
        return self.amount(position) if self.get(position) else None

    def date(self, position: int) -> date:
        """Return a CCYYMMDD element as a date."""
        return _date(self, position, self.get(position))

    def component_date(self, position: int, index: int) -> date:
        """Return component ``index`` of element ``position`` as a CCYYMMDD date."""
        return _date(self, position, self.component(position, index))

    def component_amount(self, position: int, index: int) -> Decimal:
        """Return component ``index`` of element ``position`` as a Decimal."""
        text = self.component(position, index)
        if not _AMOUNT.match(text):
            raise self.fail(position, "not a decimal number", "digits with '.'", "6")
        return Decimal(text)

    def period(self, position: int) -> tuple[date, date]:
        """Return a D8 or RD8 (``CCYYMMDD-CCYYMMDD``) element as a date pair."""
        return _period(self, position, self.get(position))

    def component_period(self, position: int, index: int) -> tuple[date, date]:
        """Like :meth:`period`, for component ``index`` of element ``position``."""
        return _period(self, position, self.component(position, index))


def _period(segment: Segment, position: int, text: str) -> tuple[date, date]:
    first, _, last = text.partition("-")
    start = _date(segment, position, first)
    return start, (_date(segment, position, last) if last else start)


def _date(segment: Segment, position: int, text: str) -> date:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError as exc:
        raise segment.fail(position, "not a date", "CCYYMMDD", "8") from exc


def _read_isa(text: str, start: int, number: int) -> tuple[Delimiters, int]:
    """Find the delimiters in the ISA at ``start``; return them and the ISA end."""
    element = text[start + 3 : start + 4]
    if not element or element.isalnum() or element.isspace():
        raise X12SyntaxError(
            "no element separator after ISA",
            segment_number=number,
            segment_id="ISA",
            value=element,
            expected="a punctuation character as byte 4 of the ISA",
        )
    cursor = start
    for _ in range(16):
        cursor = text.find(element, cursor + 1)
        if cursor < 0:
            raise X12SyntaxError(
                "ISA has fewer than 16 elements",
                segment_number=number,
                segment_id="ISA",
                expected="16 elements separated by " + repr(element),
            )
    component = text[cursor + 1 : cursor + 2]
    terminator = text[cursor + 2 : cursor + 3]
    fields = text[start:cursor].split(element)
    repetition = fields[11] if len(fields) > 11 else ""
    if not terminator or component in ("", element) or terminator == element:
        raise X12SyntaxError(
            "ISA16 and the segment terminator are missing or clash",
            segment_number=number,
            segment_id="ISA",
            element=16,
            value=component + terminator,
            expected="a component separator then a segment terminator",
        )
    if len(repetition) != 1 or repetition.isalnum():
        # 4010 files carry "U" here; there is no repetition separator then.
        repetition = ""
    delimiters = Delimiters(element, component, repetition or "\x00", terminator)
    return delimiters, cursor + 3


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def strip_bom(text: str) -> str:
    """Drop a leading UTF-8 byte order mark; segment offsets count without it."""
    return text[1:] if text.startswith(_BOM) else text


def tokenize(text: str, *, lenient: bool = False) -> list[Segment]:
    """Split an X12 file into segments.

    Args:
        text: The whole file, possibly with a BOM, CRLF line breaks and several
            interchanges.
        lenient: Keep a segment whose ID is malformed, with its error in
            ``Segment.error`` and its ID empty, instead of raising; the
            transaction reader then quarantines only the transaction holding it.

    Returns:
        Every segment in file order, numbered from 1, with its offsets in the
        text (after the BOM).

    Raises:
        X12SyntaxError: The text does not start with an ISA, an ISA is malformed,
            or (unless ``lenient``) a segment ID is not two or three
            letters/digits.
    """
    text = strip_bom(text)
    segments: list[Segment] = []
    position = _skip_space(text, 0)
    if position >= len(text):
        raise X12SyntaxError("empty input", expected="an ISA segment")
    while position < len(text):
        number = len(segments) + 1
        if text[position : position + 3] != "ISA":
            head = re.split(r"[^A-Za-z0-9]", text[position : position + 4])[0]
            raise X12SyntaxError(
                "interchange does not start with ISA",
                segment_number=number,
                segment_id=head or None,
                expected="ISA",
            )
        delimiters, end = _read_isa(text, position, number)
        isa_text = text[position : end - 1]
        segments.append(_make(isa_text, number, delimiters, position, end))
        position = _skip_space(text, end)
        while position < len(text):
            stop = text.find(delimiters.segment, position)
            if stop < 0:
                stop = len(text)
            raw = text[position:stop].strip()
            start, position = position, _skip_space(text, stop + 1)
            if not raw:
                continue
            number = len(segments) + 1
            try:
                segment = _make(raw, number, delimiters, start, stop + 1)
            except X12SyntaxError as exc:
                if not lenient:
                    raise
                parts = raw.split(delimiters.element)
                segment = Segment(
                    number, "", parts[1:], delimiters, start, stop + 1, exc
                )
            segments.append(segment)
            if segment.id == "IEA":
                break
    return segments


def _make(
    raw: str, number: int, delimiters: Delimiters, start: int = 0, end: int = 0
) -> Segment:
    parts = raw.split(delimiters.element)
    seg_id = parts[0].strip()
    if not _SEGMENT_ID.match(seg_id):
        raise X12SyntaxError(
            "bad segment ID",
            segment_number=number,
            value=seg_id[:10],
            expected="2-3 upper-case letters/digits",
        )
    return Segment(number, seg_id, parts[1:], delimiters, start, end)


@dataclass
class TransactionSet:
    """One ST..SE with the ISA and GS that enclose it."""

    isa: Segment
    gs: Segment
    st: Segment
    body: list[Segment] = field(default_factory=list)
    se: Segment | None = None

    @property
    def version(self) -> str:
        """GS08, or ST03 when GS08 is empty."""
        return self.gs.get(8) or self.st.get(3)

    @property
    def interchange_control_number(self) -> str:
        """ISA13."""
        return self.isa.get(13)


def transactions(segments: list[Segment]) -> Iterator[TransactionSet]:
    """Group segments into transaction sets.

    Args:
        segments: Output of :func:`tokenize`.

    Yields:
        Each ST..SE with its envelope, in file order.

    Raises:
        X12StructureError: A GS outside an ISA, an ST outside a GS, or a
            transaction that never ends with SE.
    """
    isa: Segment | None = None
    gs: Segment | None = None
    current: TransactionSet | None = None
    for segment in segments:
        if segment.id == "ISA":
            isa, gs = segment, None
        elif segment.id == "GS":
            if isa is None:
                raise _misplaced(segment, "ISA before GS")
            gs = segment
        elif segment.id == "ST":
            if isa is None or gs is None or current is not None:
                raise _misplaced(segment, "ST inside a GS and after the prior SE")
            current = TransactionSet(isa, gs, segment)
        elif segment.id == "SE":
            if current is None:
                raise _misplaced(segment, "SE after an ST")
            current.se = segment
            yield current
            current = None
        elif current is not None:
            current.body.append(segment)
        elif segment.id not in ("GE", "IEA", "TA1"):
            raise _misplaced(segment, "segment inside ST..SE")
    if current is not None:
        raise X12StructureError(
            "transaction set is not closed",
            segment_number=current.st.number,
            segment_id="ST",
            element=2,
            value=current.st.get(2),
            expected="a matching SE",
        )


def _misplaced(segment: Segment, expected: str) -> X12StructureError:
    return X12StructureError(
        "segment out of place",
        segment_number=segment.number,
        segment_id=segment.id,
        expected=expected,
    )


def read_transactions(text: str, *codes: str) -> list[TransactionSet]:
    """Tokenize ``text`` and return its transaction sets whose ST01 is in ``codes``.

    Raises:
        X12StructureError: The file holds none of the wanted transaction sets.
    """
    found = [t for t in transactions(tokenize(text)) if t.st.get(1) in codes]
    if not found:
        raise X12StructureError(
            "no transaction set of the expected kind",
            expected="ST01 in " + "/".join(codes),
        )
    return found
