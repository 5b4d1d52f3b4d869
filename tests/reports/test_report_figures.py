"""Every report figure on the small ledger of ``report_ledger``, by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from report_ledger import NPI_A, NPI_B

from claimflow.reports import build_report
from claimflow.reports.figures import bucket

D = Decimal
JUNE_30 = date(2026, 6, 30)
JULY_31 = date(2026, 7, 31)


def _denials(rates):
    return [
        (
            r.key,
            r.adjudicated,
            r.denied,
            r.rate,
            [(x.code, x.count, x.amount) for x in r.top_reasons],
        )
        for r in rates
    ]


@pytest.mark.parametrize(
    ("age", "name"),
    [
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-120"),
        (120, "91-120"),
        (121, "over 120"),
    ],
)
def test_aging_bucket_edges(age, name):
    assert bucket(age) == name


def _months(report):
    return [
        (
            m.month,
            m.charges,
            m.payer_payments,
            m.patient_payments,
            m.adjustments,
            m.collections,
            m.collection_rate,
            m.settled_rate,
            m.cash_in_month,
        )
        for m in report.collections_by_month
    ]


def test_collections_follow_each_month_of_services_charges(small_ledger):
    ledger, _ = small_ledger

    report = build_report(ledger, JUNE_30)

    assert _months(report) == [
        # c4 (200.00): Aetna 120.00 in March, the patient 30.00 in April, CO-45
        # 30.00: 150.00 / 200.00 collected, 180.00 / 200.00 settled.
        ("2026-01", D("200.00"), D("120.00"), D("30.00"), D("30.00"),
         D("150.00"), D("75.0"), D("90.0"), D("0.00")),
        ("2026-02", D("100.00"), D("0.00"), D("0.00"), D("0.00"),
         D("0.00"), D("0.0"), D("0.0"), D("0.00")),
        # Nothing served in March; its cash is c4's 120.00.
        ("2026-03", D("0.00"), D("0.00"), D("0.00"), D("0.00"),
         D("0.00"), None, None, D("120.00")),
        # c1: 80.00 paid in May and CO-45 20.00; April's cash is the patient's.
        ("2026-04", D("100.00"), D("80.00"), D("0.00"), D("20.00"),
         D("80.00"), D("80.0"), D("100.0"), D("30.00")),
        # c2 is denied: nothing paid, and a denial adjusts nothing away.
        ("2026-05", D("150.00"), D("0.00"), D("0.00"), D("0.00"),
         D("0.00"), D("0.0"), D("0.0"), D("80.00")),
        # c3's 835 is of 2026-07-15, after the report date.
        ("2026-06", D("150.00"), D("0.00"), D("0.00"), D("0.00"),
         D("0.00"), D("0.0"), D("0.0"), D("0.00")),
    ]  # fmt: skip


def test_a_months_rate_rises_as_its_claims_are_paid_later(small_ledger):
    ledger, _ = small_ledger

    months = _months(build_report(ledger, JULY_31))

    # c3's July payment counts on June, its month of service, and as July's cash.
    assert months[-2:] == [
        ("2026-06", D("150.00"), D("120.00"), D("0.00"), D("30.00"),
         D("120.00"), D("80.0"), D("100.0"), D("0.00")),
        ("2026-07", D("0.00"), D("0.00"), D("0.00"), D("0.00"),
         D("0.00"), None, None, D("120.00")),
    ]  # fmt: skip


def test_days_in_ar(small_ledger):
    ledger, _ = small_ledger

    june = build_report(ledger, JUNE_30).days_in_ar
    july = build_report(ledger, JULY_31).days_in_ar

    # 700.00 charged - 200.00 payers - 50.00 adjustments - 30.00 patient = 420.00;
    # charges 2026-04-02..06-30: 100 + 150 + 150 = 400.00; 420 / (400 / 90) = 94.5
    assert (june.ar_balance, june.window_charges, june.days) == (
        D("420.00"),
        D("400.00"),
        D("94.5"),
    )
    # c3 paid 120.00 + 30.00 adjusted on 07-15: 270.00; charges 05-03..07-31:
    # 150 + 150 = 300.00; 270 / (300 / 90) = 81.0
    assert (july.ar_balance, july.window_charges, july.days) == (
        D("270.00"),
        D("300.00"),
        D("81.0"),
    )


def test_aging_buckets_by_payer(small_ledger):
    ledger, _ = small_ledger

    june = build_report(ledger, JUNE_30).aging_by_payer
    july = build_report(ledger, JULY_31).aging_by_payer

    def table(rows):
        return {r.payer_id: ([r.buckets[b] for b in r.buckets], r.total) for r in rows}

    zero = D("0.00")
    # c2 150.00 at 41 days, c5 100.00 at 149 days; c3 150.00 at 15 days;
    # c4 owes the payer nothing once 50.00 went to the patient.
    assert table(june) == {
        "AETNA": ([D("150.00"), zero, zero, zero, zero], D("150.00")),
        "MEDICARE": ([zero, D("150.00"), zero, zero, D("100.00")], D("250.00")),
        "ALL": ([D("150.00"), D("150.00"), zero, zero, D("100.00")], D("400.00")),
    }
    # c3 is paid; c2 is 72 days old, c5 180.
    assert table(july) == {
        "MEDICARE": ([zero, zero, D("150.00"), zero, D("100.00")], D("250.00")),
        "ALL": ([zero, zero, D("150.00"), zero, D("100.00")], D("250.00")),
    }


def test_denial_rates_with_top_reasons(small_ledger):
    ledger, _ = small_ledger

    report = build_report(ledger, JUNE_30)

    reasons = [("CO-50", 1, D("100.00")), ("CO-16", 1, D("50.00"))]
    # c1 and c4 paid, c2 denied; c3's 835 (07-15) is after the date.
    assert _denials(report.denials_by_payer) == [
        ("AETNA", 1, 0, D("0.0"), []),
        ("MEDICARE", 2, 1, D("50.0"), reasons),
    ]
    assert _denials(report.denials_by_provider) == [
        (NPI_A, 2, 1, D("50.0"), reasons),
        (NPI_B, 1, 0, D("0.0"), []),
    ]
    assert _denials(report.denials_by_procedure) == [
        ("99213", 2, 0, D("0.0"), []),
        ("99214", 1, 1, D("100.0"), reasons),
    ]
    later = build_report(ledger, JULY_31).denials_by_procedure
    assert [(r.key, r.adjudicated, r.denied) for r in later] == [
        ("80053", 1, 0),
        ("99213", 3, 0),
        ("99214", 1, 1),
    ]


def test_patient_balances(small_ledger):
    ledger, ids = small_ledger

    report = build_report(ledger, JUNE_30)

    # 50.00 billed to c4's patient less the 30.00 paid
    assert [(p.patient_id, p.owed) for p in report.patient_balances] == [
        (ids["p4"], D("20.00"))
    ]
    early = build_report(ledger, date(2026, 3, 31)).patient_balances
    assert [(p.patient_id, p.owed) for p in early] == [(ids["p4"], D("50.00"))]


def test_outstanding_claims_with_filing_deadlines(small_ledger):
    ledger, ids = small_ledger

    report = build_report(ledger, JUNE_30)

    assert [
        (
            c.claim_id,
            c.payer_id,
            c.service_date,
            c.outstanding,
            c.filing_deadline,
            c.days_to_deadline,
        )
        for c in report.outstanding_claims
    ] == [
        (ids["c5"], "MEDICARE", date(2026, 2, 1), D("100.00"), date(2026, 7, 31), 31),
        (
            ids["c2"],
            "MEDICARE",
            date(2026, 5, 20),
            D("150.00"),
            date(2026, 11, 16),
            139,
        ),
        (ids["c3"], "AETNA", date(2026, 6, 15), D("150.00"), date(2026, 12, 12), 165),
    ]
