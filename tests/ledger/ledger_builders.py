"""Builders of synthetic claims and remittances for the ledger tests."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from claimflow.ledger import Ledger
from claimflow.models import (
    Address,
    Adjustment,
    Claim,
    Coverage,
    Patient,
    Provider,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
    Remittance,
    ServiceLine,
)


def adj(code: str, amount: str) -> Adjustment:
    """``adj("CO-45", "20.00")``."""
    group, reason = code.split("-")
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def line(
    lcn: str, charge: str, paid: str, *adjustments: Adjustment, remarks=()
) -> RemitLine:
    return RemitLine(
        procedure="HC:99213",
        charge=Decimal(charge),
        paid=Decimal(paid),
        line_control_number=lcn,
        adjustments=list(adjustments),
        remarks=list(remarks),
    )


def clp(
    pcn: str,
    status: str,
    charge: str,
    paid: str,
    lines=(),
    adjustments=(),
    payer_claim_number: str | None = "PAYER-1",
    patient_responsibility: str = "0.00",
) -> RemitClaim:
    return RemitClaim(
        patient_control_number=pcn,
        status_code=status,
        charge=Decimal(charge),
        paid=Decimal(paid),
        patient_responsibility=Decimal(patient_responsibility),
        payer_claim_number=payer_claim_number,
        lines=list(lines),
        adjustments=list(adjustments),
    )


PLB_NPI = "1234567893"


def plb(reason: str, amount: str, reference: str | None = None) -> ProviderAdjustment:
    """One PLB pair of the test practice: ``plb("WO", "30.00", "ICN-B")``."""
    return ProviderAdjustment(
        provider_id=PLB_NPI, reason=reason, reference=reference, amount=Decimal(amount)
    )


def with_plb(remit: Remittance, *pairs: ProviderAdjustment) -> Remittance:
    """Add PLB pairs to ``remit`` and make its deposit reconcile (BPR02)."""
    remit.provider_adjustments = list(pairs)
    claims = sum((c.paid for c in remit.claims), Decimal(0))
    remit.payment_amount = claims - sum((p.amount for p in pairs), Decimal(0))
    return remit


def remittance(*claims: RemitClaim, trace: str = "TRN-1") -> Remittance:
    total = sum((c.paid for c in claims), Decimal(0))
    return Remittance(
        interchange_control_number="000000101",
        group_control_number="101",
        transaction_control_number="0001",
        trace_number=trace,
        payer_name="Blue Cross Blue Shield",
        payment_amount=total,
        claims=list(claims),
    )


SERVICE_DATE = date(2026, 11, 2)
BILLING = Provider(
    npi="1234567893",
    name="Synthetic Family Practice",
    tax_id="990000001",
    is_organization=True,
    address=Address(line1="1 Test Way", city="Boston", state="MA", zip="021150001"),
)
HOME = Address(line1="2 Sample St", city="Boston", state="MA", zip="02115")


_keys = itertools.count(1)


def make_claim(
    ledger: Ledger, charges: list[str] | None = None, key: str | None = None
) -> int:
    """Create a claim with one line per charge for a new synthetic patient."""
    charges = charges or ["100.00"]
    number = next(_keys)
    ledger.upsert_payer("BCBS", "Blue Cross Blue Shield", "BCBS1", "BL")
    ledger.upsert_provider(BILLING)
    patient_id = ledger.upsert_patient(
        f"test-patient-{number}", "Ann", f"Test{number}", date(1980, 5, 1), "F", HOME
    )
    claim = Claim(
        claim_id=0,
        patient_control_number="placeholder",
        billing_provider=BILLING,
        patient=Patient(
            patient_id=patient_id,
            first_name="Ann",
            last_name=f"Test{number}",
            birth_date=date(1980, 5, 1),
            sex="F",
            address=HOME,
        ),
        coverage=Coverage(
            payer_id="BCBS", payer_name="Blue Cross Blue Shield", member_id="M123"
        ),
        diagnoses=["J02.9"],
        lines=[
            ServiceLine(
                line_number=9,
                procedure="99213",
                charge=Decimal(charge),
                service_date=SERVICE_DATE,
                line_control_number="placeholder",
            )
            for charge in charges
        ],
    )
    return ledger.create_claim(key or f"test-encounter-{number}", claim)


def store(ledger: Ledger, remit: Remittance, name: str = "era.835"):
    """Keep ``remit`` as an inbound file and store it; return what was stored."""
    file_id, _ = ledger.store_inbound_file(
        name, "835", remit.model_dump_json().encode()
    )
    return ledger.store_remittance(file_id, remit)


def balance_of(ledger: Ledger, claim_id: int) -> tuple:
    """``(billed, paid, adjusted, patient_responsibility, outstanding)``."""
    b = ledger.claim_balance(claim_id)
    return b.billed, b.paid, b.adjusted, b.patient_responsibility, b.outstanding


def primary_with_pr(claim_id: int) -> RemitClaim:
    """The primary's CLP on a 120.00 + 80.00 claim: paid 140.00, CO-45 10.00, PR
    50.00 (coinsurance 20.00 on line 1, deductible 30.00 on line 2)."""
    pcn = f"C{claim_id}V1"
    return clp(
        pcn,
        "1",
        "200.00",
        "140.00",
        [
            line(
                f"{pcn}L1",
                "120.00",
                "90.00",
                adj("CO-45", "10.00"),
                adj("PR-2", "20.00"),
            ),
            line(f"{pcn}L2", "80.00", "50.00", adj("PR-1", "30.00")),
        ],
        payer_claim_number="ICN-77",
        patient_responsibility="50.00",
    )
