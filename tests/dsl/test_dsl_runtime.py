"""Deadlines, hashes, plans, gateways, denial routing and ruleset selection."""

from __future__ import annotations

from datetime import date

import pytest
from dsl_helpers import HEADER, claim, compile_one, write

from dsl.data import federal_holidays
from dsl.errors import DenialTableError, NoRulesetError, RulesetError
from dsl.plan import Action, Duration, FlowPlan
from dsl.registry import RuleRegistry, compile_folder
from dsl.runtime import RemitFacts

FLOW = """
after submission
  wait for 999 up to 1 business_day
    on accepted: continue
    on rejected: route fix
    on timeout: escalate to queue "EDI"
  end
  wait for 835 up to 30 days
    every 10 days: send 276
    on received: go to gateway after_835
    on timeout: escalate to queue "AR" within 2 business_days
  end
end

gateway after_835 "Outcome"
  when remit.denied_lines > 0: route by denial table
  when remit.patient_responsibility > 0: bill patient
  otherwise: close claim
end

denial routing hit policy first
  | group | carc    | rarc | route  |
  |-------|---------|------|--------|
  | CO    | 45      | -    | ignore |
  | PR    | 1, 2, 3 | -    | fix    |
  | CO    | 50      | N115 | fix    |
  | -     | -       | -    | people |
end

route fix "Fix"
  task "Correct" queue "Billing-Corrections"
    due in 3 business_days
  end
  resubmit as corrected claim
end

route people "People"
  escalate to queue "Denials" within 2 business_days
end
"""


def facts(*adjustments: tuple, paid="0.00", pr="0.00", remarks=()) -> RemitFacts:
    from claimflow.models import Adjustment, RemitClaim

    base = claim({"procedure": "99213"})
    remit = RemitClaim(
        patient_control_number="C1V1",
        status_code="1" if paid != "0.00" or pr != "0.00" else "4",
        charge="100.00",
        paid=paid,
        patient_responsibility=pr,
        adjustments=[
            Adjustment(group=g, reason=r, amount=a) for g, r, a in adjustments
        ],
        remarks=list(remarks),
    )
    return RemitFacts(claim=base.claim, remit=remit)


def test_federal_holidays_2026():
    assert federal_holidays(2026) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),  # July 4th is a Saturday
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]
    assert date(2021, 12, 31) in federal_holidays(2021)  # 2022-01-01 was a Saturday


def test_deadline_rolls_past_weekend_and_holiday(rules_dir):
    ruleset = compile_one(rules_dir, "")
    # 2026-04-06 + 90 days = Sunday 2026-07-05; Monday is a business day.
    dos = claim({"procedure": "99213", "service_date": date(2026, 4, 6)})
    assert ruleset.filing_deadline(dos.claim) == date(2026, 7, 6)
    # 2026-04-05 + 90 days = Saturday 2026-07-04 -> Monday 07-06 (07-03 is before).
    dos = claim({"procedure": "99213", "service_date": date(2026, 4, 5)})
    assert ruleset.filing_deadline(dos.claim) == date(2026, 7, 6)
    appeal = ruleset.filing_deadline(dos.claim, "appeal", anchor=date(2026, 9, 12))
    assert appeal == date(2026, 11, 12)  # 60 days lands on Veterans Day (Wed)
    with pytest.raises(ValueError, match="`appeal` counts from denial date"):
        ruleset.filing_deadline(dos.claim, "appeal")
    with pytest.raises(KeyError, match="TEST has no `reopening` filing limit"):
        ruleset.filing_deadline(dos.claim, "reopening")


def test_one_year_clamps_at_month_end(rules_dir):
    header = (
        HEADER.replace("2026-12-31", "2028-12-31")
        .replace("90 days", "1 year")
        .replace("  if deadline is not a business day: move to next business day\n", "")
    )
    ruleset = compile_one(rules_dir, "", header=header)
    leap = claim({"procedure": "99213", "service_date": date(2028, 2, 29)})
    assert ruleset.filing_deadline(leap.claim) == date(2029, 2, 28)
    assert ruleset.filing_warning_date(leap.claim) is None


def test_content_hash_ignores_layout_and_comments(rules_dir):
    plain = compile_one(rules_dir, FLOW).hash
    noisy = FLOW.replace("\n  ", "\n\t\t  # a comment line\n      ").replace(
        'route people "People"', 'route   people    "People"   # trailing comment'
    )
    assert compile_one(rules_dir, noisy).hash == plain


def test_content_hash_changes_with_rules_libraries_and_data(rules_dir):
    base = compile_one(rules_dir, FLOW).hash
    assert (
        compile_one(rules_dir, FLOW.replace("every 10 days", "every 11 days")).hash
        != base
    )
    uses_lib = 'use library "shared/professional-basics" version "1.0" as basics\n'
    with_lib = compile_one(rules_dir, uses_lib + FLOW).hash
    lib = rules_dir / "shared" / "professional-basics.rules"
    lib.write_text(lib.read_text().replace("line.units < 1", "line.units < 2"))
    assert compile_one(rules_dir, uses_lib + FLOW).hash != with_lib
    uses_set = 'use codeset "codesets/telehealth-pos" release "cms-pos-2026" as tele\n'
    with_set = compile_one(rules_dir, uses_set + FLOW).hash
    codeset = rules_dir / "codesets" / "telehealth-pos.csv"
    codeset.write_text(codeset.read_text().replace("10,cms", "27,cms"))
    assert compile_one(rules_dir, uses_set + FLOW).hash != with_set


