"""Helpers for the payer-rule language tests (a module of its own, not ``conftest``,
so that running tests/dsl with other test folders does not mix up helpers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dsl.builders import build_claim
from dsl.registry import compile_folder
from dsl.runtime import CompiledRuleset, ScrubInput

SHIPPED = Path(__file__).resolve().parents[2] / "payer_rules"

HEADER = """\
ruleset "TEST"
payer   "Test payer"
version "1"
effective 2026-01-01 through 2026-12-31 by date of service
use calendar "calendars/us-federal-holidays" release "5usc6103-2021" as federal

timely filing
  new claim: 90 days after date of service
  appeal:    60 days after denial date
  if deadline is not a business day: move to next business day
end
"""


def write(folder: Path, rel: str, text: str) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def compile_one(folder: Path, body: str, header: str = HEADER) -> CompiledRuleset:
    """Compile ``header + body`` as ``test/1.rules``; fail on any diagnostic."""
    write(folder, "test/1.rules", header + body)
    rulesets, diags = compile_folder(folder)
    assert [str(d) for d in diags] == []
    (ruleset,) = [r for r in rulesets if r.ruleset_id == "TEST"]
    return ruleset


def claim(*lines: dict, **facts) -> ScrubInput:
    """A scrub input built the way analyst tests build claims (DOS 2026-03-02)."""
    spec = {"lines": [{"number": i, **ln} for i, ln in enumerate(lines, 1)], **facts}
    return build_claim(spec, "TEST", date(2026, 3, 2))
