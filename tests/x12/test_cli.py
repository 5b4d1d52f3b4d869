"""The x12 commands: validate, show, json."""

from __future__ import annotations

import json

from claimflow.x12.cli import json_command, show_command, validate_command

from .conftest import FIXTURES


def test_validate_prints_located_findings(capsys):
    path = FIXTURES / "837P/tr3-ex5-ambulance.837"
    assert validate_command(str(path)) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: 1 finding(s)"
    assert lines[1] == (
        '  segment 23 CLM element 05: Mandatory data element "Facility Code '
        'Qualifier" (CLM05-02) is missing'
    )


def test_validate_clean(capsys):
    path = FIXTURES / "837P/uhin-icd10-single-claim.837"
    assert validate_command(str(path)) == 0
    assert capsys.readouterr().out == f"{path}: clean\n"


def test_show_indents_by_loop(capsys):
    path = FIXTURES / "837P/tr3-ex3c-cob-payer-a-to-payer-b-with-adjudication.837"
    assert show_command(str(path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[30] == "    31             CLM*26407789*79.04***11:B:1*Y*A*Y*I*P"
    assert lines[38] == "    39               SBR*P*01*******12"
    assert lines[52] == "    53                 SVD*999996666*40.00*HC:99213**1.00"
    assert lines[53] == "    54                   CAS*CO*42*3.00"


def test_json_prints_claims_and_rejections(capsys):
    path = FIXTURES / "837P/tr3-ex12-bad-component-sep-mismatch.837"
    assert json_command(str(path)) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["transactions"] == []
    assert out["rejected"][0]["reason"].startswith("segment 39 SV1 element 01")
    path = FIXTURES / "837P/uhin-icd10-single-claim.837"
    assert json_command(str(path)) == 0
    out = json.loads(capsys.readouterr().out)
    (claim,) = out["transactions"][0]["items"]
    assert claim["patient_control_number"] == "1606"
    assert claim["lines"][0]["charge"] == "2.00"
