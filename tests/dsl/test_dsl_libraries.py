"""Libraries carry their own analyst tests; rulesets count them for shared edits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dsl_helpers import HEADER, SHIPPED, write

from dsl.builders import build_claim
from dsl.errors import RulesetError, format_diagnostics
from dsl.registry import RuleRegistry, compile_folder
from dsl.testing import check_files, format_report, run_tests

LIMITS = """\
code,mue,mai,release,source
A4550,1,1,t1,test row
G0438,1,2,t1,test row
"""

LIBRARY = """\
library "units"
version "1"
use table "tables/t-mue" release "t1" as limits

edit MUE "Units"
  check unit_limits using limits
  severity error
  message "{line.procedure}: {units} billed, limit {limit} (MAI {mai})"
end

edit ZERO "No zero units"
  for each line
  flag when line.units < 1
  severity error
  message "line {line.number} has no units"
end

test "Two trays on one line are over a per-line limit"
  given claim
    date of service 2026-03-10
    line 1: A4550 units 2
    line 2: G0438 units 0
  expect edit MUE on line 1
  expect edit ZERO on line 2
end

test "One tray on each of two lines is not summed (MAI 1)"
  given claim
    date of service 2026-03-10
    line 1: A4550 units 1
    line 2: A4550 units 1 modifiers 59
  expect no edits
end
"""

USES = 'use library "shared/units" version "1" as units\n'


def folder(tmp_path: Path, library: str = LIBRARY) -> Path:
    write(tmp_path, "tables/t-mue.csv", LIMITS)
    write(tmp_path, "shared/units.rules", library)
    return tmp_path


def test_a_library_runs_its_own_tests_with_its_own_tables(tmp_path):
    report = run_tests(folder(tmp_path))
    assert report.diagnostics == [] and report.ok
    (lib,) = report.files
    assert (lib.kind, lib.ruleset_id, lib.edits) == ("library", "units", 2)
    assert [(r.line, r.passed) for r in lib.results] == [(18, True), (27, True)]
    assert lib.coverage == {"MUE": (True, True), "ZERO": (True, True)}
    assert format_report(report) == (
        f"shared/units.rules: library units v1  edits=2  hash={lib.hash[:16]}\n"
        "  PASS  shared/units.rules:18  Two trays on one line are over a per-line "
        "limit\n"
        "  PASS  shared/units.rules:27  One tray on each of two lines is not summed "
        "(MAI 1)\n"
        "  coverage: 2 of 2 edits have a positive and a negative test\n"
        "2 passed, 0 failed"
    )


def test_a_failing_library_test_says_why(tmp_path):
    summed = LIBRARY.replace("units 1 modifiers 59", "units 1 on 2026-03-10")
    summed = summed.replace("expect no edits", "expect edit MUE on line 1")
    report = run_tests(folder(tmp_path, summed))
    (lib,) = report.files
    assert not report.ok
    assert format_report(report).splitlines()[2:] == [
        "  FAIL  shared/units.rules:27  One tray on each of two lines is not summed "
        "(MAI 1)",
        "        - expected edit MUE on line 1 but it did not fire; the mue table "
        "check found nothing",
        "  coverage: 0 of 2 edits have a positive and a negative test; no negative "
        "test: MUE, ZERO",
        "FAIL  2 edit(s) lack a test where they fire or one where they do not (see "
        "the coverage lines)",
        "1 passed, 1 failed",
    ]
    with pytest.raises(RulesetError) as caught:
        RuleRegistry.load(tmp_path)
    assert caught.value.failures == [
        "FAIL  shared/units.rules:27  One tray on each of two lines is not summed "
        "(MAI 1)\n"
        "      - expected edit MUE on line 1 but it did not fire; the mue table "
        "check found nothing"
    ]


def test_library_tests_need_a_date_and_can_only_expect_the_library_edits(tmp_path):
    bad = LIBRARY + """
test "Undated, aliased and a deadline"
  given claim
    line 1: A4550
  expect edit units.MUE
  expect no edit MUEE
  expect no edit OTHER
  expect new claim deadline 2026-06-01
