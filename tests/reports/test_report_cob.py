"""Report figures when a patient share goes on to the secondary payer.

One claim, worked by hand:

* c1: MEDICARE, served 2026-06-01, 99213 200.00. Medicare's 835 of 2026-06-20
  pays 120.00, CO-45 30.00, PR-2 50.00; on 2026-06-21 the 50.00 goes on to the
  patient's AETNA coverage as secondary claim s1.
* s1's 835 of 2026-07-10 pays nothing: OA-23 150.00 restates Medicare, PR-2
  50.00 (the patient's deductible with Aetna). The 50.00 is billed to the
  patient on 2026-07-12, who pays 60.00 on 2026-07-15 (10.00 credit), and
  10.00 of credit is refunded on 2026-07-20.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from report_ledger import NPI_A, _adj, _claim, _pay

from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database
from claimflow.models import Coverage
from claimflow.reports.figures import build_report

D = Decimal
ZERO = D("0.00")


@pytest.fixture(params=database_params())
def cob_ledger(request, tmp_path) -> Iterator[tuple[Ledger, int, int, int]]:
    """``(ledger, c1, s1, patient)`` up to the secondary claim (2026-06-21)."""
    with scratch_database(request.param, tmp_path) as url:
        ledger = Ledger(url)
        ledger.create_all()
        c1 = _claim(
            ledger, "cob-1", "MEDICARE", NPI_A, date(2026, 6, 1), [("99213", "200.00")]
        )
        patient = ledger.get_claim(c1).patient.patient_id
        ledger.upsert_payer("AETNA", "Aetna", "60054", "CI")
        ledger.add_coverage(
            patient,
            Coverage(
                payer_id="AETNA",
                payer_name="Aetna",
                member_id="W777",
                plan_type="CI",
                priority="secondary",
                start=date(2026, 1, 1),
            ),
        )
        _pay(
            ledger,
            c1,
            "1",
            date(2026, 6, 20),
            [
                (
                    "99213",
                    "200.00",
                    "120.00",
                    [_adj("CO-45", "30.00"), _adj("PR-2", "50.00")],
                )
            ],
        )
        s1 = ledger.start_secondary(c1, on=date(2026, 6, 21)).claim_id
        yield ledger, c1, s1, patient
        ledger.engine.dispose()


def _secondary_adjudicates(ledger, c1, s1, patient):
    _pay(
        ledger,
        s1,
        "1",
        date(2026, 7, 10),
        [("99213", "200.00", "0.00", [_adj("OA-23", "150.00"), _adj("PR-2", "50.00")])],
    )
    ledger.bill_patient(c1, on=date(2026, 7, 12))
    ledger.record_patient_payment(patient, D("60.00"), "p-1", c1, date(2026, 7, 15))
    ledger.refund_patient_credit(
        patient, D("10.00"), "overpaid", "r-1", date(2026, 7, 20)
    )


def test_the_share_with_the_secondary_ages_under_the_secondary(cob_ledger):
    ledger, c1, s1, _ = cob_ledger

    report = build_report(ledger, date(2026, 6, 30))

    # 200 - 120 - 30 = 50.00 owed by payers, all of it now Aetna's, 29 days old.
    assert [
        (r.payer_id, r.buckets["0-30"], r.total) for r in report.aging_by_payer
    ] == [("AETNA", D("50.00"), D("50.00")), ("ALL", D("50.00"), D("50.00"))]
    assert [
        (o.claim_id, o.payer_id, o.outstanding) for o in report.outstanding_claims
    ] == [(s1, "AETNA", D("50.00"))]
    assert report.days_in_ar.ar_balance == D("50.00")
    assert [(d.key, d.adjudicated, d.denied) for d in report.denials_by_payer] == [
        ("MEDICARE", 1, 0)
    ]


def test_each_payer_is_judged_on_its_own_adjudication(cob_ledger):
    ledger, c1, s1, patient = cob_ledger
    _secondary_adjudicates(ledger, c1, s1, patient)

    report = build_report(ledger, date(2026, 7, 31))

    # Aetna paid nothing but only for PR: OA-23 is Medicare's decision, so
    # Aetna denied nothing and OA-23 is no reason of its.
    assert [
        (d.key, d.adjudicated, d.denied, d.rate, d.top_reasons)
        for d in report.denials_by_payer
    ] == [("AETNA", 1, 0, D("0.0"), []), ("MEDICARE", 1, 0, D("0.0"), [])]
    # Nobody owes the payers anything; the patient paid 60.00, owed 50.00 and
    # was refunded 10.00.
    assert report.aging_by_payer == []
    assert report.outstanding_claims == []
    assert report.patient_balances == []
    # A/R: 200 - 120 - 30 - 60 + 10 = 0.00.
    assert report.days_in_ar.ar_balance == ZERO


def test_credit_before_its_refund_is_a_negative_patient_balance(cob_ledger):
    ledger, c1, s1, patient = cob_ledger
    _secondary_adjudicates(ledger, c1, s1, patient)

    report = build_report(ledger, date(2026, 7, 16))

    assert [(r.patient_id, r.owed) for r in report.patient_balances] == [
        (patient, D("-10.00"))
    ]
    # 200 - 120 - 30 - 60 = -10.00: the practice holds the patient's 10.00.
    assert report.days_in_ar.ar_balance == D("-10.00")
