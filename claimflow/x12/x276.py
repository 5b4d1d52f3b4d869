"""276/277 claim status inquiry and response, implementation guide 005010X212.

A first version: one claim per 276, and the claim-level STC of a 277. pyx12
4.0.0 has no usable X212 map, so these are not validated with pyx12.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from claimflow.models import Claim
from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date
from claimflow.x12.segments import Segment, read_transactions

VERSION = "005010X212"


class ClaimStatus(BaseModel):
    """One claim's status as a 277 reports it (claim level only)."""

    trace_number: str  # TRN02, echoing the 276
    patient_control_number: str | None = None  # REF*EJ, else TRN02
    payer_claim_number: str | None = None  # REF*1K
    status_codes: list[str] = Field(default_factory=list)  # e.g. ["F2:88:QC"]
    category: str = ""  # first STC01-1, e.g. "F2"
    status_date: date | None = None  # STC02
    total_charge: Decimal | None = None  # STC04
    paid: Decimal | None = None  # STC05


def build_276(
    claim: Claim,
    envelope: Envelope,
    receiver_name: str,
    receiver_id: str,
) -> str:
    """Ask the payer for the status of one claim (005010X212).

    TRN02 and REF*EJ both carry the patient control number, AMT*T3 the total
    charge and DTP*472 the service period. A dependent gets a 2000E loop.

    Args:
        claim: The claim asked about.
        envelope: Control numbers, parties and time.
        receiver_name: 2100B information receiver (us, the submitter).
        receiver_id: 2100B ETIN.

    Returns:
        The interchange text.
    """
    env = envelope
    cov = claim.coverage
    w = Writer(env)
    w.add(
        "BHT",
        "0010",
        "13",
        env.transaction_control_number,
        fmt_date(env.created),
        env.created.strftime("%H%M"),
    )
    w.add("HL", "1", "", "20", "1")
    w.add("NM1", "PR", "2", cov.payer_name, "", "", "", "", "PI", cov.payer_id)
    w.add("HL", "2", "1", "21", "1")
    w.add("NM1", "41", "2", receiver_name, "", "", "", "", "46", receiver_id)
    w.add("HL", "3", "2", "19", "1")
    provider = claim.billing_provider
    w.add(
        "NM1",
        "1P",
        "2" if provider.is_organization else "1",
        provider.name.partition(", ")[0],
        "",
        "",
        "",
        "",
        "XX",
        provider.npi,
    )
    self_pay = cov.relationship == "18"
    w.add("HL", "4", "3", "22", "0" if self_pay else "1")
    if self_pay:
        w.add("DMG", "D8", fmt_date(claim.patient.birth_date), claim.patient.sex)
        w.add(
            "NM1",
            "IL",
            "1",
            claim.patient.last_name,
            claim.patient.first_name,
            "",
            "",
            "",
            "MI",
            cov.member_id,
        )
    else:
        w.add(
            "NM1",
            "IL",
            "1",
            cov.subscriber_last_name or "",
            cov.subscriber_first_name or "",
            "",
            "",
            "",
            "MI",
            cov.member_id,
        )
        w.add("HL", "5", "4", "23")
        w.add("DMG", "D8", fmt_date(claim.patient.birth_date), claim.patient.sex)
        w.add("NM1", "QC", "1", claim.patient.last_name, claim.patient.first_name)
    w.add("TRN", "1", claim.patient_control_number)
    if claim.original_payer_claim_number:
        w.add("REF", "1K", claim.original_payer_claim_number)
    w.add("REF", "EJ", claim.patient_control_number)
    w.add("AMT", "T3", fmt_amount(claim.total_charge))
    w.service_period(claim)
    return w.render("HR", "276", VERSION)


def parse_277(text: str) -> list[ClaimStatus]:
    """Read the claim-level statuses of every 277 (X212) in ``text``.

    One status per TRN in a subscriber or dependent loop; the first STC after
    the TRN and before any SVC is the claim's. Line-level (SVC) statuses are not
    read in this version.

    Args:
        text: One or more interchanges.

    Returns:
        Statuses in file order.
    """
    found: list[ClaimStatus] = []
    for t in read_transactions(text, "277"):
        current: ClaimStatus | None = None
        in_line = False
        for s in t.body:
            if s.id == "HL":
                current, in_line = None, False
            elif s.id == "TRN" and s.get(1) == "2":
                current = ClaimStatus(trace_number=s.get(2))
                in_line = False
                found.append(current)
            elif current is None:
                continue
            elif s.id == "SVC":
                in_line = True
            elif s.id == "STC" and not in_line and not current.status_codes:
                _stc(current, s)
            elif s.id == "REF" and not in_line and s.get(1) == "1K":
                current.payer_claim_number = s.get(2)
            elif s.id == "REF" and not in_line and s.get(1) == "EJ":
                current.patient_control_number = s.get(2)
        for status in found:
            status.patient_control_number = (
                status.patient_control_number or status.trace_number
            )
    return found


def _stc(status: ClaimStatus, s: Segment) -> None:
    codes = [":".join(p for p in s.components(pos) if p) for pos in (1, 10, 11)]
    status.status_codes = [c for c in codes if c]
    status.category = s.component(1, 1)
    status.status_date = s.date(2) if s.get(2) else None
    status.total_charge = s.optional_amount(4)
    status.paid = s.optional_amount(5)
