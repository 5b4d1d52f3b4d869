"""Property tests: shipped rulesets never raise and always give the same answer."""

from __future__ import annotations

from datetime import date

from dsl_helpers import SHIPPED
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.builders import build_claim
from dsl.registry import compile_folder

RULESETS, _ = compile_folder(SHIPPED)
CODES = [
    "99213",
    "99214",
    "99284",
    "99396",
    "G0438",
    "G0439",
    "J3301",
    "85025",
    "72148",
]

line = st.fixed_dictionaries(
    {
        "procedure": st.sampled_from(CODES),
        "units": st.sampled_from(["0", "1", "2", "9"]),
        "pos": st.sampled_from(["11", "23", "02", "10"]),
        "modifiers": st.lists(
            st.sampled_from(["25", "59", "XU", "95", "76"]), max_size=2
        ),
    }
)
spec = st.fixed_dictionaries(
    {
        "lines": st.lists(line, min_size=1, max_size=5),
        "diagnoses": st.lists(
            st.sampled_from(["J06.9", "M54.5", "Z00.00", "R51"]), max_size=3
        ),
        "patient": st.fixed_dictionaries(
            {"age": st.integers(0, 99), "zip": st.sampled_from(["", "02139"])}
        ),
        "coverage": st.fixed_dictionaries(
            {"active": st.booleans(), "checked_days_ago": st.integers(0, 9)}
        ),
    }
)


@settings(max_examples=40, deadline=None)
@given(spec=spec, offset=st.integers(0, 1000))
def test_scrub_is_total_and_deterministic(spec, offset):
    for number, item in enumerate(spec["lines"], 1):
        item["number"] = number
    day = date.fromordinal(date(2025, 1, 1).toordinal() + offset)
    for ruleset in RULESETS:
        inp = build_claim(spec, ruleset.ruleset_id, day)
        first = ruleset.scrub(inp)
        assert ruleset.scrub(inp) == first
        keys = [(f.edit_id, f.line_number or 0) for f in first]
        assert keys == sorted(keys)
        assert ruleset.filing_deadline(inp.claim) > day


@settings(max_examples=40, deadline=None)
@given(spec=spec, offset=st.integers(0, 1000))
def test_generated_code_decides_like_the_closures(spec, offset):
    from dsl.fields import Env

    for number, item in enumerate(spec["lines"], 1):
        item["number"] = number
    day = date.fromordinal(date(2025, 1, 1).toordinal() + offset)
    for ruleset in RULESETS:
        inp = build_claim(spec, ruleset.ruleset_id, day)
        env = Env(inp.claim, inp.eligibility, inp.eligibility_checked_on, inp.as_of)
        for edit in ruleset.edits:
            if edit.edit.check is None:
                assert edit.subjects(env) == edit.reference_subjects(env), edit.id
        found = ruleset.scrub(inp)
        assert ruleset.decide(inp) == [(f.edit_id, f.line_number) for f in found]
