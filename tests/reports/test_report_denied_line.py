"""A line denied inside a paid claim is owed by the payer in the report.

By hand: AETNA claim served 2026-06-15, 99213 200.00 and 80053 100.00; the
835 of 2026-07-15 pays 99213 150.00 with CO-45 50.00 and denies 80053 with
CO-97 100.00 (a memo, not an adjustment). As of 2026-07-31 the payer owes
the 100.00, aged 46 days (31-60); A/R is 300.00 - 150.00 - 50.00 = 100.00,
over 300.00 of charges in the 90-day window: 30.0 days. Written off on
2026-08-03, nothing is owed by 2026-08-31.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from report_ledger import NPI_B, _adj, _claim, _pay
from test_report_figures import _denials

from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database
from claimflow.reports import build_report

D = Decimal


@pytest.fixture(params=database_params())
def partly_denied(request, tmp_path) -> Iterator[tuple[Ledger, int]]:
    """``(ledger, claim_id)`` of the hand-computed claim, 835 posted."""
    with scratch_database(request.param, tmp_path) as url:
        ledger = Ledger(url)
        ledger.create_all()
        claim_id = _claim(
            ledger,
            "denied-line",
            "AETNA",
            NPI_B,
            date(2026, 6, 15),
            [("99213", "200.00"), ("80053", "100.00")],
        )
        _pay(
            ledger,
            claim_id,
            "1",
            date(2026, 7, 15),
            [
                ("99213", "200.00", "150.00", [_adj("CO-45", "50.00")]),
                ("80053", "100.00", "0.00", [_adj("CO-97", "100.00")]),
            ],
        )
        yield ledger, claim_id
        ledger.engine.dispose()


def test_denied_line_ages_and_lists_as_owed_by_the_payer(partly_denied):
    ledger, claim_id = partly_denied

    report = build_report(ledger, date(2026, 7, 31))

    assert report.days_in_ar.ar_balance == D("100.00")
    assert report.days_in_ar.window_charges == D("300.00")
    assert report.days_in_ar.days == D("30.0")
    aging = [(r.payer_id, r.buckets, r.total) for r in report.aging_by_payer]
    owed = {"0-30": 0, "31-60": D("100.00"), "61-90": 0, "91-120": 0, "over 120": 0}
    assert aging == [("AETNA", owed, D("100.00")), ("ALL", owed, D("100.00"))]
    assert [
        (c.claim_id, c.payer_id, c.outstanding) for c in report.outstanding_claims
    ] == [(claim_id, "AETNA", D("100.00"))]
    assert report.patient_balances == []


def test_denied_line_counts_as_a_denial_of_its_procedure(partly_denied):
    ledger, _ = partly_denied

    report = build_report(ledger, date(2026, 7, 31))

    assert _denials(report.denials_by_procedure) == [
        ("80053", 1, 1, D("100.0"), [("CO-97", 1, D("100.00"))]),
        ("99213", 1, 0, D("0.0"), []),
    ]
    # The claim as a whole was paid: the payer's claim denial rate stays 0.
    assert [(r.key, r.adjudicated, r.denied) for r in report.denials_by_payer] == [
        ("AETNA", 1, 0)
    ]


def test_written_off_denied_line_is_no_longer_owed(partly_denied):
    ledger, claim_id = partly_denied

    written = ledger.write_off(claim_id, "CO-97 accepted", on=date(2026, 8, 3))
    report = build_report(ledger, date(2026, 8, 31))

    assert written == D("100.00")
    assert report.days_in_ar.ar_balance == D("0.00")
    assert report.aging_by_payer == []
    assert report.outstanding_claims == []
