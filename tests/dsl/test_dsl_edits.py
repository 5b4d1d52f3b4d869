"""Edit semantics: missing data, traces, built-in PTP/MUE checks, determinism."""

from __future__ import annotations

import itertools
from datetime import date

from dsl_helpers import HEADER, claim, compile_one, write

from claimflow.models import ConditionTrace
from dsl.parser import build_parser

UNITS_EDIT = """
edit T-UNITS "Office visits are one unit"
  for each line where line.procedure in [99211..99215]
  flag when line.units > 1
  unless line.modifiers has [76, 77]
  severity error
  denial carc 151
  message "{line.procedure} has {line.units} units"
  fix "Bill one unit"
end
"""


def test_grammar_builds_in_strict_mode():
    parser = build_parser(strict=True)
    assert parser.options.parser == "lalr"
    assert parser.options.propagate_positions is True


def test_finding_carries_source_trace_and_values(rules_dir):
    ruleset = compile_one(rules_dir, UNITS_EDIT)
    (finding,) = ruleset.scrub(claim({"procedure": "99213", "units": "3"}))
    assert finding.edit_id == "T-UNITS"
    assert finding.message == "99213 has 3 units"
    assert (finding.line_number, finding.carc, finding.fix) == (
        1,
        "151",
        "Bill one unit",
    )
    assert finding.source == "test/1.rules:13"
    assert finding.trace == [
        ConditionTrace(text="line.procedure in [99211..99215]", value=True),
        ConditionTrace(text="line.units > 1", value=True),
        ConditionTrace(text="line.modifiers has [76, 77]", value=False),
        ConditionTrace(text="line.procedure", value="99213"),
        ConditionTrace(text="line.units", value="3"),
        ConditionTrace(text="line.modifiers", value=None),
    ]


def test_unless_and_where_keep_an_edit_quiet(rules_dir):
    ruleset = compile_one(rules_dir, UNITS_EDIT)
    quiet = claim(
        {"procedure": "99213", "units": "2", "modifiers": ["76"]},
        {"procedure": "99283", "units": "2", "pos": "23"},
    )
    assert ruleset.scrub(quiet) == []


MISSING = """
edit T-EQ "Ordering NPI equals a value"
  flag when claim.ordering_npi = 1234567893
  severity error
  message "equal"
end

edit T-NE "Ordering NPI differs from a value"
  flag when claim.ordering_npi != 1234567893
  severity error
  message "differs"
end

edit T-MISSING "Ordering NPI is missing"
  flag when claim.ordering_npi is missing
  severity warning
  message "missing"
end

edit T-NOT "Negation of a comparison with missing data"
  flag when not (claim.ordering_npi = 1234567893)
  severity info
  message "negated"
end
"""


def test_missing_data_makes_comparisons_false(rules_dir):
    ruleset = compile_one(rules_dir, MISSING)
    absent = [f.edit_id for f in ruleset.scrub(claim({"procedure": "99213"}))]
    assert absent == ["T-MISSING", "T-NOT"]
    other = claim({"procedure": "99213"}, ordering_npi="1245319599")
    assert [f.edit_id for f in ruleset.scrub(other)] == ["T-NE", "T-NOT"]


PTP_TABLE = """\
column1,column2,effective,deletion,modifier_indicator,release,source
A0001,A0002,2020-01-01,,0,t1,test row
A0003,A0004,2020-01-01,,1,t1,test row
A0005,A0006,2020-01-01,,9,t1,test row
A0007,A0008,2020-01-01,2026-03-01,0,t1,test row deleted on 2026-03-01
"""

PTP_EDIT = """
use table "tables/t-ptp" release "t1" as pairs

edit T-PTP "Pairs"
  check ptp_pairs using pairs bypass modifiers [59, XU]
  severity error
  denial carc 97
  message "{col2.procedure} bundles into {col1.procedure} ({indicator})"
end
"""


def ptp_hits(rules_dir, *lines: dict) -> list[tuple[int | None, str]]:
    write(rules_dir, "tables/t-ptp.csv", PTP_TABLE)
    ruleset = compile_one(rules_dir, PTP_EDIT)
    return [(f.line_number, f.message) for f in ruleset.scrub(claim(*lines))]


