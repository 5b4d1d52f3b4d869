"""A patient's credit pays off another claim's balance, and that claim is told.

Two Medicare claims of one patient both end in patient billing. The patient pays
more than the first claim asks; the ledger spends the excess on the second claim,
and the activity that recorded the payment signals the second claim's workflow
(``claim-<id>``), which reads its balances again and closes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from claimflow.messages import PatientPayment
from claimflow.models import ClaimStatus
from tests.factories import store_claim
from tests.workflows.test_claim_workflow import Harness, recent, status_is
from tests.workflows.test_secondary_claims import _medicare_claim
from workflows.claim import ClaimWorkflow

D = Decimal


@pytest.fixture
async def harness(env, ledger, simulator, rules):
    async with Harness(env, ledger, simulator, rules) as running:
        yield running


def _store_for_same_patient(harness: Harness, first_key: str, claim, key: str) -> None:
    """Store ``claim`` under ``key`` for the patient of the claim at ``first_key``."""
    first = harness.ledger.get_claim(harness.ledger.claim_for_encounter(first_key))
    patient = claim.patient.model_copy(
        update={"patient_id": first.patient.patient_id}
    )
    harness.ledger.create_claim(key, claim.model_copy(update={"patient": patient}))


async def test_credit_from_one_payment_closes_the_other_claim(harness: Harness):
    day = await recent(harness.env)
    # Medicare allows 55%; PR-2 is 20% of that: 22.00 on 200.00, 11.00 on 100.00.
    first = _medicare_claim(day, "200.00")
    second = _medicare_claim(day + timedelta(days=1), "100.00")
    harness.roster(first)
    store_claim(harness.ledger, first, "credit-first")
    _store_for_same_patient(harness, "credit-first", second, "credit-second")
    first_id, first_handle = await harness.start(first, "credit-first", exact_id=True)
    second_id, second_handle = await harness.start(
        second, "credit-second", exact_id=True
    )
    for handle in (first_handle, second_handle):
        await harness.until(handle, status_is(ClaimStatus.PATIENT_BILLING))
    patient_id = harness.ledger.get_claim(first_id).patient.patient_id
    assert harness.ledger.get_claim(second_id).patient.patient_id == patient_id
    assert [harness.ledger.patient_due(c) for c in (first_id, second_id)] == [
        D("22.00"),
        D("11.00"),
    ]

    # A payment of zero sent as raw JSON (as from the Web UI) never reaches the
    # ledger: the worker cannot read it as a PatientPayment and drops it.
    await first_handle.signal(
        "patient_payment", {"transaction_id": "portal-0", "amount": "0.00"}
    )
    view = await harness.view(first_handle)
    assert view.waiting_for == "Patient billing: 22.00 due from the patient"
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
    await harness.replay(first_handle, "patient-paid-credit-to-another", "v4")
    await harness.replay(second_handle, "patient-balance-settled-by-credit", "v4")


def test_a_payment_of_zero_or_less_is_refused_before_it_is_sent():
    for amount in ("0.00", "-10.00"):
        with pytest.raises(ValidationError, match="greater than 0"):
            PatientPayment(transaction_id="portal-8", amount=D(amount))
