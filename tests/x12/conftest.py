"""Shared builders for the X12 tests: one envelope and a small claim factory."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

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
from claimflow.x12 import Envelope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"

BILLING = Provider(
    npi="1245319599",
    name="SUNRISE FAMILY MEDICINE",
    tax_id="123456789",
    taxonomy="207Q00000X",
    address=Address(
        line1="100 MAIN ST", city="SPRINGFIELD", state="IL", zip="627011234"
    ),
    is_organization=True,
)
RENDERING = Provider(npi="1912301953", name="DOE, JANE", taxonomy="207Q00000X")
SUBMITTER = Provider(npi="1000000004", name="CLAIMFLOW BILLING", is_organization=True)


def read_fixture(relative: str) -> str:
    """Return a fixture file's text exactly as stored (BOM included)."""
    return (FIXTURES / relative).read_bytes().decode("utf-8")


def make_envelope(control: str = "0001") -> Envelope:
    """An envelope with fixed control numbers and time."""
    return Envelope(
        sender_id="CLAIMFLOW",
        receiver_id="PAYERSIM",
        interchange_control_number=101,
        group_control_number=7,
        transaction_control_number=control,
        created=datetime(2026, 3, 2, 9, 30),
        contact_name="BILLING OFFICE",
        contact_phone="5555550100",
    )


def make_claim(claim_id: int = 1, relationship: str = "18", **changes) -> Claim:
    """A two-line professional claim; keyword arguments replace fields."""
    dependent = relationship != "18"
    claim = Claim(
        claim_id=claim_id,
        version=1,
        patient_control_number=patient_control_number(claim_id, 1),
        billing_provider=BILLING,
        rendering_provider=RENDERING,
        patient=Patient(
            patient_id=42,
            first_name="ISAAC",
            last_name="ISAACSON",
            birth_date=date(1980, 5, 1),
            sex="M",
            address=Address(
                line1="1 ELM ST", city="SPRINGFIELD", state="IL", zip="62701"
            ),
        ),
        coverage=Coverage(
            payer_id="ACME1",
            payer_name="ACME PPO",
            member_id="M12345",
            group_number="G1",
            relationship=relationship,
            subscriber_first_name="ANNA" if dependent else None,
            subscriber_last_name="ISAACSON" if dependent else None,
        ),
        diagnoses=["J02.9", "R50.9"],
        lines=[
            ServiceLine(
                line_number=1,
                procedure="99213",
                modifiers=["25"],
                charge=Decimal("125.00"),
                service_date=date(2026, 2, 27),
                diagnosis_pointers=[1, 2],
                line_control_number=line_control_number(claim_id, 1, 1),
            ),
            ServiceLine(
                line_number=2,
                procedure="87880",
                charge=Decimal("35.50"),
                units=Decimal(2),
                service_date=date(2026, 2, 27),
                line_control_number=line_control_number(claim_id, 1, 2),
            ),
        ],
    )
    return claim.model_copy(update=changes)


@pytest.fixture
def envelope() -> Envelope:
    return make_envelope()