end
"""
    assert format_diagnostics(check_files(folder(tmp_path, bad))) == (
        "shared/units.rules:35:1: Library test \"Undated, aliased and a deadline\" "
        "has no date of service\n"
        "  hint: A library has no effective window to date its test claims: add "
        "`date of service 2026-03-10` to the `given claim`.\n"
        "shared/units.rules:38:3: `units.MUE` is not an edit of library units\n"
        "      expect edit units.MUE\n"
        "      ^\n"
        "  hint: A library's own tests name its edits without an alias: `MUE`.\n"
        "shared/units.rules:39:3: `MUEE` is not an edit of library units\n"
        "      expect no edit MUEE\n"
        "      ^\n"
        "  hint: Did you mean `MUE`?\n"
        "shared/units.rules:40:3: `OTHER` is not an edit of library units\n"
        "      expect no edit OTHER\n"
        "      ^\n"
        "  hint: This library has: MUE, ZERO.\n"
        "shared/units.rules:41:3: A library test can only expect edits\n"
        "      expect new claim deadline 2026-06-01\n"
        "      ^\n"
        "  hint: A library has no timely filing, gateways or routes: test those in "
        "the payer file that uses it."
    )


def test_a_ruleset_counts_the_library_tests_but_tests_its_overrides(tmp_path):
    folder(tmp_path)
    own = """
override edit units.ZERO
  severity warning
end

test "A clean claim"
  given claim
    line 1: 99213
  expect no edits
end
"""
    write(tmp_path, "test/1.rules", HEADER + USES + own)
    report = run_tests(tmp_path)
    ruleset = report.files[1]
    assert ruleset.coverage == {"units.ZERO": (False, True)}
    assert ruleset.from_libraries == 1
    assert ruleset.coverage_line() == (
        "coverage: 0 of 1 edits have a positive and a negative test (and 1 library "
        "edits, tested in their library); no positive test: units.ZERO"
    )
    assert not report.ok
    fires = own + """
test "The override fires as a warning"
  given claim
    line 1: 99213 units 0
  expect edit units.ZERO on line 1
end
"""
    write(tmp_path, "test/1.rules", HEADER + USES + fires)
    assert run_tests(tmp_path).ok
    disabled = 'disable edit units.ZERO reason "not ours"\n' + own.split("\n\n")[1]
    write(tmp_path, "test/1.rules", HEADER + USES + disabled)
    report = run_tests(tmp_path)
    assert report.ok and report.files[1].coverage == {}


def test_the_shipped_unit_limits_fire_per_date_of_service(rules_dir):
    uses = 'use library "shared/ncci" version "2026.2" as ncci\n'
    write(rules_dir, "test/1.rules", HEADER + uses)
    (ruleset,), diags = compile_folder(rules_dir)
    assert diags == []
    spec = {
        "lines": [
            {"number": 1, "procedure": "G0422", "units": "4"},
            {"number": 2, "procedure": "G0422", "units": "3", "modifiers": ["59"]},
            {"number": 3, "procedure": "Q9980", "units": "50"},
        ]
    }
    (finding,) = ruleset.scrub(build_claim(spec, "TEST", date(2026, 3, 10)))
    assert (finding.edit_id, finding.line_number, finding.carc, finding.rarc) == (
        "ncci.MUE",
        1,
        "B5",
        "N362",
    )
    assert finding.message == "G0422: 7 units billed where the MUE allows 6 (MAI 2)"
    assert [(t.text, t.value) for t in finding.trace] == [
        ("units of G0422 (per date of service)", "7"),
        ("MUE limit", "6"),
        ("MAI", "2"),
        ("table row", "G0422 limit 6 MAI 2"),
        ("table release", "tables/mue-practitioner release cms-mue-2026.1"),
    ]
    assert finding.source == "shared/ncci.rules:27"


def test_every_shipped_mue_row_names_a_public_source_and_its_date():
    rows = [
        line
        for line in (SHIPPED / "tables/mue-practitioner.csv").read_text().splitlines()
        if line and not line.startswith(("#", "code,"))
    ]
    assert [row.split(",")[:3] for row in rows] == [
        ["G0422", "6", "2"],
        ["Q9980", "50", "3"],
    ]
    assert all("https://" in row and "2018-01-12" in row for row in rows)


def test_a_library_holding_a_payers_sections_is_told_so_once_each(tmp_path):
    bad = LIBRARY + """
timely filing
  new claim: 1 year after date of service
end

gateway paid "Paid?"
  otherwise: bill patient
end

test "A gateway is not a library's to test"
  given claim
    date of service 2026-03-10
    line 1: A4550
  expect gateway paid: bill patient
end
"""
    report = format_diagnostics(check_files(folder(tmp_path, bad)))
    assert report == (
        "shared/units.rules:35:1: A library cannot hold `timely filing`\n"
        "  hint: A library holds edits, tables and tests; move this section to the "
        "ruleset file of the payer it is for.\n"
        "shared/units.rules:39:1: A library cannot hold `gateway`\n"
        "  hint: A library holds edits, tables and tests; move this section to the "
        "ruleset file of the payer it is for.\n"
        "shared/units.rules:47:3: A library test can only expect edits\n"
        "      expect gateway paid: bill patient\n"
        "      ^\n"
        "  hint: A library has no timely filing, gateways or routes: test those in "
        "the payer file that uses it."
    )
