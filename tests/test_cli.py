"""The `claimflow` command: wiring of the subcommands a person types."""

import json

import pytest

from claimflow.cli import main


def test_schema_lists_the_claim_messages_and_prints_one_by_name(capsys):
    assert main(["schema"]) == 0
    listing = capsys.readouterr().out
    assert "resolve_work_item    update  ResolveWorkItem" in listing
    assert main(["schema", "resolve_work_item"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ResolveWorkItem"
    assert schema["required"] == ["transaction_id", "work_item_id"]
    assert main(["schema", "no_such_message"]) == 1


def test_rules_check_and_test_on_the_shipped_rules(capsys):
    assert main(["rules", "check"]) == 0
    assert "11 files, 9 rulesets compiled: 0 errors" in capsys.readouterr().out
    assert main(["rules", "test"]) == 0
    assert "0 failed" in capsys.readouterr().out


def test_rules_check_takes_the_folder_as_an_argument(capsys, tmp_path):
    (tmp_path / "x.rules").write_text(
        'ruleset "X"\nedit E-1 "t"\n  severty error\nend\n'
        'gateway g "G"\n  when remit.pad > 0: close claim\n  otherwise: stop\nend\n'
    )
    assert main(["rules", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "x.rules:3:3: Unknown word `severty`" in out
    assert "x.rules:6:8: `remit` has no field `pad`" in out
    assert out.splitlines()[-1] == "1 files, 0 rulesets compiled: 5 errors, 0 warnings"


def test_rules_explain_a_claim_file(capsys):
    claim = "payer_rules/aetna/fixtures/telehealth-and-mri.json"
    assert main(["rules", "explain", claim]) == 0
    out = capsys.readouterr().out
    assert "2 fired, 19 did not" in out  # ncci.MUE found nothing too
    assert "FIRED: AET-AUTH  line 2" in out
    assert "72148 needs an Aetna precertification number" in out


def test_x12_validate_names_segment_and_element(capsys):
    path = "tests/fixtures/x12/835/tr3-managed-care-two-claims.835"
    assert main(["x12", "validate", path]) == 1
    out = capsys.readouterr().out
    assert "2 finding(s)" in out
    assert "segment 4 BPR element 16" in out


def test_report_prints_json_for_an_empty_ledger(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    from claimflow.ledger import Ledger

    Ledger(f"sqlite:///{tmp_path / 'ledger.db'}").create_all()
    assert main(["report", "--json", "--as-of", "2026-12-04"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2026-12-04"
    with pytest.raises(SystemExit) as refused:
        main(["report", "--json", "--csv"])
    assert refused.value.code == 2
