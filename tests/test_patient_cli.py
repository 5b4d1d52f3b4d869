"""``claimflow patient credit|refund`` against a SQLite ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from claimflow.cli import main
from claimflow.ledger import Ledger
from tests.factories import make_claim, store_claim

D = Decimal


@pytest.fixture
def patient_with_credit(tmp_path, monkeypatch):
    """A patient who paid 40.00 naming no claim: 40.00 of credit.

    Journal: entry 1 the claim's charge, 2 the payment; a refund is 3.
    """
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    ledger = Ledger(url)
    ledger.create_all()
    claim_id = store_claim(
        ledger, make_claim(service_date=date(2026, 11, 2)), "refund-cli"
    )
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    ledger.record_patient_payment(patient_id, D("40.00"), "desk-1")
    yield ledger, patient_id
    ledger.engine.dispose()


def test_refund_writes_one_entry_and_lowers_the_credit(patient_with_credit, capsys):
    ledger, patient_id = patient_with_credit
    argv = ["patient", "refund", str(patient_id), "15.00"]
    reason = ["--reason", "patient moved away", "--reference", "chk-100"]

    assert main([*argv, *reason, "--on", "2026-12-03"]) == 0
    assert capsys.readouterr().out == (
        f"refunded 15.00 to patient {patient_id} (entry 3, reference chk-100); "
        "unapplied credit now 25.00\n"
    )
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select amount, reason, effective_date from ledger_entries "
                "where kind = 'patient_refund'"
            )
        ).all()
    assert [(D(str(a)).quantize(D("0.01")), r, str(d)) for a, r, d in rows] == [
        (D("15.00"), "patient moved away", "2026-12-03")
    ]
    assert main(["patient", "credit", str(patient_id)]) == 0
    assert capsys.readouterr().out == (
        f"patient {patient_id}: unapplied credit 25.00, balance -25.00\n"
    )


def test_refund_without_a_reason_or_beyond_the_credit_is_refused(
    patient_with_credit, capsys
):
    ledger, patient_id = patient_with_credit

    assert main(["patient", "refund", str(patient_id), "10.00"]) == 2
    assert "needs AMOUNT, --reason TEXT and --reference REF" in capsys.readouterr().err
    too_much = ["patient", "refund", str(patient_id), "40.01"]
    assert main([*too_much, "--reason", "overpaid", "--reference", "chk-2"]) == 1
    assert capsys.readouterr().err == (
        f"refund 'chk-2': 40.01 is more than patient {patient_id}'s unapplied "
        "credit of 40.00\n"
    )
    assert main(["patient", "credit", "999"]) == 1
    assert "no patient 999" in capsys.readouterr().err
    assert ledger.patient_credit(patient_id) == D("40.00")
