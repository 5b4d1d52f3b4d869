"""``report_command`` prints the same figures as text, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from claimflow.ledger import Ledger, migrations
from claimflow.reports import report_command

JUNE_30 = date(2026, 6, 30)


def _url(ledger):
    return ledger.engine.url.render_as_string(hide_password=False)


def test_json(small_ledger, capsys):
    ledger, ids = small_ledger

    assert report_command(_url(ledger), "json", JUNE_30) == 0

    printed = json.loads(capsys.readouterr().out)
    assert printed["as_of"] == "2026-06-30"
    assert printed["days_in_ar"] == {
        "ar_balance": "420.00",
        "window_days": 90,
        "window_charges": "400.00",
        "days": "94.5",
    }
    assert printed["aging_by_payer"][-1] == {
        "payer_id": "ALL",
        "buckets": {
            "0-30": "150.00",
            "31-60": "150.00",
            "61-90": "0.00",
            "91-120": "0.00",
            "over 120": "100.00",
        },
        "total": "400.00",
    }
    assert printed["patient_balances"] == [{"patient_id": ids["p4"], "owed": "20.00"}]


def test_csv(small_ledger, capsys):
    ledger, ids = small_ledger

    assert report_command(_url(ledger), "csv", JUNE_30) == 0

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["section", "row", "field", "value"]
    for expected in [
        ["collections_by_month", "2026-01", "collection_rate", "75.0"],
        ["collections_by_month", "2026-01", "settled_rate", "90.0"],
        ["collections_by_month", "2026-05", "cash_in_month", "80.00"],
        ["collections_by_month", "2026-03", "collection_rate", ""],
        ["days_in_ar", "", "days", "94.5"],
        ["aging_by_payer", "MEDICARE", "over 120", "100.00"],
        ["denials_by_payer", "MEDICARE", "rate_percent", "50.0"],
        ["denials_by_procedure", "99214", "reason_1", "CO-50"],
        ["denials_by_procedure", "99214", "reason_2_amount", "50.00"],
        ["patient_balances", str(ids["p4"]), "owed", "20.00"],
        ["outstanding_claims", str(ids["c5"]), "filing_deadline", "2026-07-31"],
        ["outstanding_claims", str(ids["c5"]), "days_to_deadline", "31"],
    ]:
        assert expected in rows


def test_text(small_ledger, capsys):
    ledger, ids = small_ledger

    assert report_command(_url(ledger), "text", JUNE_30) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Ledger report as of 2026-06-30"
    assert "Days in A/R" in lines
    heading = lines.index("Collections against charges by month of service")
    assert lines[heading + 2] == (
        "Per month of service: payments and adjustments posted on that month's"
    )
    assert [
        "2026-01", "200.00", "120.00", "30.00", "30.00", "150.00", "75.0", "90.0",
        "0.00",
    ] in [line.split() for line in lines]  # fmt: skip
    assert ["2026-03", "0.00", "0.00", "0.00", "0.00", "0.00", "-", "-",
            "120.00"] in [line.split() for line in lines]  # fmt: skip
    assert ["MEDICARE", "2", "1", "50.0", "CO-50", "x1", "(100.00),", "CO-16", "x1",
            "(50.00)"] in [line.split() for line in lines]  # fmt: skip
    outstanding = [line.split() for line in lines if line.startswith(str(ids["c5"]))]
    assert outstanding[-1][-3:] == ["100.00", "2026-07-31", "31"]


def test_unknown_format_and_old_schema_are_refused(tmp_path, capsys):
    old = Ledger(f"sqlite:///{tmp_path / 'old.db'}")
    migrations.upgrade(old.engine, migrations.FIRST_REVISION)
    url = _url(old)
    old.engine.dispose()

    assert report_command(url, "xml", JUNE_30) == 2
    assert report_command(url, "text", JUNE_30) == 2

    err = capsys.readouterr().err
    assert "unknown report format 'xml'" in err
    assert "schema is at revision 0001" in err
