"""The analyst commands, explanations, claim files, coverage and publishing."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from dsl_helpers import HEADER, claim, compile_one, write

from dsl import cli
from dsl.cli import check_command, explain_claim, explain_command
from dsl.errors import RulesetError
from dsl.registry import RuleRegistry

RULES = """
eligibility
  require coverage active on date of service
    otherwise error ELIG-01 "Coverage is not active"
end

edit T-UNITS "Office visits are one unit"
  for each line where line.procedure in [99211..99215]
  flag when line.units > 1
  unless line.modifiers has 76
  severity error
  message "{line.procedure} has {line.units} units"
end

test "Two units are flagged"
  given claim
    line 1: 99213 units 2
  expect edit T-UNITS on line 1
end

test "A clean visit"
  given claim
    line 1: 99213
  expect no edits
end
"""


def test_check_command_prints_errors_and_counts(rules_dir, capsys):
    write(
        rules_dir,
        "test/1.rules",
        HEADER + RULES.replace("severity error", "severty error"),
    )
    assert check_command(rules_dir) == 1
    assert capsys.readouterr().out == (
        "test/1.rules:22:3: Unknown word `severty`\n"
        "      severty error\n"
        "      ^\n"
        "  hint: Did you mean `severity`?\n"
        "3 files, 0 rulesets compiled: 1 errors, 0 warnings\n"
    )


def test_test_command_reports_results_and_coverage(rules_dir, capsys):
    shutil.rmtree(rules_dir / "shared")  # the libraries' own tests are not asked
    ruleset = compile_one(rules_dir, RULES)
    assert cli.test_command(rules_dir) == 1
    assert capsys.readouterr().out == (
        f"test/1.rules: TEST v1  edits=1  hash={ruleset.hash[:16]}\n"
        "  PASS  test/1.rules:26  Two units are flagged\n"
        "  PASS  test/1.rules:32  A clean visit\n"
        "  coverage: 1 of 2 edits have a positive and a negative test; "
        "no positive test: ELIG-01\n"
        "FAIL  1 edit(s) lack a test where they fire or one where they do not "
        "(see the coverage lines)\n"
        "2 passed, 0 failed\n"
    )


def test_test_command_passes_when_every_edit_fires_in_a_test(rules_dir, capsys):
    inactive = """
test "No coverage"
  given claim
    coverage inactive
  expect edit ELIG-01
