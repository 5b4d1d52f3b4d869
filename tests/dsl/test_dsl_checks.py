"""Checker rules across files and data, and a few condition forms."""

from __future__ import annotations

from pathlib import Path

from dsl_helpers import HEADER, claim, compile_one, write

from dsl.errors import format_diagnostics
from dsl.registry import default_rules_dir
from dsl.testing import check_files

NUMBERS = """
edit T-ADULT "Adults only"
  for each line where line.diagnosis_pointers has 2
  flag when patient.age in [18..64, 70]
  severity info
  message "adult {patient.age}"
end
"""


def test_numeric_lists_and_ranges(rules_dir):
    ruleset = compile_one(rules_dir, NUMBERS)
    adult = claim({"procedure": "99213", "pointers": [1, 2]}, patient={"age": 18})
    assert [f.message for f in ruleset.scrub(adult)] == ["adult 18"]
    child = claim({"procedure": "99213", "pointers": [1, 2]}, patient={"age": 7})
    assert ruleset.scrub(child) == []
    seventy = claim({"procedure": "99213", "pointers": [2]}, patient={"age": 70})
    assert [f.message for f in ruleset.scrub(seventy)] == ["adult 70"]
    no_pointer = claim({"procedure": "99213", "pointers": [1]}, patient={"age": 30})
    assert ruleset.scrub(no_pointer) == []


def test_disable_switches_off_a_library_edit(rules_dir):
    uses = 'use library "shared/professional-basics" version "1.0" as basics\n'
    body = uses + 'disable edit basics.ZIP-01 reason "Plan does not need it"\n'
    ruleset = compile_one(rules_dir, body)
    ids = [e.id for e in ruleset.edits]
    assert "basics.ZIP-01" not in ids and "basics.DX-02" in ids
    assert ruleset.scrub(claim({"procedure": "99213"}, patient={"zip": ""})) == []


def errors(folder: Path, body: str) -> str:
    write(folder, "test/1.rules", HEADER + body)
    return format_diagnostics(check_files(folder))


def test_disable_of_an_unknown_edit(rules_dir):
    uses = 'use library "shared/ncci" version "2026.2" as ncci\n'
    body = uses + 'disable edit ncci.PTPX reason "typo"\n'
    assert errors(rules_dir, body) == (
        "test/1.rules:13:1: `ncci.PTPX` does not exist\n"
        "  hint: Library `ncci` has: PTP, MUE."
    )


def test_table_needs_a_catch_all_row(rules_dir):
    body = """
denial routing hit policy first
  | group | carc | rarc | route |
  | PR    | 1    | -    | fix   |
end

route fix "Fix"
  resubmit as corrected claim
end
"""
    assert errors(rules_dir, body) == (
        "test/1.rules:13:1: The denial table has no catch-all last row\n"
        "  hint: End it with `| - | - | - | human_review |` so every denial "
        "goes somewhere."
    )


def test_undeclared_codeset_and_wrong_release(rules_dir):
    body = """
use codeset "codesets/telehealth-pos" release "cms-pos-2025" as tele

edit T-TELE "Telehealth"
  for each line where line.pos in codeset telehealt
  flag when always
  severity info
  message "tele"
end
"""
    assert errors(rules_dir, body) == (
        "test/1.rules:13:1: `codesets/telehealth-pos` is release cms-pos-2026, "
        "but this file asks for cms-pos-2025\n"
        "  hint: Pin the release written in the data file, or update the data.\n"
        "test/1.rules:16:43: `telehealt` is not declared\n"
        "      for each line where line.pos in codeset telehealt\n"
        "                                              ^\n"
        "  hint: Did you mean `tele`?"
    )


def test_rules_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMFLOW_RULES_DIR", str(tmp_path))
    assert default_rules_dir() == tmp_path
    monkeypatch.delenv("CLAIMFLOW_RULES_DIR")
    assert default_rules_dir() == Path(__file__).resolve().parents[2] / "payer_rules"


EFFECTIVE = """
edit T-LATE "Starts mid-year"
  effective 2026-07-01
  for each line
  flag when always
  severity info
  message "late"
end
"""


def test_edit_effective_date_narrows_the_window(rules_dir):
    from datetime import date

    ruleset = compile_one(rules_dir, EFFECTIVE)
    assert ruleset.scrub(claim({"procedure": "99213"})) == []
    july = claim({"procedure": "99213", "service_date": date(2026, 7, 2)})
    assert [f.message for f in ruleset.scrub(july)] == ["late"]


