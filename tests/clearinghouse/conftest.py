"""Claim factories shared by the clearinghouse tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from claimflow.models import (
    Address,
    Claim,
    Coverage,
    Patient,
    Provider,
    ServiceLine,
    line_control_number,
    patient_control_number,
)

SERVICE_DATE = date(2026, 3, 2)
ClaimFactory = Callable[..., Claim]

_PAYER_NAMES = {
    "MEDICARE": ("Medicare", "MB"),
    "MEDICAID": ("Medicaid", "MC"),
    "DUAL": ("Dual Eligible", "MB"),
    "AETNA": ("Aetna", "CI"),
    "HUMANA": ("Humana", "CI"),
}


def build_claim(
    claim_id: int,
    lines: Sequence[tuple[str, str]],
    *,
    payer_id: str = "MEDICAID",
    version: int = 1,
    frequency_code: str = "1",
    member_id: str = "MBR0001",
    service_date: date = SERVICE_DATE,
) -> Claim:
    """Return a professional claim with one line per ``(procedure, charge)``."""
    payer_name, plan_type = _PAYER_NAMES.get(payer_id, (payer_id.title(), "CI"))
    return Claim(
        claim_id=claim_id,
        version=version,
        patient_control_number=patient_control_number(claim_id, version),
        frequency_code=frequency_code,
        original_payer_claim_number="SIM0" if frequency_code == "7" else None,
        billing_provider=Provider(
            npi="1234567893",
            name="Maple Street Clinic",
            tax_id="123456789",
            is_organization=True,
            address=Address(
                line1="1 Maple St", city="Springfield", state="IL", zip="62701"
            ),
        ),
        patient=Patient(
            patient_id=claim_id,
            first_name="Test",
            last_name="Patient",
            birth_date=date(1950, 1, 1),
            sex="F",
            address=Address(
                line1="2 Oak Ave", city="Springfield", state="IL", zip="62702"
            ),
        ),
        coverage=Coverage(
            payer_id=payer_id,
            payer_name=payer_name,
            member_id=member_id,
            plan_type=plan_type,
        ),
        diagnoses=["J02.9"],
        lines=[
            ServiceLine(
                line_number=number,
                procedure=procedure,
                charge=charge,
                service_date=service_date,
                line_control_number=line_control_number(claim_id, version, number),
            )
            for number, (procedure, charge) in enumerate(lines, start=1)
        ],
    )


@pytest.fixture
def make_claim() -> ClaimFactory:
    """A factory for test claims (see ``build_claim``)."""
    return build_claim
