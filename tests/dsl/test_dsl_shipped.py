"""The rule files we ship: all load, all analyst tests pass, windows cover the demo."""

from __future__ import annotations

from datetime import date

import pytest
from dsl_helpers import SHIPPED

import dsl
from claimflow.models import Severity
from dsl.builders import build_claim
from dsl.registry import RuleRegistry
from dsl.testing import format_report, run_tests

PAYERS = [
    "MEDICARE",
    "MEDICAID",
    "DUAL",
    "HUMANA",
    "BCBS",
    "UHC",
    "AETNA",
    "CIGNA",
    "ANTHEM",
]


@pytest.fixture(scope="module")
def registry() -> RuleRegistry:
    return RuleRegistry.load(SHIPPED)


def test_public_api_is_pinned():
    assert dsl.__all__ == [
        "CompiledRuleset",
        "Diagnostic",
        "NoRulesetError",
        "RemitFacts",
        "RuleRegistry",
        "RulesetError",
        "ScrubInput",
        "TestReport",
        "check_files",
        "format_diagnostics",
        "format_report",
        "run_tests",
    ]


def test_every_shipped_file_loads_and_its_tests_pass():
    report = run_tests(SHIPPED)
    assert report.diagnostics == []
    assert [(f.kind, f.ruleset_id) for f in report.files] == [
        ("library", "ncci"),
        ("library", "professional-basics"),
    ] + [("ruleset", payer) for payer in sorted(PAYERS)]
    failed = [r.describe() for f in report.files for r in f.results if not r.passed]
    assert failed == []
    assert all(len(f.results) >= 4 for f in report.files)
    # Every shipped edit has a test where it fires and one where it does not:
    # the shared edits in their library, the payers' own edits in the payer file.
    assert {f.ruleset_id: f.uncovered for f in report.files} == {
        name: [] for name in ["ncci", "professional-basics", *PAYERS]
    }
    libraries = {f.ruleset_id: sorted(f.coverage) for f in report.files[:2]}
    assert libraries == {
        "ncci": ["MUE", "PTP"],
        "professional-basics": [
            "DUP-01",
            "DX-01",
            "DX-02",
            "ED-POS",
            "NPI-01",
            "NPI-02",
            "PREV-AGE",
            "UNITS-01",
            "ZIP-01",
        ],
    }
    medicare = next(f for f in report.files if f.ruleset_id == "MEDICARE")
    assert sorted(medicare.coverage) == [
        "ELIG-01",
        "ELIG-MA",
        "ELIG-MBI",
        "MCR-AWV-AGE",
        "MCR-PREV",
    ]
    assert medicare.from_libraries == 11
    assert report.ok
    assert (
        format_report(report).splitlines()[-1] == f"{report.counts[0]} passed, 0 failed"
    )


@pytest.mark.parametrize("payer", PAYERS)
@pytest.mark.parametrize(
    "day", [date(2025, 1, 1), date(2026, 6, 30), date(2027, 12, 31)]
)
def test_windows_cover_the_demo_dates(registry, payer, day):
    assert registry.select(payer, day).ruleset_id == payer


def test_contractual_write_down_alone_closes_every_payer(registry):
    from claimflow.models import Adjustment, RemitClaim
    from dsl.runtime import RemitFacts

    base = build_claim({"lines": []}, "X", date(2026, 3, 2))
    remit = RemitClaim(
        patient_control_number="C1V1",
        status_code="1",
        charge="100.00",
        paid="80.00",
        adjustments=[Adjustment(group="CO", reason="45", amount="20.00")],
    )
    facts = RemitFacts(claim=base.claim, remit=remit, expected_amount="80.00")
    for payer in PAYERS:
        ruleset = registry.select(payer, date(2026, 3, 2))
        assert [a.do for a in ruleset.after_remittance(facts, "after_835")] == ["close"]