def test_ptp_indicator_0_flags_even_with_a_modifier(rules_dir):
    hits = ptp_hits(
        rules_dir, {"procedure": "A0001"}, {"procedure": "A0002", "modifiers": ["59"]}
    )
    assert hits == [(2, "A0002 bundles into A0001 (0)")]


def test_ptp_indicator_1_is_bypassed_by_a_listed_modifier(rules_dir):
    plain = ptp_hits(rules_dir, {"procedure": "A0003"}, {"procedure": "A0004"})
    assert plain == [(2, "A0004 bundles into A0003 (1)")]
    with_xu = [{"procedure": "A0003", "modifiers": ["XU"]}, {"procedure": "A0004"}]
    assert ptp_hits(rules_dir, *with_xu) == []
    other_mod = [{"procedure": "A0003"}, {"procedure": "A0004", "modifiers": ["25"]}]
    assert ptp_hits(rules_dir, *other_mod) == [(2, "A0004 bundles into A0003 (1)")]


def test_ptp_indicator_9_never_flags(rules_dir):
    assert ptp_hits(rules_dir, {"procedure": "A0005"}, {"procedure": "A0006"}) == []


def test_ptp_needs_the_same_date_and_an_active_row(rules_dir):
    apart = [{"procedure": "A0001"}, {"procedure": "A0002", "service_date": None}]
    apart[1]["service_date"] = __import__("datetime").date(2026, 3, 3)
    assert ptp_hits(rules_dir, *apart) == []
    deleted = [{"procedure": "A0007"}, {"procedure": "A0008"}]
    assert ptp_hits(rules_dir, *deleted) == []  # DOS 2026-03-02, deleted 03-01


MUE_TABLE = """\
code,mue,mai,release,source
A4550,1,1,t1,test row
G0438,1,2,t1,test row
J3301,8,3,t1,test row
"""

MUE_EDIT = """
use table "tables/t-mue" release "t1" as limits

edit T-MUE "Units"
  check unit_limits using limits
  severity error
  message "{line.procedure}: {units} billed, limit {limit} (MAI {mai})"
end
"""


def mue_hits(rules_dir, *lines: dict) -> list[tuple[int | None, str]]:
    write(rules_dir, "tables/t-mue.csv", MUE_TABLE)
    ruleset = compile_one(rules_dir, MUE_EDIT)
    return [(f.line_number, f.message) for f in ruleset.scrub(claim(*lines))]


def test_mue_mai_1_counts_each_line_alone(rules_dir):
    two_lines = [{"procedure": "A4550"}, {"procedure": "A4550", "modifiers": ["76"]}]
    assert mue_hits(rules_dir, *two_lines) == []
    one_line = {"procedure": "A4550", "units": "2"}
    assert mue_hits(rules_dir, one_line) == [(1, "A4550: 2 billed, limit 1 (MAI 1)")]


def test_mue_mai_2_and_3_add_up_the_day(rules_dir):
    awv = [{"procedure": "G0438"}, {"procedure": "G0438", "modifiers": ["76"]}]
    assert mue_hits(rules_dir, *awv) == [(1, "G0438: 2 billed, limit 1 (MAI 2)")]
    drug = [{"procedure": "J3301", "units": "5"}, {"procedure": "J3301", "units": "4"}]
    assert mue_hits(rules_dir, *drug) == [(1, "J3301: 9 billed, limit 8 (MAI 3)")]
    at_limit = [
        {"procedure": "J3301", "units": "4"},
        {"procedure": "J3301", "units": "4"},
    ]
    assert mue_hits(rules_dir, *at_limit) == []


SHUFFLED = [
    UNITS_EDIT,
    """
edit T-ZIP "ZIP present"
  flag when patient.zip is missing
  severity error
  message "no ZIP"
end
""",
    """
edit T-DX "Every diagnosis billable"
  for each diagnosis
  flag when diagnosis is not valid icd10
  severity error
  message "{diagnosis} is not billable"
end
""",
    """
edit A-DUP "Duplicate"
  for each line
  flag when any other line where (other.procedure = line.procedure)
  severity warning
  message "{line.procedure} twice"
end
""",
]


