"""A patient's credit pays off another claim's balance, and that claim is told.

Two Medicare claims of one patient both end in patient billing. The patient pays
more than the first claim asks; the ledger spends the excess on the second claim,
and the activity that recorded the payment signals the second claim's workflow
(``claim-<id>``), which reads its balances again and closes. The same happens when
a reversal lowers a share the patient had paid: billing the patient again turns the
excess into credit, and ``tell_claims_overpayment_settled`` tells the claims it paid.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from temporalio.testing import ActivityEnvironment

from claimflow.messages import PatientPayment
from claimflow.models import (
    Adjustment,
    ClaimStatus,
    RemitClaim,
    Remittance,
    patient_control_number,
)
from tests.factories import store_claim
from tests.workflows.test_claim_workflow import Harness, recent, status_is
from tests.workflows.test_secondary_claims import _medicare_claim
from workflows.claim import ClaimWorkflow

D = Decimal


@pytest.fixture
async def harness(env, ledger, simulator, rules):
    async with Harness(env, ledger, simulator, rules) as running:
        yield running


async def _two_claims_in_patient_billing(harness: Harness, prefix: str):
    """Two Medicare claims of one patient, both waiting for the patient.

    Medicare allows 55%; PR-2 is 20% of that: 22.00 on the first claim's
    200.00, 11.00 on the second's 100.00 (served a day later).

    Returns:
        ``(first_id, first_handle, second_id, second_handle, patient_id)``.
    """
    day = await recent(harness.env)
    first = _medicare_claim(day, "200.00")
    second = _medicare_claim(day + timedelta(days=1), "100.00")
    harness.roster(first)
    first_id = store_claim(harness.ledger, first, f"{prefix}-first")
    patient_id = harness.ledger.get_claim(first_id).patient.patient_id
    patient = second.patient.model_copy(update={"patient_id": patient_id})
    harness.ledger.create_claim(
        f"{prefix}-second", second.model_copy(update={"patient": patient})
    )
    # store_claim is idempotent by key: start() finds the claims just made.
    first_id, first_handle = await harness.start(
        first, f"{prefix}-first", exact_id=True
    )
    second_id, second_handle = await harness.start(
        second, f"{prefix}-second", exact_id=True
    )
    for handle in (first_handle, second_handle):
        await harness.until(handle, status_is(ClaimStatus.PATIENT_BILLING))
    assert harness.ledger.get_claim(second_id).patient.patient_id == patient_id
    return first_id, first_handle, second_id, second_handle, patient_id


async def test_credit_from_one_payment_closes_the_other_claim(harness: Harness):
    first_id, first_handle, second_id, second_handle, patient_id = (
        await _two_claims_in_patient_billing(harness, "credit")
    )
    assert [harness.ledger.patient_due(c) for c in (first_id, second_id)] == [
        D("22.00"),
        D("11.00"),
    ]

    # A payment of zero sent as raw JSON (as from the Web UI) never reaches the
    # ledger: the claim refuses it and keeps the refusal where ops staff look.
    # So does a misspelled signal name.
    await first_handle.signal(
        "patient_payment", {"transaction_id": "portal-0", "amount": "0.00"}
    )
    await first_handle.signal("patient_paymnet", {"amount": "5.00"})
    view = await harness.view(first_handle)
    assert view.waiting_for == "Patient billing: 22.00 due from the patient"
    assert [(r.name, r.reason) for r in view.refused_messages] == [
        ("patient_payment", "amount: Input should be greater than 0"),
        (
            "patient_paymnet",
            "no signal of that name; did you mean `patient_payment`?",
        ),
    ]
    assert view.history[-1].event == (
        "Signal patient_paymnet refused: no signal of that name; "
        "did you mean `patient_payment`?"
    )
    assert harness.ledger.patient_balance(patient_id) == D("33.00")

    # 33.00 toward the first claim: 22.00 pays it, 11.00 is credit for the second.
    await first_handle.signal(
        ClaimWorkflow.patient_payment,
        PatientPayment(transaction_id="portal-7", amount=D("33.00")),
    )

    first_result = await first_handle.result()
    second_result = await second_handle.result()
    assert first_result.status == ClaimStatus.CLOSED
    assert second_result.status == ClaimStatus.CLOSED
    assert second_result.balances.patient_responsibility == D("0.00")
    assert second_result.balances.outstanding == D("0.00")
    assert [harness.ledger.patient_due(c) for c in (first_id, second_id)] == [
        D("0.00"),
        D("0.00"),
    ]
    assert harness.ledger.patient_balance(patient_id) == D("0.00")
    assert harness.ledger.patient_credit(patient_id) == D("0.00")
    first_events = [h.event for h in (await harness.view(first_handle)).history]
    second_events = [h.event for h in (await harness.view(second_handle)).history]
    assert f"Credit from this payment paid off claim(s) {second_id}" in first_events
    assert [e for e in first_events if e.startswith("Patient paid")] == [
        "Patient paid 33.00; 0.00 left"
    ]
    assert "Patient credit paid off the patient balance" in second_events
    assert "Balances read again; 0.00 left" in second_events
    await harness.replay(first_handle, "patient-paid-credit-to-another", "v5")
    await harness.replay(second_handle, "patient-balance-settled-by-credit", "v5")


def test_a_payment_of_zero_or_less_is_refused_before_it_is_sent():
    for amount in ("0.00", "-10.00"):
        with pytest.raises(ValidationError, match="greater than 0"):
            PatientPayment(transaction_id="portal-8", amount=D(amount))


def _medicare_readjudicates(ledger, claim_id: int) -> None:
    """Medicare reverses the 200.00 claim (paid 88.00, CO-45 90.00, PR-2 22.00)
    and pays it again with PR-2 10.00: paid 100.00, CO-45 90.00."""
    with ledger.engine.connect() as connection:
        icn = connection.execute(
            text(
                "select payer_claim_number from remittance_claims "
                "where claim_id = :claim"
            ),
            {"claim": claim_id},
        ).scalar_one()

    def clp(status, charge, paid, co_45, pr_2):
        return RemitClaim(
            patient_control_number=patient_control_number(claim_id, 1),
            status_code=status,
            charge=D(charge),
            paid=D(paid),
            payer_claim_number=icn,
            adjustments=[
                Adjustment(group="CO", reason="45", amount=D(co_45)),
                Adjustment(group="PR", reason="2", amount=D(pr_2)),
            ],
        )

    remit = Remittance(
        interchange_control_number="000000901",
        group_control_number="901",
        transaction_control_number="0901",
        trace_number="READJ-1",
        payer_name="Medicare",
        payment_amount=D("12.00"),
        claims=[
            clp("22", "-200.00", "-88.00", "-90.00", "-22.00"),
            clp("1", "200.00", "100.00", "90.00", "10.00"),
        ],
    )
    file_id, _ = ledger.store_inbound_file(
        "readjudicated.835", "835", remit.model_dump_json().encode()
    )
    for found in ledger.store_remittance(file_id, remit).claims:
        ledger.post_remittance(found.remit_claim_id)


async def test_credit_from_an_overpayment_after_a_reversal_closes_the_other_claim(
    harness: Harness,
):
    first_id, first_handle, second_id, second_handle, patient_id = (
        await _two_claims_in_patient_billing(harness, "overpaid")
    )
    await first_handle.signal(
        ClaimWorkflow.patient_payment,
        PatientPayment(transaction_id="portal-9", amount=D("22.00")),
    )
    assert (await first_handle.result()).status == ClaimStatus.CLOSED

    # Medicare lowers the first claim's PR to 10.00; billing the patient again
    # moves the 12.00 they paid beyond it to credit, which pays the second
    # claim's 11.00 and leaves 1.00.
    _medicare_readjudicates(harness.ledger, first_id)
    harness.ledger.bill_patient(first_id)
    told = await ActivityEnvironment().run(
        harness.patients.tell_claims_overpayment_settled, first_id
    )

    assert told == [second_id]
    result = await second_handle.result()
    assert result.status == ClaimStatus.CLOSED
    assert result.balances.patient_responsibility == D("0.00")
    assert harness.ledger.patient_credit(patient_id) == D("1.00")
    assert harness.ledger.patient_balance(patient_id) == D("-1.00")
    # Telling again finds the same claim; its workflow has ended: nothing fails.
    again = await ActivityEnvironment().run(
        harness.patients.tell_claims_overpayment_settled, first_id
    )
    assert again == [second_id]
