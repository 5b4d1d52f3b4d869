"""Claim totals against their lines: CLM02 must equal the sum of line charges.

The 837 guides require a claim's total charge (CLM02) to be the sum of its
service lines' charges (SV102 on an 837P, SV203 on an 837I, SV302 on an
837D). The reader builds a claim from its lines, so a total that disagrees
would be silently replaced: :func:`charge_mismatches` finds those claims so
that intake can hold them for a person instead of guessing which amount the
practice meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from claimflow.x12.errors import X12Error
from claimflow.x12.segments import Segment, tokenize

# Where each service line segment carries its charge.
_LINE_CHARGE = {"SV1": 2, "SV2": 3, "SV3": 2}
_CLAIM_ENDS = {"CLM", "HL", "SE"}


@dataclass(frozen=True)
class ChargeMismatch:
    """A claim whose CLM02 is not the sum of its line charges."""

    patient_control_number: str  # CLM01
    segment_number: int  # the CLM, counted from the file's first segment
    claim_total: Decimal  # CLM02
    line_total: Decimal  # the sum of SV102/SV203/SV302

    def __str__(self) -> str:
        return (
            f"claim {self.patient_control_number}: segment {self.segment_number} "
            f"CLM02 {self.claim_total} is not the sum of its line charges "
            f"(SV102/SV203/SV302) {self.line_total}"
        )


def charge_mismatches(text: str) -> list[ChargeMismatch]:
    """Every claim of an 837 file whose CLM02 differs from its lines' sum.

    A segment whose amount cannot be read is left to the reader, which
    refuses its transaction with the reason; it is skipped here.
    """
    found: list[ChargeMismatch] = []
    claim: Segment | None = None
    lines = Decimal(0)
    for segment in tokenize(text, lenient=True) + [None]:
        sid = segment.id if segment is not None else "SE"
        if sid in _CLAIM_ENDS and claim is not None:
            total = _amount(claim, 2)
            if total is not None and total != lines:
                found.append(
                    ChargeMismatch(claim.get(1), claim.number, total, lines)
                )
            claim = None
        if sid == "CLM":
            claim, lines = segment, Decimal(0)
        elif sid in _LINE_CHARGE and claim is not None:
            lines += _amount(segment, _LINE_CHARGE[sid]) or Decimal(0)
    return found


def _amount(segment: Segment, position: int) -> Decimal | None:
    try:
        return segment.amount(position)
    except X12Error:
        return None
