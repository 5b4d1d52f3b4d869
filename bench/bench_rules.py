"""Compiled payer rules against the same edits written by hand in Python.

Run: ``python bench/bench_rules.py [claims]``. Both sides see the same generated
claims in one run; the script checks that they flag the same (edit, line) pairs,
then prints microseconds per claim and the ratio. Nothing here is asserted on time.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

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


def by_hand(inp: ScrubInput) -> list[tuple[str, int]]:
    """The same four edits, written directly in Python."""
    found = []
    lines = inp.claim.lines
    for line in lines:
        if line.procedure in OFFICE and line.units > 1:
            found.append(("B-UNITS", line.line_number))
        if line.procedure in ED and line.place_of_service != "23":
            found.append(("B-ED", line.line_number))
        if line.place_of_service in ("02", "10") and not {"95", "93"} & set(
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


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bench.rules").write_text(RULES)
        (ruleset,), diags = compile_folder(Path(folder))
    assert not diags, diags
    claims = make_claims(count)

    started = time.perf_counter()
    compiled = [ruleset.scrub(c) for c in claims]
    dsl_seconds = time.perf_counter() - started
    started = time.perf_counter()
    manual = [by_hand(c) for c in claims]
    hand_seconds = time.perf_counter() - started

    same = all(
        sorted((f.edit_id, f.line_number) for f in got) == want
        for got, want in zip(compiled, manual, strict=True)
    )
    fired = sum(len(f) for f in compiled)
    print(f"claims: {count}, findings: {fired}, identical results: {same}")
    print(f"compiled rules: {dsl_seconds / count * 1e6:8.1f} us/claim")
    print(f"hand-written:   {hand_seconds / count * 1e6:8.1f} us/claim")
    print(f"ratio compiled/hand-written: {dsl_seconds / hand_seconds:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
