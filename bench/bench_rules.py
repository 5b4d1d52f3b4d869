"""Compiled payer rules against the same edits written by hand in Python.

Run: ``python bench/bench_rules.py [claims]`` from the repository root. Both sides
see the same generated claims in one run, and two things are compared:

* findings: ``CompiledRuleset.scrub`` against hand-written Python that builds the
  very same ``Finding`` objects (message, source, trace with condition texts and
  field values), checked equal with ``==`` claim by claim. Both sides build findings
  the same way (trace entries handed to pydantic as dicts), so the ratio measures
  the rule engine, not two ways of constructing models.
* decisions: ``CompiledRuleset.decide`` against hand-written Python that only says
  which edit fires on which line.

Each side is timed several times, alternating, with the garbage collector paused
(as ``timeit`` does), and the fastest round counts (the usual way to keep other
processes' noise out). Nothing here is asserted on time.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from claimflow.models import Finding, Severity
from dsl.builders import build_claim
from dsl.registry import compile_folder
from dsl.runtime import ScrubInput

RULES = """
ruleset "BENCH"
payer "Bench"
version "1"
effective 2026-01-01 by date of service
timely filing
  new claim: 90 days after date of service
end

edit B-UNITS "Office visits are one unit"
  for each line where line.procedure in [99202..99205, 99211..99215]
  flag when line.units > 1
  severity error
  message "{line.procedure} has {line.units} units"
end

edit B-ED "Emergency visits need POS 23"
  for each line where line.procedure in [99281..99285]
  flag when line.pos is not 23
  severity error
  message "{line.procedure} at POS {line.pos}"
end

edit B-TELE "Telehealth needs modifier 95"
  for each line where line.pos in [02, 10]
  flag when line.modifiers has no [95, 93]
  severity error
  message "{line.procedure} without 95"
end

edit B-DUP "Duplicate line"
  for each line
  flag when any other line where (other.procedure = line.procedure
                                   and other.service_date = line.service_date)
  severity warning
  message "{line.procedure} twice"