def test_findings_do_not_depend_on_edit_order(rules_dir):
    sample = claim(
        {"procedure": "99213", "units": "2"},
        {"procedure": "99213"},
        diagnoses=["M54.5", "J06.9", "R51"],
        patient={"zip": ""},
    )
    seen = set()
    for order in itertools.permutations(SHUFFLED):
        ruleset = compile_one(rules_dir, "".join(order))
        found = ruleset.scrub(sample)
        # The source line moves with the declaration; nothing else may change.
        seen.add(tuple(f.model_dump_json(exclude={"source"}) for f in found))
    (only,) = seen
    assert [(f.edit_id, f.line_number, f.message) for f in found] == [
        ("A-DUP", 1, "99213 twice"),
        ("A-DUP", 2, "99213 twice"),
        ("T-DX", None, "M54.5 is not billable"),
        ("T-DX", None, "R51 is not billable"),
        ("T-UNITS", 1, "99213 has 2 units"),
        ("T-ZIP", None, "no ZIP"),
    ]


RANGES = """
edit T-RANGE "Codes in a range, with letters beside digits"
  for each line where line.procedure in [99211..99215, G0438]
  flag when line.modifiers has no [25]
  unless line.pos in [02, 10]
  severity info
  message "{line.procedure}"
end
"""


def test_generated_code_for_ranges_text_and_unless(rules_dir):
    ruleset = compile_one(rules_dir, RANGES)
    sample = claim(
        {"procedure": "99213"},
        {"procedure": "9921A"},
        {"procedure": "G0438", "modifiers": ["25"]},
        {"procedure": "99215", "pos": "02"},
        {"procedure": "G0438"},
    )
    assert ruleset.decide(sample) == [("T-RANGE", 1), ("T-RANGE", 5)]
    assert [f.line_number for f in ruleset.scrub(sample)] == [1, 5]
    (edit,) = ruleset.edits
    assert "9921A" not in edit.fast.source and "99213" not in edit.fast.source


MUE_Q2_TABLE = MUE_TABLE.replace(",t1,", ",t2,").replace("J3301,8,", "J3301,4,")

QUARTERS = """
use table "tables/t-mue" release "t1" as limits
use table "tables/t-mue-q2" release "t2" from 2026-04-01 as limits

edit T-MUE "Units"
  check unit_limits using limits
  severity error
  message "{line.procedure}: {units} billed, limit {limit} (MAI {mai})"
end
"""


def test_table_release_is_chosen_by_date_of_service(rules_dir):
    write(rules_dir, "tables/t-mue.csv", MUE_TABLE)
    write(rules_dir, "tables/t-mue-q2.csv", MUE_Q2_TABLE)
    ruleset = compile_one(rules_dir, QUARTERS)
    march = claim({"procedure": "J3301", "units": "6"})
    assert ruleset.scrub(march) == []
    april = claim(
        {"procedure": "J3301", "units": "6", "service_date": date(2026, 4, 1)}
    )
    (finding,) = ruleset.scrub(april)
    assert finding.message == "J3301: 6 billed, limit 4 (MAI 3)"
    assert [(t.text, t.value) for t in finding.trace] == [
        ("units of J3301 (per date of service)", "6"),
        ("MUE limit", "4"),
        ("MAI", "3"),
        ("table row", "J3301 limit 4 MAI 3"),
        ("table release", "tables/t-mue-q2 release t2"),
    ]


def test_dated_releases_are_for_table_checks_only(rules_dir):
    from dsl.errors import format_diagnostics
    from dsl.testing import check_files

    write(rules_dir, "tables/t-mue.csv", MUE_TABLE)
    write(rules_dir, "tables/t-mue-q2.csv", MUE_Q2_TABLE)
    body = (
        QUARTERS
        + """
edit T-LISTED "Codes with a limit"
  for each line where line.procedure in table limits
  flag when always
  severity info
  message "listed"
end
"""
    )
    write(rules_dir, "test/1.rules", HEADER + body)
    assert format_diagnostics(check_files(rules_dir)) == (
        "test/1.rules:23:47: `limits` changes release by date of service\n"
        "  hint: Only `check ptp_pairs` and `check unit_limits` tables may; "
        "give this code set one release."
    )