@pytest.mark.parametrize(
    ("group", "carc", "route"),
    [
        ("PR", "1", "bill_patient"),
        ("PR", "3", "bill_patient"),
        ("CO", "16", "correct_and_resubmit"),
        ("CO", "97", "coding_review"),
        ("CO", "50", "medical_necessity"),
        ("CO", "29", "write_off_timely"),
        ("CO", "252", "human_review"),
    ],
)
def test_commercial_denial_routes(registry, group, carc, route):
    from claimflow.models import Adjustment, RemitClaim
    from dsl.runtime import RemitFacts

    base = build_claim({"lines": []}, "X", date(2026, 3, 2))
    remit = RemitClaim(
        patient_control_number="C1V1",
        status_code="4",
        charge="100.00",
        paid="0.00",
        adjustments=[Adjustment(group=group, reason=carc, amount="100.00")],
    )
    facts = RemitFacts(claim=base.claim, remit=remit)
    for payer in ["AETNA", "BCBS", "UHC", "CIGNA", "ANTHEM", "HUMANA", "MEDICARE"]:
        assert registry.select(payer, date(2026, 3, 2)).denial_route(facts) == route


def test_correct_and_resubmit_route_is_a_task_then_a_corrected_claim(registry):
    route = registry.select("UHC", date(2026, 3, 2)).plan.routes["correct_and_resubmit"]
    task, action = route.steps
    assert (task.kind, task.queue, str(task.due)) == (
        "task",
        "Billing-Corrections",
        "3 business days",
    )
    assert action.do == "resubmit"


def test_scrub_of_a_shipped_ruleset(registry):
    ruleset = registry.select("CIGNA", date(2025, 9, 10))
    spec = {
        "lines": [{"number": 1, "procedure": "99214", "units": "2"}],
        "patient": {"zip": ""},
        "coverage": {"active": False},
    }
    findings = ruleset.scrub(build_claim(spec, "CIGNA", date(2025, 9, 10)))
    assert [(f.edit_id, f.severity, f.line_number, f.message) for f in findings] == [
        (
            "CIG-EM-UNITS",
            Severity.ERROR,
            1,
            "99214 is billed with 2 units; an office visit is one unit",
        ),
        (
            "ELIG-01",
            Severity.ERROR,
            None,
            "Cigna coverage is not active on the date of service",
        ),
        ("basics.ZIP-01", Severity.ERROR, None, "The patient's ZIP code is missing"),
    ]
    assert findings[2].source == "shared/professional-basics.rules:80"


def test_report_of_a_broken_folder_is_not_ok(tmp_path):
    (tmp_path / "bad.rules").write_text('ruleset "X"\nedit\n')
    report = run_tests(tmp_path)
    assert not report.ok and report.files == []
    assert format_report(report) == (
        "bad.rules:1:1: Ruleset X has no `effective` line\n"
        "  hint: Add `effective 2026-01-01 by date of service`.\n"
        "bad.rules:1:1: Ruleset X has no `payer` line\n"
        "bad.rules:1:1: Ruleset X has no `version` line\n"
        "bad.rules:2:5: The file ends too early\n"
        "    edit\n"
        "        ^\n"
        "  hint: Expected a code or number, a library edit ID such as "
        "basics.DUP-01 or an edit ID such as ELIG-01.\n"
        "0 passed, 0 failed"
    )


def test_without_an_eligibility_answer_only_the_271s_facts_become_warnings(registry):
    # A mailbox clearinghouse has no real-time 271: eligibility is unknown.
    ruleset = registry.select("MEDICAID", date(2026, 3, 9))
    spec = {
        "lines": [{"number": 1, "procedure": "99213"}],
        "coverage": {"checked": None},
        "member_id": "",
    }
    inp = build_claim(spec, "MEDICAID", date(2026, 3, 9))
    assert inp.eligibility is None

    found = {f.edit_id: (f.severity, f.message) for f in ruleset.scrub(inp)}

    assert found["ELIG-01"] == (
        Severity.WARNING,
        "Eligibility not checked (no real-time 271 from the clearinghouse): "
        "Medicaid eligibility is not active on the date of service",
    )
    # The member ID is the claim's own data: still an error.
    assert found["ELIG-03"] == (Severity.ERROR, "The Medicaid recipient ID is missing")