end
"""

OFFICE = {f"{n}" for n in [*range(99202, 99206), *range(99211, 99216)]}
ED = {f"{n}" for n in range(99281, 99286)}
TELEHEALTH = {"02", "10"}
AUDIO_VIDEO = {"95", "93"}


def by_hand_decisions(inp: ScrubInput) -> list[tuple[str, int]]:
    """The four edits written directly in Python: which edit fires on which line."""
    found = []
    lines = inp.claim.lines
    for line in lines:
        if line.procedure in OFFICE and line.units > 1:
            found.append(("B-UNITS", line.line_number))
        if line.procedure in ED and line.place_of_service != "23":
            found.append(("B-ED", line.line_number))
        if line.place_of_service in TELEHEALTH and AUDIO_VIDEO.isdisjoint(
            line.modifiers
        ):
            found.append(("B-TELE", line.line_number))
        if any(
            o is not line
            and o.procedure == line.procedure
            and o.service_date == line.service_date
            for o in lines
        ):
            found.append(("B-DUP", line.line_number))
    return sorted(found)


def _finding(edit_id, severity, message, line, source, trace) -> Finding:
    return Finding(
        edit_id=edit_id,
        severity=severity,
        message=message,
        line_number=line.line_number,
        source=source,
        trace=[{"text": text, "value": value} for text, value in trace],
    )


def by_hand(inp: ScrubInput) -> list[Finding]:
    """The four edits written directly in Python, with the same findings and traces."""
    found = []
    lines = inp.claim.lines
    for line in lines:
        code, units, pos = line.procedure, line.units, line.place_of_service
        if code in OFFICE and units > 1:
            trace = [
                ("line.procedure in [99202..99205, 99211..99215]", True),
                ("line.units > 1", True),
                ("line.procedure", code),
                ("line.units", str(units)),
            ]
            message = f"{code} has {units} units"
            found.append(
                _finding(
                    "B-UNITS", Severity.ERROR, message, line, "bench.rules:10", trace
                )
            )
        if code in ED and pos != "23":
            trace = [
                ("line.procedure in [99281..99285]", True),
                ("line.pos is not 23", True),
                ("line.procedure", code),
                ("line.pos", pos),
            ]
            message = f"{code} at POS {pos}"
            found.append(
                _finding("B-ED", Severity.ERROR, message, line, "bench.rules:17", trace)
            )
        if pos in TELEHEALTH and AUDIO_VIDEO.isdisjoint(line.modifiers):
            trace = [
                ("line.pos in [02, 10]", True),
                ("line.modifiers has no [95, 93]", True),
                ("line.pos", pos),
                ("line.modifiers", ", ".join(line.modifiers) or None),
            ]
            message = f"{code} without 95"
            found.append(
                _finding(
                    "B-TELE", Severity.ERROR, message, line, "bench.rules:24", trace
                )
            )
        day = line.service_date
        if any(
            o is not line and o.procedure == code and o.service_date == day
            for o in lines
        ):
            trace = [
                (
                    "any other line where (other.procedure = line.procedure "
                    "and other.service_date = line.service_date)",
                    True,
                ),
                ("line.procedure", code),
                ("line.service_date", day.isoformat()),
            ]
            message = f"{code} twice"
            found.append(
                _finding(
                    "B-DUP", Severity.WARNING, message, line, "bench.rules:31", trace
                )
            )
    return sorted(found, key=lambda f: (f.edit_id, f.line_number))


def make_claims(count: int, seed: int = 7) -> list[ScrubInput]:
    rng = random.Random(seed)
    codes = ["99213", "99214", "99283", "99285", "97110", "G0438", "85025"]
    claims = []
    for _ in range(count):
        start = date(2026, 1, 5) + timedelta(days=rng.randrange(300))
        lines = [
            {
                "number": n,
                "procedure": rng.choice(codes),
                "units": str(rng.choice([1, 1, 1, 2])),
                "pos": rng.choice(["11", "11", "23", "02", "10"]),
                "modifiers": rng.choice([[], [], ["95"], ["25"]]),
            }
            for n in range(1, rng.randint(1, 6) + 1)
        ]
        claims.append(build_claim({"lines": lines}, "BENCH", start))
    return claims


def best_of(rounds: int, *jobs):
    """Run each job ``rounds`` times, alternating; the fastest time of each."""
    best = [float("inf")] * len(jobs)
    results = [None] * len(jobs)
    for _ in range(rounds):
        for index, job in enumerate(jobs):
            results[index] = None
            gc.collect()
            gc.disable()  # as timeit does: collector pauses are not the code's cost
            try:
                started = time.perf_counter()
                results[index] = job()
                best[index] = min(best[index], time.perf_counter() - started)
            finally:
                gc.enable()
    return best, results


def main(count: int, rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bench.rules").write_text(RULES)
        (ruleset,), diags = compile_folder(Path(folder))
    assert not diags, diags
    claims = make_claims(count)

    (dsl_s, hand_s), (compiled, manual) = best_of(
        rounds,
        lambda: [ruleset.scrub(c) for c in claims],
        lambda: [by_hand(c) for c in claims],
    )
    (dsl_d, hand_d), (decided, hand_decided) = best_of(
        rounds,
        lambda: [ruleset.decide(c) for c in claims],
        lambda: [by_hand_decisions(c) for c in claims],
    )
    same = compiled == manual
    same_decisions = (
        decided
        == hand_decided
        == [[(f.edit_id, f.line_number) for f in got] for got in compiled]
    )
    fired = sum(len(f) for f in compiled)
    print(f"claims: {count}, findings: {fired}, best of {rounds} rounds")
    print(f"identical findings: {same}, identical decisions: {same_decisions}")
    print(f"findings  compiled: {dsl_s / count * 1e6:7.1f} us/claim   ", end="")
    print(f"hand-written: {hand_s / count * 1e6:7.1f} us/claim   ", end="")
    print(f"ratio: {dsl_s / hand_s:.2f}x")
    print(f"decisions compiled: {dsl_d / count * 1e6:7.1f} us/claim   ", end="")
    print(f"hand-written: {hand_d / count * 1e6:7.1f} us/claim   ", end="")
    print(f"ratio: {dsl_d / hand_d:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