end
"""
    ruleset = compile_one(rules_dir, RULES + inactive)
    assert cli.test_command(rules_dir) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "  coverage: 2 of 2 edits have a positive and a negative test",
        "13 passed, 0 failed",  # 3 here, 10 in the shipped libraries
    ]
    assert ruleset.ruleset_id == "TEST"


def test_a_failing_test_or_a_broken_file_cannot_be_published(rules_dir):
    failing = RULES.replace("expect edit T-UNITS on line 1", "expect no edits")
    write(rules_dir, "test/1.rules", HEADER + failing)
    with pytest.raises(RulesetError) as caught:
        RuleRegistry.load(rules_dir)
    assert caught.value.diagnostics == []
    assert caught.value.failures == [
        "FAIL  test/1.rules:26  Two units are flagged\n"
        "      - expected no edits but got: T-UNITS line 1: 99213 has 2 units; "
        "because [line.procedure in [99211..99215]] was True, "
        "[line.units > 1] was True, [line.modifiers has 76] was False"
    ]
    write(rules_dir, "test/1.rules", HEADER + RULES.replace("[99211..99215]", "[9921]"))
    with pytest.raises(RulesetError) as caught:
        RuleRegistry.load(rules_dir)
    assert str(caught.value) == (
        "1 problem(s) in payer rules\n"
        "test/1.rules:19:42: `9921` is not a valid CPT/HCPCS code\n"
        "      for each line where line.procedure in [9921]\n"
        "                                             ^\n"
        "  hint: CPT/HCPCS codes are 5 characters, e.g. 99213 or G0438."
    )


def test_explain_lists_every_outcome_with_its_trace(rules_dir):
    ruleset = compile_one(rules_dir, RULES)
    sample = claim(
        {"procedure": "99213", "units": "2"},
        {"procedure": "99214", "units": "2", "modifiers": ["76"]},
        {"procedure": "99283"},
    )
    outcomes = ruleset.explain(sample)
    assert [(o.edit_id, o.subject, o.outcome) for o in outcomes] == [
        ("ELIG-01", "claim", "holds"),
        ("T-UNITS", "line 1", "fired"),
        ("T-UNITS", "line 2", "bypassed by unless"),
        ("T-UNITS", "line 3", "not applicable"),
    ]
    assert [o.finding for o in outcomes if o.finding] == ruleset.scrub(sample)
    assert [(t.text, t.value) for t in outcomes[2].trace] == [
        ("line.procedure in [99211..99215]", True),
        ("line.units > 1", True),
        ("line.modifiers has 76", True),
        ("line.procedure", "99214"),
        ("line.units", "2"),
        ("line.modifiers", "76"),
    ]


def test_explain_command_reads_a_claim_file(rules_dir, tmp_path, capsys):
    ruleset = compile_one(rules_dir, RULES)
    sample = claim({"procedure": "99213", "units": "2"})
    path = tmp_path / "claim.json"
    path.write_text(sample.claim.model_dump_json())
    assert explain_command(path, rules_dir, payer_id="NOPE") == 1
    assert capsys.readouterr().out == (
        "No ruleset for payer 'NOPE' covers 2026-03-02 (windows of 'NOPE': "
        "none loaded)\n"
    )
    assert explain_command(path, rules_dir) == 0
    assert capsys.readouterr().out == (
        "claim 1 v1  payer TEST  date of service 2026-03-02  as of 2026-03-02\n"
        f"ruleset TEST v1 (test/1.rules)  hash {ruleset.hash[:16]}\n"
        "1 fired, 1 did not\n"
        "\n"
        "holds: ELIG-01  claim  (test/1.rules:14)\n"
        "  coverage active on date of service = True\n"
        "  coverage.active = True\n"
        "\n"
        "FIRED: T-UNITS  line 1  (test/1.rules:18)  error\n"
        "  message: 99213 has 2 units\n"
        "  line.procedure in [99211..99215] = True\n"
        "  line.units > 1 = True\n"
        "  line.modifiers has 76 = False\n"
        "  line.procedure = 99213\n"
        "  line.units = 2\n"
        "  line.modifiers = (missing)\n"
    )


def test_explain_claim_from_the_ledger_without_eligibility(rules_dir, capsys):
    compile_one(rules_dir, RULES)
    sample = claim({"procedure": "99213"})
    code = explain_claim(sample.claim, None, date(2026, 3, 9), path=rules_dir)
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "claim 1 v1  payer TEST  date of service 2026-03-02  as of 2026-03-09"
    )
    assert out[2] == "0 fired, 2 did not"


def test_given_claim_from_file(rules_dir):
    sample = claim({"procedure": "99213", "units": "3"})
    write(rules_dir, "test/fixtures/three-units.json", sample.claim.model_dump_json())
    body = (
        RULES
        + """
test "A claim from a file"
  given claim from file "fixtures/three-units.json"
  expect edit T-UNITS on line 1
end

test "A file that is not there"
  given claim from file "fixtures/nothing.json"
  expect no edits
end
"""
    )
    write(rules_dir, "test/1.rules", HEADER + body)
    with pytest.raises(RulesetError) as caught:
        RuleRegistry.load(rules_dir)
    assert [str(d) for d in caught.value.diagnostics] == [
        "test/1.rules:44:25: Claim file `fixtures/nothing.json` was not found\n"
        "  hint: Paths are relative to the rule file's folder."
    ]
    write(rules_dir, "test/fixtures/nothing.json", json.dumps({"claim_id": "x"}))
    with pytest.raises(RulesetError) as caught:
        RuleRegistry.load(rules_dir)
    assert [d.message for d in caught.value.diagnostics] == [
        "Claim file `fixtures/nothing.json` is not a claim: "
        "claim_id: Input should be a valid integer, unable to parse string as an "
        "integer"
    ]
