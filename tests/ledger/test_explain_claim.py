"""`claimflow rules explain --claim ID` reads the claim's own 271 from the ledger."""

from __future__ import annotations

from datetime import date

from ledger_builders import SERVICE_DATE, make_claim

from claimflow.cli import main
from claimflow.ledger import Ledger
from claimflow.models import EligibilityResult


def test_explain_uses_the_claims_latest_eligibility_answer(
    tmp_path, monkeypatch, capsys
):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    ledger = Ledger(url)
    ledger.create_all()
    claim_id = make_claim(ledger, ["125.00"])

    assert main(["rules", "explain", "--claim", str(claim_id)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No 270/271 on record: explained as if the coverage")
    assert "FIRED: ELIG-01" not in out

    def answer(active: bool) -> EligibilityResult:
        return EligibilityResult(
            active=active, member_id="M123", payer_id="BCBS", service_date=SERVICE_DATE
        )

    ledger.record_eligibility(claim_id, answer(True), "270", "271")
    ledger.record_eligibility(claim_id, answer(False), "270", "271")
    result, checked_on = ledger.latest_eligibility(claim_id)
    assert result.active is False
    assert checked_on >= date(2026, 1, 1)

    assert main(["rules", "explain", "--claim", str(claim_id)]) == 0
    out = capsys.readouterr().out
    assert "No 270/271 on record" not in out
    assert "FIRED: ELIG-01" in out
    assert "BCBS coverage is not active on the date of service" in out
