"""Intake of 837P/837I/837D files from a practice-management system.

:func:`read_837_file` turns a file into claims, transaction by transaction: the
claims of every readable 837 transaction set come back in file order, and a set
that cannot be read is returned verbatim with the reason, so the rest of the
file is not lost. Starting the claims' workflows is the caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claimflow.models import Claim
from claimflow.x12.batch import RejectedTransaction, read_file


@dataclass
class Intake837:
    """What one 837 file gave."""

    claims: list[Claim] = field(default_factory=list)
    rejected: list[RejectedTransaction] = field(default_factory=list)


def read_837_file(text: str, *, check_with_pyx12: bool = False) -> Intake837:
    """Read an 837P, 837I or 837D file into claims plus rejected transactions.

    Args:
        text: The file as received; several ISA/GS/ST, a BOM and any line
            breaks are accepted.
        check_with_pyx12: Also reject transaction sets pyx12 finds fault with
            (the first finding is the reason). Off by default: many practice
            systems send files with small guide violations that still carry
            usable claims; the 999 (``claimflow.x12.batch.acknowledge``) reports
            those either way.

    Returns:
        The claims and the rejected transaction sets, each with its ISA, GS and
        ST..SE text as received and the error naming segment number, segment
        ID, element, value and what was expected. Claims of an 837I are
        ``kind="institutional"``, of an 837D ``kind="dental"``.

    Raises:
        X12Error: The text cannot be cut into transactions at all (no ISA, or
            the first ISA is unreadable).
    """
    result = read_file(text, "837", check_with_pyx12=check_with_pyx12)
    return Intake837(claims=list(result.items), rejected=list(result.rejected))
