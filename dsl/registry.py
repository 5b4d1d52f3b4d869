"""Load every rule file of a folder, check and compile it, select by payer and date."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dsl.build import build
from dsl.codes import preload_icd10
from dsl.errors import Diagnostic, NoRulesetError, RulesetError, errors_only
from dsl.hashing import canonical
from dsl.link import Linker
from dsl.model import RuleFile
from dsl.parser import parse_text
from dsl.recover import Recovered, recover
from dsl.runtime import CompiledRuleset

RULES_DIR_ENV = "CLAIMFLOW_RULES_DIR"
ARCHIVE_ENV = "CLAIMFLOW_RULES_ARCHIVE"


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
    compiled = compile_rules(root)
    return compiled.rulesets, compiled.diagnostics


@dataclass
class Compiled:
    """What :func:`compile_rules` found in a rules folder.

    Attributes:
        rulesets: The rulesets that compiled cleanly.
        libraries: Each clean library's edits alone, to run its own tests on
            (see :meth:`dsl.link.Linker.compile_library`).
        diagnostics: Every diagnostic of every file.
    """

    rulesets: list[CompiledRuleset]
    libraries: list[CompiledRuleset]
    diagnostics: list[Diagnostic]


def compile_rules(root: Path) -> Compiled:
    """:func:`compile_folder`, with the libraries compiled for their tests too."""
    files: list[RuleFile] = []
    diags: list[Diagnostic] = []
    broken: set[str] = set()
    recovered: dict[str, Recovered] = {}  # files with syntax errors, partly kept
    for path in sorted(root.rglob("*.rules")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        tree, syntax = parse_text(text, rel)
        partial = None
        if tree is None:
            diags += syntax
            broken.add(rel)
            partial = recover(text, rel, syntax)
            diags += partial.diagnostics
            if partial.tree is None:
                continue
            tree = partial.tree
            recovered[rel] = partial
        rule_file, found = build(tree, text, rel, rel)
        rule_file.canonical = canonical(tree)
        rule_file.lines = text.splitlines()
        rule_file.cut = partial.cut if partial else set()
        files.append(rule_file)
        diags += found
    linker = Linker(root, files)
    for rule_file in files:
        linker.resolve(rule_file)
    diags += linker.diags
    diags = [
        d for d in diags if d.file not in recovered or not recovered[d.file].echoes(d)
    ]
    bad = broken | {d.file for d in errors_only(diags)}
    compiled, libraries = [], []
    for rule_file in files:
        uses = {u.path + ".rules" for u in rule_file.uses if u.kind == "library"}
        if rule_file.path in bad or uses & bad:
            continue
        if rule_file.kind == "ruleset":
            compiled.append(linker.compile(rule_file))
        else:
            libraries.append(linker.compile_library(rule_file))
    diags += _overlaps(compiled)
    return Compiled(compiled, libraries, diags)


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


def _folder_digest(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def publish(root: Path, rulesets: list[CompiledRuleset], archive: Path) -> str:
    """Keep a copy of the rules folder, found by each of its rulesets' hashes.

    A claim pins its ruleset by content hash for its whole life. Rule files are
    edited in place, so what a hash names is kept here: the folder as it was
    (``snapshots/<digest>/``, written once, never changed) and one index file per
    ruleset hash naming the snapshot. Several workers may share the archive
    folder; every write is a rename of a finished file or folder.

    Returns:
        The snapshot's digest.
    """
    files = [
        (p.relative_to(root).as_posix(), p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]
    digest = _folder_digest(files)
    snapshot = archive / "snapshots" / digest
    if not snapshot.exists():
        archive.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=archive, prefix=".staging-"))
        for name, content in files:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(staging, snapshot)
        except OSError:  # another worker published the same folder first
            shutil.rmtree(staging, ignore_errors=True)
    index = archive / "index"
    index.mkdir(parents=True, exist_ok=True)
    for ruleset in rulesets:
        entry = index / ruleset.hash
        if not entry.exists():
            temporary = index / f".{ruleset.hash}.{os.getpid()}"
            temporary.write_text(digest)
            os.replace(temporary, entry)
    return digest


class RuleRegistry:
    """Every compiled ruleset of a rules folder, found by payer and date or by hash."""

    def __init__(
        self,
        rulesets: list[CompiledRuleset],
        root: Path,
        archive: Path | None = None,
    ):
        self.root = root
        self.archive = archive
        self.rulesets = sorted(rulesets, key=lambda r: (r.ruleset_id, r.window[0]))
        self._by_hash = {r.hash: r for r in self.rulesets}

    @classmethod
    def load(
        cls, path: Path | None = None, archive: Path | None = None
    ) -> RuleRegistry:
        """Load, check and compile a rules folder, then run every analyst test
        (the libraries' own tests too).

        Args:
            path: The rules folder; defaults to :func:`default_rules_dir`.
            archive: Where published rulesets are kept, so that a hash pinned by a
                running claim is found after its file changed (see
                :func:`publish`); ``$CLAIMFLOW_RULES_ARCHIVE`` when not given, and
                no archive when neither is set.

        Returns:
            The registry.

        Raises:
            RulesetError: Any file has an error or any analyst test fails.
        """
        from dsl.testing import run_compiled_tests

        root = Path(path) if path is not None else default_rules_dir()
        compiled = compile_rules(root)
        rulesets = compiled.rulesets
        diags = errors_only(compiled.diagnostics)  # lint warnings do not stop it
        failures = []
        if not diags:
            for result in run_compiled_tests(compiled.libraries + rulesets):
                if not result.passed:
                    failures.append(result.describe())
        if diags or failures:
            raise RulesetError(diags, failures)
        uses_icd = any(edit.reads_icd10 for r in rulesets for edit in r.edits)
        if uses_icd:
            preload_icd10()  # load the release now, not on the first claim (~1.5 s)
        if archive is None and os.environ.get(ARCHIVE_ENV):
            archive = Path(os.environ[ARCHIVE_ENV])
        if archive is not None:
            publish(root, rulesets, archive)
        return cls(rulesets, root, archive)

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

        A hash that is no longer in the rules folder is compiled from the archive
        snapshot it was published in (its tests passed when it was published).

        Raises:
            KeyError: Neither the rules folder nor the archive has that hash.
        """
        found = self._by_hash.get(content_hash)
        if found is not None:
            return found
        entry = self.archive / "index" / content_hash if self.archive else None
        if entry is None or not entry.exists():
            raise KeyError(f"No ruleset with hash {content_hash} is loaded or archived")
        snapshot = self.archive / "snapshots" / entry.read_text().strip()
        rulesets, _ = compile_folder(snapshot)
        for ruleset in rulesets:
            self._by_hash.setdefault(ruleset.hash, ruleset)
        if content_hash not in self._by_hash:
            raise KeyError(f"archive snapshot {snapshot.name} lacks {content_hash}")
        return self._by_hash[content_hash]