ICD_BY_DATE = """
edit T-DX "Every diagnosis billable on the date of service"
  for each diagnosis
  flag when diagnosis is not valid icd10
  severity error
  message "{diagnosis} is not billable"
end

edit T-DX-LINE "Checked on the line's own date"
  for each line
  flag when claim.diagnoses has [B37.31] and not (
    line.procedure is 99213 and B37.31 is valid icd10 on line.service_date)
  severity info
  message "B37.31 is not in the release of {line.service_date}"
end
"""


def test_icd10_release_follows_the_date_of_service(rules_dir):
    header = HEADER.replace("2026-01-01 through 2026-12-31", "2020-01-01")
    ruleset = compile_one(rules_dir, ICD_BY_DATE, header)
    codes = ["M54.5", "M54.50", "B37.3", "B37.31"]

    def flagged(day):
        sample = claim({"procedure": "99213", "service_date": day}, diagnoses=codes)
        return [f.message for f in ruleset.scrub(sample) if f.edit_id == "T-DX"]

    # M54.5 was split on 2021-10-01 (FY 2022); B37.3 on 2022-10-01 (FY 2023).
    assert flagged(date(2021, 9, 30)) == [
        "M54.50 is not billable",
        "B37.31 is not billable",
    ]
    assert flagged(date(2021, 10, 1)) == [
        "M54.5 is not billable",
        "B37.31 is not billable",
    ]
    assert flagged(date(2022, 10, 1)) == [
        "M54.5 is not billable",
        "B37.3 is not billable",
    ]
    assert flagged(date(2015, 9, 30)) == [f"{c} is not billable" for c in codes]


def test_icd10_trace_names_the_release_used(rules_dir):
    header = HEADER.replace("2026-01-01 through 2026-12-31", "2020-01-01")
    ruleset = compile_one(rules_dir, ICD_BY_DATE, header)
    sample = claim(
        {"procedure": "99213", "service_date": date(2022, 9, 30)},
        diagnoses=["B37.31"],
    )
    by_id = {f.edit_id: f for f in ruleset.scrub(sample)}
    releases = {
        f.edit_id: [t.value for t in f.trace if t.text == "data ICD-10-CM"]
        for f in by_id.values()
    }
    assert releases == {
        "T-DX": [
            "FY 2022: CDC ICD-10-CM April 2026 (simple-icd-10-cm 1.5.0) with the "
            "later changes of icd10cm-changes-2026.1 undone"
        ],
        "T-DX-LINE": [
            "FY 2022: CDC ICD-10-CM April 2026 (simple-icd-10-cm 1.5.0) with the "
            "later changes of icd10cm-changes-2026.1 undone"
        ],
    }
    later = claim(
        {"procedure": "99213", "service_date": date(2026, 10, 5)},
        diagnoses=["B37.31"],
    )
    assert ruleset.scrub(later) == []
    outcomes = ruleset.explain(later)
    (dx,) = [o for o in outcomes if o.edit_id == "T-DX"]
    assert [(t.text, t.value) for t in dx.trace][-1] == (
        "data ICD-10-CM",
        "FY 2027 is not shipped; CDC ICD-10-CM April 2026 (simple-icd-10-cm 1.5.0) "
        "used",
    )


def test_icd10_on_needs_a_date(rules_dir):
    body = ICD_BY_DATE.replace("on line.service_date", "on line.procedure")
    write(rules_dir, "test/1.rules", HEADER + body)
    from dsl.errors import format_diagnostics
    from dsl.testing import check_files

    assert format_diagnostics(check_files(rules_dir)) == (
        "test/1.rules:23:58: `is valid icd10 on ...` needs a date\n"
        "        line.procedure is 99213 and B37.31 is valid icd10 on line.procedure)\n"
        "                                                             ^\n"
        "  hint: Write `on claim.from_date`, `on line.service_date` or a date."
    )
