"""Patient credit: overpayments and unnamed payments pay the oldest balances first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger_builders import adj, clp, make_claim, remittance, store
from sqlalchemy import text

D = Decimal


def _claim_on(ledger, patient_claim_id, key, service_date, charge):
    """Another claim of the same patient, one line on ``service_date``."""
    claim = ledger.get_claim(patient_claim_id)
    lines = [
        claim.lines[0].model_copy(
            update={"service_date": service_date, "charge": D(charge)}
        )
    ]
    return ledger.create_claim(key, claim.model_copy(update={"lines": lines}))


def _paid_with_pr(ledger, claim_id, charge, paid, pr, trace):
    """Post an 835 paying ``paid`` with the rest as PR-2, and bill the patient."""
    remit_clp = clp(f"C{claim_id}V1", "1", charge, paid, [], [adj("PR-2", pr)])
    stored = store(ledger, remittance(remit_clp, trace=trace))
    ledger.post_remittance_claim(stored.claims[0].remit_claim_id)
    ledger.bill_patient(claim_id, on=date(2026, 12, 1))


def _credit_entries(ledger):
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select claim_id, amount from ledger_entries "
                "where kind = 'credit_applied' order by id"
            )
        ).all()
    return [(claim_id, D(str(amount)).quantize(D("0.01"))) for claim_id, amount in rows]


def _lines(statement):
    return [
        (s.claim_id, s.patient_responsibility, s.patient_paid, s.credit_applied, s.due)
        for s in statement.lines
    ]


def test_overpayment_becomes_credit_spread_oldest_service_first(ledger):
    x = make_claim(ledger, ["200.00"])
    patient_id = ledger.get_claim(x).patient.patient_id
    y = _claim_on(ledger, x, "credit-y", date(2026, 10, 5), "100.00")
    z = _claim_on(ledger, x, "credit-z", date(2026, 11, 20), "100.00")
    # Patient shares: X (2026-11-02) 50.00, Y (2026-10-05) 30.00, Z (2026-11-20)
    # 20.00; 100.00 in all.
    _paid_with_pr(ledger, x, "200.00", "150.00", "50.00", "EFT-X")
    _paid_with_pr(ledger, y, "100.00", "70.00", "30.00", "EFT-Y")
    _paid_with_pr(ledger, z, "100.00", "80.00", "20.00", "EFT-Z")
    assert ledger.patient_balance(patient_id) == D("100.00")

    # 90.00 naming claim X: 50.00 pays X, the other 40.00 is credit, which pays
    # Y (the oldest service) 30.00 and Z the remaining 10.00.
    ledger.record_patient_payment(
        patient_id, D("90.00"), "portal-1", x, received_on=date(2026, 12, 2)
    )

    assert _credit_entries(ledger) == [(y, D("30.00")), (z, D("10.00"))]
    assert [ledger.patient_due(c) for c in (x, y, z)] == [
        D("0.00"),
        D("0.00"),
        D("10.00"),
    ]
    assert ledger.patient_credit(patient_id) == D("0.00")
    assert ledger.patient_balance(patient_id) == D("10.00")

    # 25.00 naming no claim: 10.00 pays Z; 15.00 stays credit on the statement.
    ledger.record_patient_payment(
        patient_id, D("25.00"), "front-desk-1", received_on=date(2026, 12, 3)
    )
    ledger.record_patient_payment(patient_id, D("25.00"), "front-desk-1")  # repeat

    statement = ledger.patient_statement(patient_id)
    assert _lines(statement) == [
        (y, D("30.00"), D("0.00"), D("30.00"), D("0.00")),
        (x, D("50.00"), D("50.00"), D("0.00"), D("0.00")),
        (z, D("20.00"), D("0.00"), D("20.00"), D("0.00")),
    ]
    assert (statement.unapplied_payments, statement.total_due) == (
        D("15.00"),
        D("-15.00"),
    )
    assert ledger.patient_balance(patient_id) == D("-15.00")
    assert ledger.patient_credit(patient_id) == D("15.00")

    # A later claim billed to the patient is paid from the credit first.
    w = _claim_on(ledger, x, "credit-w", date(2026, 11, 25), "100.00")
    _paid_with_pr(ledger, w, "100.00", "60.00", "40.00", "EFT-W")

    assert _credit_entries(ledger) == [
        (y, D("30.00")),
        (z, D("10.00")),
        (z, D("10.00")),
        (w, D("15.00")),
    ]
    statement = ledger.patient_statement(patient_id)
    assert _lines(statement)[-1] == (w, D("40.00"), D("0.00"), D("15.00"), D("25.00"))
    assert (statement.unapplied_payments, statement.total_due) == (
        D("0.00"),
        D("25.00"),
    )
    assert ledger.patient_balance(patient_id) == D("25.00")
    # Credit moves money between the patient's claims, never the claims' own
    # balances: each claim's share left it when it was billed to the patient.
    assert [ledger.claim_balance(c).outstanding for c in (x, y, z, w)] == [
        D("0.00")
    ] * 4


def test_payment_on_a_claim_with_nothing_due_is_all_credit(ledger):
    claim_id = make_claim(ledger, ["100.00"])
    patient_id = ledger.get_claim(claim_id).patient.patient_id

    first = ledger.record_patient_payment(patient_id, D("12.34"), "copay-1", claim_id)
    again = ledger.record_patient_payment(patient_id, D("12.34"), "copay-1", claim_id)

    assert first == again
    assert ledger.patient_due(claim_id) == D("0.00")
    assert ledger.patient_credit(patient_id) == D("12.34")
    # The payer leaves 30.00 to the patient; the copay already paid pays it.
    _paid_with_pr(ledger, claim_id, "100.00", "70.00", "30.00", "EFT-1")

    assert ledger.patient_due(claim_id) == D("17.66")
    assert ledger.patient_credit(patient_id) == D("0.00")
    statement = ledger.patient_statement(patient_id)
    assert _lines(statement) == [
        (claim_id, D("30.00"), D("0.00"), D("12.34"), D("17.66"))
    ]
    assert statement.total_due == ledger.patient_balance(patient_id) == D("17.66")
