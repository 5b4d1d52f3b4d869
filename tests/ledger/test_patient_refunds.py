"""Patient money both ways: refused payments, refunds of credit, overpayments
after a reversal, and the claims a payment's credit settles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger_builders import adj, clp, make_claim, remittance, store
from test_patient_credit import _claim_on, _credit_entries, _paid_with_pr

D = Decimal
ON = date(2026, 12, 1)


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_payment_of_zero_or_less_is_refused(ledger, amount):
    claim_id = make_claim(ledger, ["100.00"])
    patient_id = ledger.get_claim(claim_id).patient.patient_id

    with pytest.raises(ValueError, match=f"amount {amount} must be more than zero"):
        ledger.record_patient_payment(patient_id, D(amount), "bad-1", claim_id)

    assert ledger.patient_balance(patient_id) == D("0.00")
    assert ledger.patient_credit(patient_id) == D("0.00")


def test_credit_refunded_with_a_reason_lowers_the_credit(ledger):
    claim_id = make_claim(ledger, ["100.00"])
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    ledger.record_patient_payment(patient_id, D("40.00"), "copay-1", received_on=ON)

    with pytest.raises(ValueError, match="a reason is required"):
        ledger.refund_patient_credit(patient_id, D("10.00"), "  ", "chk-1")
    with pytest.raises(ValueError, match="more than patient .* credit of 40.00"):
        ledger.refund_patient_credit(patient_id, D("40.01"), "moved away", "chk-1")
    with pytest.raises(ValueError, match="must be more than zero"):
        ledger.refund_patient_credit(patient_id, D("0.00"), "moved away", "chk-1")

    first = ledger.refund_patient_credit(
        patient_id, D("25.00"), "patient asked for it back", "chk-1", on=ON
    )
    again = ledger.refund_patient_credit(
        patient_id, D("25.00"), "patient asked for it back", "chk-1", on=ON
    )

    assert first == again
    assert ledger.patient_credit(patient_id) == D("15.00")
    assert ledger.patient_balance(patient_id) == D("-15.00")
    statement = ledger.patient_statement(patient_id)
    assert (statement.unapplied_payments, statement.total_due) == (
        D("15.00"),
        D("-15.00"),
    )
    # The refund is on the patient, not a claim: the claim's balance is as it was.
    assert ledger.claim_balance(claim_id).outstanding == D("100.00")


def test_a_reversal_that_lowers_a_paid_share_turns_the_excess_into_credit(ledger):
    x = make_claim(ledger, ["100.00"])
    patient_id = ledger.get_claim(x).patient.patient_id
    y = _claim_on(ledger, x, "refund-y", date(2026, 10, 5), "100.00")
    # X: paid 70.00, PR-2 30.00, which the patient pays. Y: 15.00 due.
    _paid_with_pr(ledger, x, "100.00", "70.00", "30.00", "EFT-X")
    ledger.record_patient_payment(patient_id, D("30.00"), "portal-x", x, ON)
    _paid_with_pr(ledger, y, "100.00", "85.00", "15.00", "EFT-Y")
    assert [ledger.patient_due(c) for c in (x, y)] == [D("0.00"), D("15.00")]

    # The payer reverses X and pays it again with PR-2 10.00 only.
    pcn = f"C{x}V1"
    stored = store(
        ledger,
        remittance(
            clp(pcn, "22", "-100.00", "-70.00", [], [adj("PR-2", "-30.00")]),
            clp(pcn, "1", "100.00", "90.00", [], [adj("PR-2", "10.00")]),
            trace="EFT-X2",
        ),
    )
    for found in stored.claims:
        ledger.post_remittance_claim(found.remit_claim_id)
    ledger.bill_patient(x, on=ON)

    # X's share is 10.00 but the patient paid 30.00: 20.00 becomes credit,
    # which pays Y's 15.00 (oldest first) and leaves 5.00.
    assert ledger.patient_due(x) == D("0.00")
    assert ledger.patient_due(y) == D("0.00")
    assert _credit_entries(ledger) == [(y, D("15.00"))]
    assert ledger.patient_credit(patient_id) == D("5.00")
    # Owed 10.00 + 15.00, paid 30.00.
    assert ledger.patient_balance(patient_id) == D("-5.00")
    # X: billed 100 = paid 90 + adjusted 0 + patient 10 + outstanding 0.
    balance = ledger.claim_balance(x)
    assert (balance.paid, balance.patient_responsibility, balance.outstanding) == (
        D("90.00"),
        D("10.00"),
        D("0.00"),
    )
    # The overpayment's credit is what paid Y off; Y was never overpaid.
    assert ledger.overpayment_credit(x)[1] == [y]
    assert ledger.overpayment_credit(y) is None
    # Billing again moves nothing more.
    ledger.bill_patient(x, on=ON)
    assert ledger.patient_credit(patient_id) == D("5.00")

    ledger.refund_patient_credit(patient_id, D("5.00"), "overpaid after reversal", "R1")
    assert ledger.patient_credit(patient_id) == D("0.00")
    assert ledger.patient_balance(patient_id) == D("0.00")


def test_the_claims_a_payment_credit_settled_are_named(ledger):
    x = make_claim(ledger, ["200.00"])
    patient_id = ledger.get_claim(x).patient.patient_id
    y = _claim_on(ledger, x, "settle-y", date(2026, 10, 5), "100.00")
    z = _claim_on(ledger, x, "settle-z", date(2026, 11, 20), "100.00")
    _paid_with_pr(ledger, x, "200.00", "150.00", "50.00", "EFT-X")
    _paid_with_pr(ledger, y, "100.00", "70.00", "30.00", "EFT-Y")
    _paid_with_pr(ledger, z, "100.00", "80.00", "20.00", "EFT-Z")

    # 90.00 on X: 50.00 pays X, 30.00 of credit settles Y, 10.00 goes to Z.
    entry = ledger.record_patient_payment(patient_id, D("90.00"), "portal-1", x, ON)

    assert ledger.claims_settled_by_credit(patient_id, entry) == [y]
    # 10.00 more without a claim settles Z; Y was settled before it.
    later = ledger.record_patient_payment(patient_id, D("10.00"), "desk-1", None, ON)
    assert ledger.claims_settled_by_credit(patient_id, later) == [z]
    assert ledger.claims_settled_by_credit(patient_id, entry) == [y, z]
