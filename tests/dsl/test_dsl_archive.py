"""A claim's pinned ruleset survives edits of its rule file (the publish archive)."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from dsl import RuleRegistry

RULES = Path(__file__).resolve().parents[2] / "payer_rules"


def test_a_pinned_hash_is_found_after_its_file_changed(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    archive = tmp_path / "archive"
    first = RuleRegistry.load(rules, archive=archive)
    pinned = first.select("MEDICAID", date(2026, 6, 1))
    deadline = pinned.plan.after_submission[-1].timeout

    # An analyst shortens the 835 wait in place: a new hash for new claims.
    path = rules / "medicaid" / "2026.1.rules"
    text = path.read_text()
    assert f"up to {deadline.n} days" in text
    path.write_text(text.replace(f"up to {deadline.n} days", "up to 30 days", 1))
    second = RuleRegistry.load(rules, archive=archive)
    current = second.select("MEDICAID", date(2026, 6, 1))
    assert current.hash != pinned.hash
    assert current.plan.after_submission[-1].timeout.n == 30

    # The claim that pinned the old hash still gets the old rules, from the archive.
    old = second.by_hash(pinned.hash)
    assert old.hash == pinned.hash
    assert old.plan.after_submission[-1].timeout.n == deadline.n
    assert len(list((archive / "snapshots").iterdir())) == 2


def test_an_unknown_hash_says_so():
    registry = RuleRegistry.load()
    with pytest.raises(KeyError, match="is loaded or archived"):
        registry.by_hash("0" * 64)