def test_edit_window_must_sit_inside_the_ruleset(rules_dir):
    body = EFFECTIVE.replace("effective 2026-07-01", "effective 2025-07-01")
    assert errors(rules_dir, body) == (
        "test/1.rules:13:1: Edit T-LATE is effective outside the ruleset's window\n"
        "  hint: An edit's window must sit inside the file's `effective` line."
    )


TABLE_GATEWAY = """
gateway after_835 "Outcome"
  when remit.denied_lines > 0: route by denial table
  otherwise: close claim
end
"""

SHADOWED = TABLE_GATEWAY + """
denial routing hit policy first
  | group | carc  | rarc | route  |
  | CO    | 16    | -    | fix    |
  | CO    | 16    | N290 | fix    |
  | -     | 97    | -    | fix    |
  | CO    | 97, 4 | -    | fix    |
  | -     | -     | -    | fix    |
end

route fix "Fix"
  resubmit as corrected claim
end

route spare "Never named anywhere"
  close claim
end
"""


def test_lint_unreachable_rows_and_unused_routes(rules_dir):
    assert errors(rules_dir, SHADOWED) == (
        "test/1.rules:21:3: warning: Row `CO | 16 | N290 | fix` can never be reached\n"
        "  hint: Line 20 (`CO | 16 | - | fix`) takes every denial it would; "
        "move it up or delete it.\n"
        "test/1.rules:31:1: warning: Route `spare` is never used\n"
        "  hint: Name it in a wait, gateway, table row or timely filing `exceptions`, "
        "or delete it."
    )


def test_lint_warnings_do_not_block_publishing(rules_dir):
    from dsl.registry import RuleRegistry

    write(rules_dir, "test/1.rules", HEADER + SHADOWED)
    registry = RuleRegistry.load(rules_dir)
    assert [r.ruleset_id for r in registry.rulesets] == ["TEST"]


def test_overlapping_windows_of_one_payer(rules_dir):
    write(rules_dir, "test/1.rules", HEADER)
    later = HEADER.replace('version "1"', 'version "2"').replace(
        "effective 2026-01-01 through 2026-12-31", "effective 2026-12-01"
    )
    write(rules_dir, "test/2.rules", later)
    assert format_diagnostics(check_files(rules_dir)) == (
        "test/2.rules:1:1: Ruleset TEST 2 overlaps 1 (test/1.rules)\n"
        "  hint: Windows of one payer must not overlap; end the older one first."
    )


OVERRIDE = """
use library "shared/professional-basics" version "1.0" as basics

override edit basics.UNITS-01
  flag when line.units < 1 or line.units > 99
  severity warning
  message "Line {line.number} bills {line.units} units"
end
"""


def test_override_replaces_only_the_items_given(rules_dir):
    ruleset = compile_one(rules_dir, OVERRIDE)
    (edit,) = [e for e in ruleset.edits if e.id == "basics.UNITS-01"]
    assert (edit.edit.subject, edit.edit.carc, edit.source) == (
        "line",
        "16",
        "test/1.rules:15",
    )
    found = ruleset.scrub(claim({"procedure": "99213", "units": "120"}))
    assert [(f.edit_id, f.severity, f.message, f.carc) for f in found] == [
        ("basics.UNITS-01", "warning", "Line 1 bills 120 units", "16")
    ]
    assert found[0].trace[0].text == "line.units < 1 or line.units > 99"


def test_override_mistakes(rules_dir):
    body = """
use library "shared/professional-basics" version "1.0" as basics

override edit basics.UNITS-02
  severity warning
end

override edit basics.ZIP-01
  flag when line.units > 1
end

disable edit basics.ZIP-01 reason "twice"
"""
    assert errors(rules_dir, body) == (
        "test/1.rules:15:1: `basics.UNITS-02` does not exist\n"
        "  hint: Library `basics` has: NPI-01, NPI-02, DX-01, DX-02, UNITS-01, "
        "DUP-01, PREV-AGE, ED-POS, ZIP-01.\n"
        "test/1.rules:19:1: `line.units` cannot be read here\n"
        "  hint: Add `for each line` to this edit.\n"
        "test/1.rules:23:1: `basics.ZIP-01` is disabled or overridden twice\n"
        "  hint: The first time is on line 19."
    )


INSTITUTIONAL = """
edit T-ER "Emergency room revenue lines need an outpatient bill type"
  for each line where line.revenue_code in [0450..0459]
  flag when claim.type_of_bill not in [131, 137, 138]
  severity error
  message "Revenue code {line.revenue_code} on type of bill {claim.type_of_bill}"
end

test "An ER line on an inpatient bill"
  given claim
    type institutional
    facility type 11
    line 1: revenue 0450 units 1
  expect edit T-ER on line 1
end

test "An ER line on an outpatient bill"
  given claim
    type institutional
    facility type 13
    line 1: revenue 0450
    line 2: 99283
  expect no edit T-ER
end
"""


