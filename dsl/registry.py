"""Load every rule file of a folder, check and compile it, select by payer and date."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dsl.build import build
from dsl.codes import preload_icd10
from dsl.errors import Diagnostic, NoRulesetError, RulesetError, errors_only
from dsl.hashing import canonical
from dsl.link import Linker
from dsl.model import RuleFile
from dsl.parser import parse_text
from dsl.runtime import CompiledRuleset

RULES_DIR_ENV = "CLAIMFLOW_RULES_DIR"


def default_rules_dir() -> Path:
    """``$CLAIMFLOW_RULES_DIR`` when set, else the repository's ``payer_rules/``."""
    override = os.environ.get(RULES_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "payer_rules"


def compile_folder(root: Path) -> tuple[list[CompiledRuleset], list[Diagnostic]]:
    """Parse, check and compile every ``*.rules`` file under ``root``.

    Args:
        root: The rules folder; file names in messages are relative to it.

    Returns:
        The rulesets that compiled cleanly, and every diagnostic of every file.
    """
    files: list[RuleFile] = []
    diags: list[Diagnostic] = []
    broken: set[str] = set()
    for path in sorted(root.rglob("*.rules")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        tree, syntax = parse_text(text, rel)
        if tree is None:
            diags += syntax
            broken.add(rel)
            continue
        rule_file, found = build(tree, text, rel, rel)
        rule_file.canonical = canonical(tree)
        files.append(rule_file)
        diags += found
    linker = Linker(root, files)
    for rule_file in files:
        linker.resolve(rule_file)
    diags += linker.diags
    bad = broken | {d.file for d in errors_only(diags)}
    compiled = []
    for rule_file in files:
        uses = {u.path + ".rules" for u in rule_file.uses if u.kind == "library"}
        if rule_file.kind == "ruleset" and rule_file.path not in bad and not uses & bad:
            compiled.append(linker.compile(rule_file))
    diags += _overlaps(compiled)
    return compiled, diags


def _overlaps(rulesets: list[CompiledRuleset]) -> list[Diagnostic]:
    found = []
    ordered = sorted(rulesets, key=lambda r: (r.ruleset_id, r.window[0]))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.ruleset_id != after.ruleset_id:
            continue
        end = before.window[1]
        if end is None or end >= after.window[0]:
            found.append(
                Diagnostic(
                    after.display,
                    1,
                    1,
                    f"Ruleset {after.ruleset_id} {after.version} overlaps "
                    f"{before.version} ({before.display})",
                    "Windows of one payer must not overlap; end the older one first.",
                    code="overlapping-windows",
                )
            )
    return found


class RuleRegistry:
    """Every compiled ruleset of a rules folder, found by payer and date or by hash."""

    def __init__(self, rulesets: list[CompiledRuleset], root: Path):
        self.root = root
        self.rulesets = sorted(rulesets, key=lambda r: (r.ruleset_id, r.window[0]))
        self._by_hash = {r.hash: r for r in self.rulesets}

    @classmethod
    def load(cls, path: Path | None = None) -> RuleRegistry:
        """Load, check and compile a rules folder, then run every analyst test.

        Args:
            path: The rules folder; defaults to :func:`default_rules_dir`.

        Returns:
            The registry.

        Raises:
            RulesetError: Any file has an error or any analyst test fails.
        """
        from dsl.testing import run_compiled_tests

        root = Path(path) if path is not None else default_rules_dir()
        rulesets, diags = compile_folder(root)
        diags = errors_only(diags)  # lint warnings do not stop a worker
        failures = []
        if not diags:
            for result in run_compiled_tests(rulesets):
                if not result.passed:
                    failures.append(result.describe())
        if diags or failures:
            raise RulesetError(diags, failures)
        uses_icd = any(
            text == "data ICD-10-CM"
            for ruleset in rulesets
            for edit in ruleset.edits
            for text, _ in edit.releases
        )
        if uses_icd:
            preload_icd10()  # load the release now, not on the first claim (~1.5 s)
        return cls(rulesets, root)

    def select(self, payer_id: str, key_date: date) -> CompiledRuleset:
        """The ruleset of ``payer_id`` whose effective window contains ``key_date``.

        Raises:
            NoRulesetError: No such ruleset is loaded.
        """
        mine = [r for r in self.rulesets if r.ruleset_id == payer_id]
        for ruleset in mine:
            if ruleset.covers(key_date):
                return ruleset
        windows = [f"{r.window[0]}..{r.window[1] or 'open'}" for r in mine]
        raise NoRulesetError(payer_id, key_date, windows)

    def by_hash(self, content_hash: str) -> CompiledRuleset:
        """The ruleset pinned by ``content_hash``.

        Raises:
            KeyError: No loaded ruleset has that hash.
        """
        try:
            return self._by_hash[content_hash]
        except KeyError:
            raise KeyError(f"No loaded ruleset has hash {content_hash}") from None
