"""claimflow's payer-rule language: parse, check, compile and run rule files.

Typical use::

    registry = RuleRegistry.load()          # every file of payer_rules/, tests run
    ruleset = registry.select("AETNA", claim.from_date)
    findings = ruleset.scrub(ScrubInput(claim=claim, eligibility=result,
                                        eligibility_checked_on=day, as_of=day))
"""

from dsl.errors import Diagnostic, NoRulesetError, RulesetError, format_diagnostics
from dsl.registry import RuleRegistry
from dsl.runtime import CompiledRuleset, RemitFacts, ScrubInput
from dsl.testing import TestReport, check_files, format_report, run_tests

__all__ = [
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