def test_institutional_vocabulary(rules_dir):
    ruleset = compile_one(rules_dir, INSTITUTIONAL)
    from dsl.testing import run_ruleset_tests

    assert [r.passed for r in run_ruleset_tests(ruleset)] == [True, True]
    inpatient = claim({"procedure": "", "revenue": "0450"}, facility_type_code="11")
    assert [f.message for f in ruleset.scrub(inpatient)] == [
        "Revenue code 0450 on type of bill 111"
    ]
    bad = INSTITUTIONAL.replace("[0450..0459]", "[450]").replace("131,", "13,")
    assert errors(rules_dir, bad) == (
        "test/1.rules:14:45: `450` is not a valid revenue code\n"
        "      for each line where line.revenue_code in [450]\n"
        "                                                ^\n"
        "  hint: Revenue codes are 4 digits, e.g. 0450 or 0300.\n"
        "test/1.rules:15:40: `13` is not a valid type of bill\n"
        "      flag when claim.type_of_bill not in [13, 137, 138]\n"
        "                                           ^\n"
        "  hint: A type of bill is facility type and frequency, e.g. 131 or 111."
    )


def test_covid_u_codes_are_billable_icd10_cm():
    from dsl.codes import icd10_is_billable

    assert icd10_is_billable("U07.1") is True
    assert icd10_is_billable("U09.9") is True
    assert icd10_is_billable("U07") is False  # a category, not billable


UNIQUE = TABLE_GATEWAY + """
denial routing hit policy unique
  | group | carc   | rarc | route  |
  | CO    | 45     | -    | ignore |
  | CO    | 16, 97 | -    | fix    |
  | -     | 97     | N290 | review |
  | PR    | 1      | -    | fix    |
  | CO    | 45     | -    | fix    |
  | -     | -      | -    | review |
end

route fix "Fix"
  resubmit as corrected claim
end

route review "Review"
  escalate to queue "Coding"
end
"""


def test_unique_policy_rows_that_fit_one_denial(rules_dir):
    assert errors(rules_dir, UNIQUE) == (
        "test/1.rules:22:3: Rows on lines 21 and 22 both fit a denial "
        "`CO | 97 | N290`\n"
        "      | -     | 97     | N290 | review |\n"
        "      ^\n"
        "  hint: With `hit policy unique` a denial may fit one row only: make the "
        "codes of one row narrower, or use `hit policy first` to let the upper "
        "row win."
    )


def test_first_policy_keeps_order_for_the_same_rows(rules_dir):
    from test_dsl_runtime import facts

    from dsl.registry import compile_folder

    first = UNIQUE.replace("hit policy unique", "hit policy first")
    assert errors(rules_dir, first) == (
        "test/1.rules:24:3: warning: Row `CO | 45 | - | fix` can never be reached\n"
        "  hint: Line 20 (`CO | 45 | - | ignore`) takes every denial it would; "
        "move it up or delete it."
    )
    (ruleset,) = compile_folder(rules_dir)[0]
    both = facts(("CO", "97", "100.00"), remarks=["N290"])
    assert ruleset.denial_route(both) == "fix"  # line 21, the upper row, wins
    other = facts(("OA", "97", "100.00"), remarks=["N290"])
    assert ruleset.denial_route(other) == "review"


def test_unique_policy_without_overlaps_compiles(rules_dir):
    distinct = UNIQUE.replace("| -     | 97     | N290 |", "| OA    | 97     | N290 |")
    ruleset = compile_one(rules_dir, distinct)
    assert ruleset.denial_table.policy == "unique"


def test_misspelled_route_points_at_the_word(rules_dir):
    typo = UNIQUE.replace("| PR    | 1      | -    | fix    |", "| PR | 1 | - | fxi |")
    assert errors(rules_dir, typo).splitlines()[-4:] == [
        "test/1.rules:23:18: Route `fxi` is not defined",
        "      | PR | 1 | - | fxi |",
        "                     ^",
        "  hint: Did you mean `fix`?",
    ]


def test_misspelled_gateway_points_at_the_word(rules_dir):
    body = UNIQUE + """
after submission
  wait for 835 up to 30 days
    on received: go to gateway after_853
  end
end
"""
    assert errors(rules_dir, body).splitlines()[-4:] == [
        "test/1.rules:38:32: Gateway `after_853` is not defined",
        "        on received: go to gateway after_853",
        "                                   ^",
        "  hint: Did you mean `after_835`?",
    ]