def test_plan_is_plain_json(rules_dir):
    ruleset = compile_one(rules_dir, FLOW)
    plan = ruleset.plan
    assert FlowPlan.model_validate_json(plan.model_dump_json()) == plan
    wait_835 = plan.after_submission[1]
    assert wait_835.model_dump(exclude_none=True, exclude={"line"}) == {
        "wait_for": "835",
        "timeout": {"n": 30, "unit": "day"},
        "on": {
            "received": [
                {"kind": "action", "do": "goto", "args": ["after_835"], "line": 21}
            ],
            "timeout": [
                {
                    "kind": "action",
                    "do": "escalate",
                    "args": ["AR"],
                    "within": {"n": 2, "unit": "business_day"},
                    "line": 22,
                }
            ],
        },
        "every": [
            {
                "every": {"n": 10, "unit": "day"},
                "actions": [
                    {"kind": "action", "do": "send", "args": ["276"], "line": 20}
                ],
            }
        ],
    }
    assert plan.timely_filing.limits["new claim"] == Duration(n=90, unit="day")
    assert plan.timely_filing.roll_to_business_day is True
    assert date(2028, 11, 23) in plan.holidays and plan.ruleset_hash == ruleset.hash
    assert [s.kind for s in plan.routes["fix"].steps] == ["task", "action"]


def test_gateway_and_denial_table(rules_dir):
    ruleset = compile_one(rules_dir, FLOW)
    paid = facts(("CO", "45", "20.00"), paid="80.00")
    assert ruleset.after_remittance(paid, "after_835") == [Action(do="close", line=29)]
    coins = facts(("CO", "45", "20.00"), ("PR", "2", "16.00"), paid="64.00", pr="16.00")
    assert ruleset.after_remittance(coins, "after_835") == [
        Action(do="bill_patient", line=28)
    ]
    denied = facts(("CO", "50", "100.00"), remarks=["N115"])
    assert ruleset.after_remittance(denied, "after_835") == [
        Action(do="route", args=["fix"], line=27)
    ]
    assert ruleset.denial_route(facts(("CO", "50", "100.00"))) == "people"
    assert ruleset.denial_route(facts(("CO", "45", "100.00"))) == "people"
    assert (
        ruleset.denial_route(facts(("CO", "45", "5.00"), ("PR", "1", "95.00"))) == "fix"
    )


def test_unique_hit_policy_reports_double_matches(rules_dir):
    unique = FLOW.replace("hit policy first", "hit policy unique")
    ruleset = compile_one(rules_dir, unique)
    both = facts(("PR", "1", "50.00"), ("CO", "50", "50.00"), remarks=["N115"])
    with pytest.raises(DenialTableError, match=r"line 36 \(fix\), line 37 \(fix\)"):
        ruleset.denial_route(both)
    assert ruleset.denial_route(facts(("PR", "1", "50.00"))) == "fix"


def test_registry_selects_by_payer_and_date(rules_dir):
    write(rules_dir, "test/1.rules", HEADER + FLOW)
    later = HEADER.replace("2026-01-01 through 2026-12-31", "2027-01-01").replace(
        'version "1"', 'version "2"'
    )
    write(rules_dir, "test/2.rules", later + FLOW)
    registry = RuleRegistry.load(rules_dir)
    assert registry.select("TEST", date(2026, 12, 31)).version == "1"
    second = registry.select("TEST", date(2030, 1, 1))
    assert second.version == "2" and registry.by_hash(second.hash) is second
    with pytest.raises(NoRulesetError) as info:
        registry.select("TEST", date(2025, 12, 31))
    assert str(info.value) == (
        "No ruleset for payer 'TEST' covers 2025-12-31 "
        "(windows of 'TEST': 2026-01-01..2026-12-31, 2027-01-01..open)"
    )


def test_overlapping_windows_are_rejected(rules_dir):
    write(rules_dir, "test/1.rules", HEADER)
    write(rules_dir, "test/2.rules", HEADER.replace('version "1"', 'version "2"'))
    _, diags = compile_folder(rules_dir)
    assert [str(d) for d in diags] == [
        "test/2.rules:1:1: Ruleset TEST 2 overlaps 1 (test/1.rules)\n"
        "  hint: Windows of one payer must not overlap; end the older one first."
    ]


def test_a_failing_analyst_test_stops_the_registry(rules_dir):
    failing = """
test "Wrong deadline on purpose"
  given claim
    date of service 2026-03-02
  expect new claim deadline 2026-05-29
end
"""
    write(rules_dir, "test/1.rules", HEADER + failing)
    with pytest.raises(RulesetError) as info:
        RuleRegistry.load(rules_dir)
    assert info.value.diagnostics == []
    assert info.value.failures == [
        "FAIL  test/1.rules:13  Wrong deadline on purpose\n"
        "      - expected new claim deadline 2026-05-29 but it is 2026-06-01 "
        "(date of service 2026-03-02)"
    ]
