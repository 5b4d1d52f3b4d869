"""After the payer: statements, patient payments, the secondary claim, deadlines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger_builders import adj, clp, primary_with_pr, remittance, store
from sqlalchemy import text

from claimflow.models import Coverage

D = Decimal


def _post(ledger, remit_clp, trace):
    stored = store(ledger, remittance(remit_clp, trace=trace))
    return ledger.post_remittance_claim(stored.claims[0].remit_claim_id)


def _patient(ledger, claim_id):
    return ledger.get_claim(claim_id).patient.patient_id


def _add_secondary(ledger, claim_id, **span):
    ledger.upsert_payer("AETNA", "Aetna", "60054", "CI")
    ledger.add_coverage(
        _patient(ledger, claim_id),
        Coverage(
            payer_id="AETNA",
            payer_name="Aetna",
            member_id="W999",
            priority="secondary",
            **span,
        ),
    )


def test_statement_lists_claims_payer_payments_and_what_is_owed(ledger, new_claim):
    first = new_claim(["200.00"])
    patient_id = _patient(ledger, first)
    # Two more claims of the same patient: one with a copay, one paid in full.
    claim = ledger.get_claim(first)
    second = ledger.create_claim("statement-2", claim)
    third = ledger.create_claim("statement-3", claim)
    _post(
        ledger,
        clp(
            f"C{first}V1",
            "1",
            "200.00",
            "130.00",
            [],
            [adj("CO-45", "30.00"), adj("PR-2", "40.00")],
        ),
        "S-1",
    )
    _post(
        ledger,
        clp(f"C{second}V1", "1", "200.00", "180.00", [], [adj("PR-3", "20.00")]),
        "S-2",
    )
    _post(ledger, clp(f"C{third}V1", "1", "200.00", "200.00"), "S-3")
    for claim_id in (first, second, third):
        ledger.bill_patient(claim_id)
    ledger.record_patient_payment(patient_id, D("15.00"), "portal-1", first)
    ledger.record_patient_payment(patient_id, D("5.00"), "front-desk-1")

    statement = ledger.patient_statement(patient_id)

    rows = [
        (
            s.claim_id,
            s.billed,
            s.payer_paid,
            s.adjusted,
            s.patient_responsibility,
            s.patient_paid,
            s.credit_applied,
            s.due,
        )
        for s in statement.lines
    ]
    # The 5.00 paid against no claim is credit, applied to the first claim (the
    # same date of service as the second, and the lower id): 40 - 15 - 5 = 20.
    assert rows == [
        (
            first,
            D("200.00"),
            D("130.00"),
            D("30.00"),
            D("40.00"),
            D("15.00"),
            D("5.00"),
            D("20.00"),
        ),
        (
            second,
            D("200.00"),
            D("180.00"),
            D("0.00"),
            D("20.00"),
            D("0.00"),
            D("0.00"),
            D("20.00"),
        ),
    ]
    assert (statement.unapplied_payments, statement.total_due) == (
        D("0.00"),
        D("40.00"),
    )
    assert ledger.patient_balance(patient_id) == statement.total_due
    assert [s.service_date for s in statement.lines] == [claim.from_date] * 2


def test_secondary_claim_carries_the_primary_adjudication(ledger, new_claim):
    claim_id = new_claim(["120.00", "80.00"])
    assert ledger.secondary_claim(claim_id) is None  # nothing posted yet
    _post(ledger, primary_with_pr(claim_id), "P-1")
    assert ledger.secondary_claim(claim_id) is None  # no secondary coverage yet
    _add_secondary(ledger, claim_id, start=date(2026, 1, 1))

    secondary = ledger.secondary_claim(claim_id)

    assert (secondary.coverage.payer_id, secondary.coverage.priority) == (
        "AETNA",
        "secondary",
    )
    [primary] = secondary.other_payers
    assert (primary.payer_id, primary.paid, primary.remaining_patient_liability) == (
        "BCBS",
        D("140.00"),
        D("50.00"),
    )
    assert primary.payer_claim_number == "ICN-77"
    paid_by_line = [
        (a.paid, [(x.group, x.reason, x.amount) for x in a.adjustments])
        for ln in secondary.lines
        for a in ln.adjudications
    ]
    assert paid_by_line == [
        (D("90.00"), [("CO", "45", D("10.00")), ("PR", "2", D("20.00"))]),
        (D("50.00"), [("PR", "1", D("30.00"))]),
    ]


def test_coverage_that_ended_before_the_service_is_not_billed(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    _post(
        ledger,
        clp(f"C{claim_id}V1", "1", "100.00", "80.00", [], [adj("PR-2", "20.00")]),
        "P-2",
    )
    _add_secondary(ledger, claim_id, end=date(2025, 12, 31))

    assert ledger.secondary_claim(claim_id) is None


def test_filing_deadline_is_recorded_per_claim(ledger, new_claim):
    claim_id = new_claim()
    assert ledger.status_info(claim_id).filing_deadline is None

    ledger.set_filing_deadline(claim_id, date(2027, 2, 28))
    ledger.set_filing_deadline(claim_id, date(2027, 2, 28))

    assert ledger.status_info(claim_id).filing_deadline == date(2027, 2, 28)
    with ledger.engine.connect() as connection:
        events = connection.execute(
            text("select detail from audit_events where event = 'filing_deadline'")
        ).scalars()
        assert list(events) == ["None -> 2027-02-28"]
