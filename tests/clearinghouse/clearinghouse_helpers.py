"""Claim factories and the simulator fixture shared by the clearinghouse tests.

A module of its own name (not `conftest`): several test folders have a conftest, and
`from conftest import` would find whichever was imported first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import pytest

from claimflow.clearinghouse import HttpClearinghouse
from claimflow.clearinghouse.simulator import SimulatorServer, start_simulator
from claimflow.models import (
    Address,
    Claim,
    Coverage,
    EligibilityInquiry,
    Patient,
    Provider,
    ServiceLine,
    line_control_number,
    patient_control_number,
)
from claimflow.x12 import Envelope, build_837p

SERVICE_DATE = date(2026, 3, 2)
SUBMITTED = datetime(2026, 3, 5, 9, 30)
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
                line1="1 Maple St", city="Springfield", state="IL", zip="627010001"
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


def envelope(number: int = 1, created: datetime = SUBMITTED) -> Envelope:
    """Our side's envelope for a file sent to the simulator."""
    return Envelope(
        sender_id="CLAIMFLOW",
        receiver_id="CLAIMFLOWSIM",
        interchange_control_number=number,
        group_control_number=number,
        transaction_control_number=f"{number:04d}",
        created=created,
        contact_name="Billing Office",
        contact_phone="5555550100",
    )


def interchange(claims: Sequence[Claim], number: int = 1) -> str:
    """An 837P holding ``claims``, as the submission batch would send it."""
    submitter = Provider(npi="1234567893", name="Maple Street Clinic")
    return build_837p(
        list(claims), envelope(number), submitter, "CLAIMFLOW SIM", "CLAIMFLOWSIM"
    )


def eligibility_inquiry(
    trace: str, payer_id: str, member_id: str
) -> EligibilityInquiry:
    """A 270 inquiry from the clinic for a patient on the first day of service."""
    return EligibilityInquiry(
        trace_number=trace,
        payer_id=payer_id,
        payer_name=payer_id.title(),
        provider=Provider(
            npi="1234567893", name="Maple Street Clinic", tax_id="123456789"
        ),
        member_id=member_id,
        first_name="Test",
        last_name="Patient",
        service_date=SERVICE_DATE,
    )


ROSTER = [
    {"member_id": "MBR0001", "payer_id": "MEDICAID", "start": "2025-01-01"},
    {
        "member_id": "MBR0002",
        "payer_id": "MEDICARE",
        "start": "2024-01-01",
        "end": "2025-12-31",
        "plan_type": "MB",
    },
    {"member_id": "MBR0003", "payer_id": "AETNA", "start": "2026-01-01"},
]


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[SimulatorServer, HttpClearinghouse]]:
    """A running simulator on 127.0.0.1 with ``ROSTER``, and a client for it."""
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps(ROSTER))
    server, thread = start_simulator(tmp_path / "sim", 0, roster)
    client = HttpClearinghouse(server.url, timeout=10)
    yield server, client
    client.close()
    server.shutdown()
    server.server_close()
    thread.join(5)
