"""Small builders of synthetic claims for tests (no real patient, provider or payer)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claimflow.models import (
    Address,
    Claim,
    Coverage,
    Patient,
    Provider,
    ServiceLine,
)

CLINIC = Provider(
    npi="1234567893",
    name="SYNTHETIC FAMILY CLINIC",
    tax_id="123456789",
    address=Address(line1="1 TEST WAY", city="CAMBRIDGE", state="MA", zip="021380001"),
    is_organization=True,
)
DOCTOR = Provider(npi="1245319599", name="DOE JANE")

PAYERS = {
    "MEDICAID": ("Medicaid", "MC"),
    "MEDICARE": ("Medicare", "MB"),
    "AETNA": ("Aetna", "CI"),
}


def make_claim(
    *,
    payer_id: str = "MEDICAID",
    member_id: str = "SYN000001",
    service_date: date,
    lines: list[tuple[str, str]] = (("99213", "150.00"),),
    diagnoses: list[str] = ("J02.9",),
    birth_date: date = date(1980, 5, 17),
    sex: str = "F",
) -> Claim:
    """A one-encounter professional claim; ids are assigned by the ledger."""
    payer_name, plan_type = PAYERS[payer_id]
    return Claim(
        claim_id=0,
        patient_control_number="PENDING",
        billing_provider=CLINIC,
        rendering_provider=DOCTOR,
        patient=Patient(
            patient_id=0,
            first_name="ALEX",
            last_name="SAMPLE",
            birth_date=birth_date,
            sex=sex,
            address=Address(
                line1="2 DEMO ST", city="SOMERVILLE", state="MA", zip="02155"
            ),
        ),
        coverage=Coverage(
            payer_id=payer_id,
            payer_name=payer_name,
            member_id=member_id,
            plan_type=plan_type,
            start=date(service_date.year - 1, 1, 1),
            end=date(service_date.year + 1, 12, 31),
        ),
        diagnoses=list(diagnoses),
        lines=[
            ServiceLine(
                line_number=n,
                procedure=code,
                charge=Decimal(charge),
                service_date=service_date,
                line_control_number="PENDING",
            )
            for n, (code, charge) in enumerate(lines, start=1)
        ],
    )


X12_PAYER_IDS = {"MEDICAID": "SKMA0", "MEDICARE": "SKMB0", "AETNA": "SKAE0"}


def store_claim(ledger, claim: Claim, key: str) -> int:
    """Put the claim's parties in the ledger, then the claim; return its id."""
    coverage = claim.coverage
    ledger.upsert_payer(
        coverage.payer_id,
        coverage.payer_name,
        X12_PAYER_IDS[coverage.payer_id],
        coverage.plan_type,
    )
    ledger.upsert_provider(claim.billing_provider)
    if claim.rendering_provider:
        ledger.upsert_provider(claim.rendering_provider)
    patient = claim.patient
    patient_id = ledger.upsert_patient(
        f"patient-{key}",
        patient.first_name,
        patient.last_name,
        patient.birth_date,
        patient.sex,
        patient.address,
    )
    ledger.add_coverage(patient_id, coverage)
    claim = claim.model_copy(
        update={"patient": patient.model_copy(update={"patient_id": patient_id})}
    )
    return ledger.create_claim(key, claim)
