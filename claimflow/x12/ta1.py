"""TA1 interchange acknowledgments: did the receiver accept our envelope?

A TA1 sits directly inside an ISA..IEA, outside any functional group. It answers
for one interchange we sent (TA101 is our ISA13) with an acknowledgment code and
a note code saying what, if anything, was wrong with the envelope. Both 4010 and
5010 interchanges carry the same segment, so both are read.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from claimflow.x12.errors import X12StructureError
from claimflow.x12.segments import Segment, tokenize

# TA105 interchange note codes that come back most often, in plain words.
NOTE_MEANINGS = {
    "000": "no error",
    "001": "ISA13 and IEA02 control numbers differ",
    "002": "the control standard in ISA11 is not supported",
    "003": "the envelope version in ISA12 is not supported",
    "004": "the segment terminator is not valid",
    "005": "the sender ID qualifier (ISA05) is not valid",
    "006": "the sender ID (ISA06) is not valid",
    "007": "the receiver ID qualifier (ISA07) is not valid",
    "008": "the receiver ID (ISA08) is not valid",
    "009": "the receiver ID (ISA08) is not known to the receiver",
    "014": "the interchange date (ISA09) is not valid",
    "015": "the interchange time (ISA10) is not valid",
    "017": "the version (ISA12) is not valid",
    "018": "the interchange control number (ISA13) is not valid",
    "020": "the usage indicator (ISA15) is not valid",
    "021": "the group count in IEA01 is wrong",
    "022": "the envelope structure is not valid",
    "023": "the file ended before the interchange did",
    "024": "the content of the interchange is not valid (for example a bad GS)",
    "025": "the interchange control number was already used",
    "026": "the element separator is not valid",
    "027": "the component separator is not valid",
}
_CODES = {"A": "accepted", "E": "accepted with errors", "R": "rejected"}


class InterchangeAck(BaseModel):
    """One TA1: the receiver's verdict on one interchange we sent."""

    model_config = ConfigDict(extra="forbid")

    interchange_control_number: str  # TA101, our ISA13
    interchange_date: date  # TA102, our ISA09
    interchange_time: time  # TA103, our ISA10
    code: Literal["A", "E", "R"]  # TA104
    note_code: str  # TA105
    note: str  # plain meaning of the note code, or "" when not a common one
    sender_id: str  # ISA06 of the TA1's own interchange (who acknowledges)

    @property
    def accepted(self) -> bool:
        """True for A and E: the interchange went on to be read."""
        return self.code != "R"


def parse_ta1(text: str) -> list[InterchangeAck]:
    """Read every TA1 segment in ``text``.

    Args:
        text: One or more interchanges (4010 or 5010) holding TA1 segments.

    Returns:
        One acknowledgment per TA1, in file order.

    Raises:
        X12Error: The text cannot be tokenized, holds no TA1, or a TA1 element
            is malformed (control number not nine digits, a bad date or time,
            an acknowledgment code other than A, E or R, a note code not three
            digits).
    """
    acks: list[InterchangeAck] = []
    sender = ""
    for segment in tokenize(text):
        if segment.id == "ISA":
            sender = segment.get(6).strip()
        elif segment.id == "TA1":
            acks.append(_read(segment, sender))
    if not acks:
        raise X12StructureError("no TA1 segment found", expected="a TA1 segment")
    return acks


def _read(s: Segment, sender: str) -> InterchangeAck:
    control = s.get(1)
    if len(control) != 9 or not control.isdigit():
        raise s.fail(1, "not an interchange control number", "9 digits")
    try:
        stamp = datetime.strptime(s.get(2) + s.get(3), "%y%m%d%H%M")
    except ValueError as exc:
        raise s.fail(2, "not an interchange date and time", "YYMMDD then HHMM") from exc
    code = s.get(4)
    if code not in _CODES:
        raise s.fail(4, "unknown acknowledgment code", "A, E or R")
    note = s.get(5)
    if len(note) != 3 or not note.isdigit():
        raise s.fail(5, "not an interchange note code", "3 digits")
    return InterchangeAck(
        interchange_control_number=control,
        interchange_date=stamp.date(),
        interchange_time=stamp.time(),
        code=code,  # type: ignore[arg-type]
        note_code=note,
        note=NOTE_MEANINGS.get(note, ""),
        sender_id=sender,
    )
