"""Exact diagnostics for the mistakes analysts make most (mutation tests)."""

from __future__ import annotations

from pathlib import Path

from dsl_helpers import write

from dsl.errors import format_diagnostics
from dsl.registry import compile_folder
from dsl.testing import check_files

BASE = """\
ruleset "TEST"
payer   "Test payer"
version "1"
effective 2026-01-01 through 2026-12-31 by date of service
use library "shared/professional-basics" version "1.0" as basics

timely filing
  new claim: 90 days after date of service
end

edit T-UNITS "Office visits are one unit"
  for each line where line.procedure in [99211..99215]
  flag when line.units > 1
  severity error
  message "{line.procedure} has {line.units} units"
end

gateway after_835 "Outcome"
  when remit.patient_responsibility > 0: bill patient
  otherwise: close claim
end
"""


def errors_for(folder: Path, text: str, rel: str = "test/1.rules") -> str:
    write(folder, rel, text)
    return format_diagnostics(check_files(folder))


def mutate(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_base_file_is_clean(rules_dir):
    assert errors_for(rules_dir, BASE) == ""


def test_misspelled_field(rules_dir):
    text = mutate("flag when line.units", "flag when line.unit")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:13:13: `line` has no field `unit`\n"
        "      flag when line.unit > 1\n"
        "                ^\n"
        "  hint: Did you mean `line.units`? Fields of line: number, procedure, "
        "modifiers, revenue_code, units, charge, pos, service_date, diagnosis_pointers"
    )


def test_misspelled_keyword(rules_dir):
    text = mutate("  severity error", "  severty error")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:14:3: Unknown word `severty`\n"
        "      severty error\n"
        "      ^\n"
        "  hint: Did you mean `severity`?"
    )


def test_missing_end_points_at_the_open_block(rules_dir):
    text = mutate('units"\nend\n', 'units"\n')
    assert errors_for(rules_dir, text) == (
        "test/1.rules:11:1: `edit` block started on line 11 is not closed\n"
        '    edit T-UNITS "Office visits are one unit"\n'
        "    ^\n"
        "  hint: Add `end` before `gateway` on line 17."
    )


def test_missing_end_at_end_of_file(rules_dir):
    text = BASE.removesuffix("end\n")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:18:1: `gateway` block started on line 18 is not closed\n"
        '    gateway after_835 "Outcome"\n'
        "    ^\n"
        "  hint: Add `end` at the end of the file."
    )


def test_number_without_unit(rules_dir):
    text = mutate("90 days after", "90 after")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:8:14: A number of time needs a unit.\n"
        "      new claim: 90 after date of service\n"
        "                 ^\n"
        "  hint: Write `90 days`, `90 business_days`, `90 months` or `90 years`."
    )


def test_gateway_without_otherwise(rules_dir):
    text = mutate("  otherwise: close claim\n", "")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:18:1: Gateway `after_835` has no `otherwise` branch\n"
        "  hint: A claim that matches no `when` would be stuck. "
        'Add `otherwise: escalate to queue "..."`.'
    )


def test_malformed_code_in_a_list(rules_dir):
    text = mutate("[99211..99215]", "[99211, 9921, 99215]")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:12:49: `9921` is not a valid CPT/HCPCS code\n"
        "      for each line where line.procedure in [99211, 9921, 99215]\n"
        "                                                    ^\n"
        "  hint: CPT/HCPCS codes are 5 characters, e.g. 99213 or G0438."
    )


def test_us_style_date(rules_dir):
    text = mutate("effective 2026-01-01", "effective 01/01/2026")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:4:11: Dates are written year-month-day.\n"
        "    effective 01/01/2026 through 2026-12-31 by date of service\n"
        "              ^\n"
        "  hint: Write 2026-01-01 (YYYY-MM-DD)."
    )


def test_impossible_date(rules_dir):
    text = mutate("through 2026-12-31", "through 2026-02-30")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:4:30: `2026-02-30` is not a real date\n"
        "    effective 2026-01-01 through 2026-02-30 by date of service\n"
        "                                 ^\n"
        "  hint: Check the month (01-12) and the day of that month."
    )


def test_library_version_mismatch(rules_dir):
    text = mutate('version "1.0" as basics', 'version "1.4" as basics')
    assert errors_for(rules_dir, text) == (
        "test/1.rules:5:1: Library `shared/professional-basics` is version 1.0, "
        "but this file asks for 1.4\n"
        "  hint: Pin the version you tested with, or update the library."
    )


def test_every_error_of_every_file_in_one_run(rules_dir):
    write(rules_dir, "other/1.rules", mutate("  severity error", "  severty error"))
    text = mutate("flag when line.units", "flag when line.unit")
    text = text.replace("when remit.patient_responsibility", "when remit.patient_resp")
    report = errors_for(rules_dir, text)
    firsts = [ln for ln in report.splitlines() if ln.startswith(("other", "test"))]
    assert firsts == [
        "other/1.rules:14:3: Unknown word `severty`",
        "test/1.rules:13:13: `line` has no field `unit`",
        "test/1.rules:19:8: `remit` has no field `patient_resp`",
    ]


def test_unknown_route_and_placeholder(rules_dir):
    text = mutate("bill patient", "route bill_patiant").replace(
        "{line.units} units", "{line.unit} units"
    )
    assert errors_for(rules_dir, text) == (
        "test/1.rules:15:11: Message placeholder `{line.unit}` is not a field\n"
        '      message "{line.procedure} has {line.unit} units"\n'
        "              ^\n"
        "  hint: Placeholders name fields, e.g. {line.procedure}.\n"
        "test/1.rules:19:48: Route `bill_patiant` is not defined\n"
        "      when remit.patient_responsibility > 0: route bill_patiant\n"
        "                                                   ^\n"
        '  hint: Add `route bill_patiant "..." ... end`.'
    )


def test_field_out_of_scope(rules_dir):
    text = mutate("  for each line where line.procedure in [99211..99215]\n", "")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:12:13: `line.units` cannot be read here\n"
        "      flag when line.units > 1\n"
        "                ^\n"
        "  hint: Add `for each line` to this edit.\n"
        "test/1.rules:14:11: `{line.procedure}` cannot be used in this edit\n"
        '      message "{line.procedure} has {line.units} units"\n'
        "              ^\n"
        "  hint: This edit runs for each claim.\n"
        "test/1.rules:14:11: `{line.units}` cannot be used in this edit\n"
        '      message "{line.procedure} has {line.units} units"\n'
        "              ^\n"
        "  hint: This edit runs for each claim."
    )


def test_keyword_glued_to_letters(rules_dir):
    text = mutate("90 days after", "90 dayz after")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:8:17: Unknown word `dayz`\n"
        "      new claim: 90 dayz after date of service\n"
        "                    ^\n"
        "  hint: Did you mean `day`?"
    )


def test_text_without_closing_quote(rules_dir):
    text = mutate('payer   "Test payer"', 'payer   "Test payer')
    assert errors_for(rules_dir, text) == (
        'test/1.rules:2:9: This text has no closing `"`\n'
        '    payer   "Test payer\n'
        "            ^\n"
        '  hint: Close the text on the same line with `"`.'
    )


def test_syntax_error_and_misspelled_field_in_one_run(rules_dir):
    text = mutate("  severity error", "  severty error").replace(
        "when remit.patient_responsibility", "when remit.patient_resp"
    )
    assert errors_for(rules_dir, text) == (
        "test/1.rules:14:3: Unknown word `severty`\n"
        "      severty error\n"
        "      ^\n"
        "  hint: Did you mean `severity`?\n"
        "test/1.rules:19:8: `remit` has no field `patient_resp`\n"
        "      when remit.patient_resp > 0: bill patient\n"
        "           ^\n"
        "  hint: Did you mean `remit.patient_responsibility`? Fields of remit: "
        "status, paid_amount, patient_responsibility, denied_lines, charge"
    )


def test_syntax_error_and_misspelled_field_in_the_same_block(rules_dir):
    # The line the parser stops at is blanked and the rest of the edit is
    # checked; its missing `severity` is not reported again.
    text = mutate("  severity error", "  severty error").replace(
        "flag when line.units", "flag when line.unit"
    )
    assert errors_for(rules_dir, text) == (
        "test/1.rules:13:13: `line` has no field `unit`\n"
        "      flag when line.unit > 1\n"
        "                ^\n"
        "  hint: Did you mean `line.units`? Fields of line: number, procedure, "
        "modifiers, revenue_code, units, charge, pos, service_date, "
        "diagnosis_pointers\n"
        "test/1.rules:14:3: Unknown word `severty`\n"
        "      severty error\n"
        "      ^\n"
        "  hint: Did you mean `severity`?"
    )


def test_a_blanked_for_each_line_is_not_echoed_as_out_of_scope_fields(rules_dir):
    text = mutate("for each line where", "for each lines where").replace(
        "  message", "  mesage"
    )
    assert errors_for(rules_dir, text) == (
        "test/1.rules:12:12: Unknown word `lines`\n"
        "      for each lines where line.procedure in [99211..99215]\n"
        "               ^\n"
        "  hint: Did you mean `line`?\n"
        "test/1.rules:15:3: Unknown word `mesage`\n"
        '      mesage "{line.procedure} has {line.units} units"\n'
        "      ^\n"
        "  hint: Did you mean `message`?"
    )


def test_errors_after_an_unclosed_block_are_found_too(rules_dir):
    close = "  otherwise: close claim"
    text = mutate('units"\nend\n', 'units"\n').replace(
        close, close + "\n  when remit.paid >: stop"
    )
    assert errors_for(rules_dir, text) == (
        "test/1.rules:11:1: `edit` block started on line 11 is not closed\n"
        '    edit T-UNITS "Office visits are one unit"\n'
        "    ^\n"
        "  hint: Add `end` before `gateway` on line 17.\n"
        "test/1.rules:20:20: Unexpected `:` here\n"
        "      when remit.paid >: stop\n"
        "                       ^\n"
        "  hint: Expected `diagnosis`, a code or number, a date like 2026-01-01, "
        'a field such as line.procedure or text in "double quotes".'
    )


def test_a_block_left_out_for_a_syntax_error_is_not_called_missing(rules_dir):
    text = BASE.replace("bill patient", "route patients") + (
        '\nroute patients "Bill the patient"\n  bill the patient\nend\n'
    )
    text = text.replace("  new claim: 90 days", "  new claim: 90 dayz")
    assert errors_for(rules_dir, text) == (
        "test/1.rules:8:17: Unknown word `dayz`\n"
        "      new claim: 90 dayz after date of service\n"
        "                    ^\n"
        "  hint: Did you mean `day`?\n"
        "test/1.rules:24:8: Unexpected `the` here\n"
        "      bill the patient\n"
        "           ^\n"
        "  hint: Expected `patient`."
    )
    rulesets, _ = compile_folder(rules_dir)
    assert [r.ruleset_id for r in rulesets] == []
