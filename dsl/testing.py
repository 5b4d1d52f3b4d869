"""The analyst test runner behind ``RuleRegistry.load`` and ``claimflow rules test``.

Each ``test`` block passes or fails; a failure says, in the analyst's own condition
text, what each condition evaluated to.

A library's own ``test`` blocks run on the library's edits alone, with its tables
and under the IDs the library gives them (``NPI-01``, not ``basics.NPI-01``); each
claim needs a ``date of service``, which is also the key date. So a shared edit is
tested once, in its library, and every ruleset that runs it unchanged counts it as
covered there; a ruleset tests its own edits and the library edits it overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claimflow.models import Finding
from dsl.builders import build_claim, build_remittance
from dsl.errors import Diagnostic, errors_only, format_diagnostics
from dsl.fields import Env
from dsl.model import Expectation, TestCase
from dsl.plan import add_duration
from dsl.registry import compile_folder, compile_rules, default_rules_dir
from dsl.runtime import CompiledRuleset, ScrubInput
from dsl.simulate import action_text, simulate

__all__ = [
    "FileReport",
    "TestReport",
    "TestResult",
    "check_files",
    "format_diagnostics",
    "format_report",
    "run_compiled_tests",
    "run_tests",
]


@dataclass
class TestResult:
    """One analyst test: where it is, whether it passed, and why not."""

    file: str
    line: int
    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``FAIL file:line name`` plus one line per unmet expectation."""
        head = (
            f"{'PASS' if self.passed else 'FAIL'}  {self.file}:{self.line}  {self.name}"
        )
        return "\n".join([head] + [f"      - {p}" for p in self.problems])


@dataclass
class FileReport:
    """One ruleset's or library's test results and which edits its tests cover.

    ``coverage`` maps each requirement and edit ID the file answers for to
    ``(positive, negative)``: whether a passing test expects it to fire
    (``expect edit``) and whether a passing test expects it not to (``expect no
    edit`` or ``expect no edits``). A ruleset answers for its own requirements
    and edits and for the library edits it overrides; the library edits it runs
    unchanged are tested in their library (``from_libraries`` counts them).
    """

    display: str
    ruleset_id: str
    version: str
    hash: str
    edits: int
    results: list[TestResult]
    coverage: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    kind: str = "ruleset"  # or "library"
    from_libraries: int = 0

    @property
    def uncovered(self) -> list[str]:
        """Edit IDs without a passing positive test or a passing negative one."""
        return sorted(k for k, both in self.coverage.items() if not all(both))

    def coverage_line(self) -> str:
        """``coverage: 3 of 12 ...`` with the IDs that lack a test of either kind."""
        both = sum(pos and neg for pos, neg in self.coverage.values())
        text = (
            f"coverage: {both} of {len(self.coverage)} edits have a positive "
            "and a negative test"
        )
        if self.from_libraries:
            text += (
                f" (and {self.from_libraries} library edits, tested in their library)"
            )
        for label, index in (("no positive test", 0), ("no negative test", 1)):
            missing = sorted(k for k, v in self.coverage.items() if not v[index])
            if missing:
                text += f"; {label}: " + ", ".join(missing)
        return text

    def header(self) -> str:
        """``file: ID vVERSION  edits=N  hash=...``; a library says so."""
        name = self.ruleset_id
        if self.kind == "library":
            name = f"library {name}"
        return (
            f"{self.display}: {name} v{self.version}  "
            f"edits={self.edits}  hash={self.hash[:16]}"
        )


@dataclass
class TestReport:
    """Results of every test of every ruleset, plus any file diagnostics."""

    files: list[FileReport]
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        """True when every file compiled, every test passed and every edit has a
        test where it fires and one where it does not.

        An edit nobody has seen fire may never fire (a typo in a code list, a
        table without the row it needs), so an untested edit fails the run just
        like a failing test.
        """
        ok = all(r.passed for f in self.files for r in f.results)
        covered = not any(f.uncovered for f in self.files)
        return ok and covered and not errors_only(self.diagnostics)

    @property
    def counts(self) -> tuple[int, int]:
        results = [r for f in self.files for r in f.results]
        good = sum(r.passed for r in results)
        return good, len(results) - good


def check_files(path: Path | None = None) -> list[Diagnostic]:
    """Parse, check and compile a rules folder without running tests.

    Args:
        path: The rules folder; defaults to the repository's ``payer_rules/``.

    Returns:
        Every diagnostic of every file (empty when all is well).
    """
    return compile_folder(Path(path) if path else default_rules_dir())[1]


def run_tests(path: Path | None = None) -> TestReport:
    """Compile a rules folder and run every analyst test of every ruleset.

    Args:
        path: The rules folder; defaults to the repository's ``payer_rules/``.

    Returns:
        The report; files with errors are listed in ``diagnostics`` instead.
    """
    compiled = compile_rules(Path(path) if path else default_rules_dir())
    files = []
    for r in compiled.libraries + compiled.rulesets:
        results = run_ruleset_tests(r)
        files.append(
            FileReport(
                r.display,
                r.ruleset_id,
                r.version,
                r.hash,
                len(r.edits),
                results,
                edit_coverage(r, results),
                r.kind,
                sum(e.library_edit is not None for e in r.edits),
            )
        )
    return TestReport(files, compiled.diagnostics)


def edit_coverage(
    ruleset: CompiledRuleset, results: list[TestResult]
) -> dict[str, tuple[bool, bool]]:
    """Which edits have a passing positive and a passing negative test.

    Args:
        ruleset: The compiled ruleset or library.
        results: Its test results, in the order of ``ruleset.tests``.

    Returns:
        Edit ID -> ``(positive, negative)``, for requirements and edits; a
        library edit that runs unchanged is left to its library's tests.
    """
    ids = [req.id for req, _ in ruleset.requirements] + [
        e.id for e in ruleset.edits if e.library_edit is None
    ]
    positive: set[str] = set()
    negative: set[str] = set()
    for case, result in zip(ruleset.tests, results, strict=True):
        if not result.passed:
            continue
        for exp in case.expectations:
            if exp.kind == "edit":
                positive.add(exp.args["id"])
            elif exp.kind == "no_edit":
                negative.add(exp.args["id"])
            elif exp.kind == "no_edits":
                negative.update(ids)
    return {i: (i in positive, i in negative) for i in ids}


def run_compiled_tests(rulesets: list[CompiledRuleset]) -> list[TestResult]:
    """Run the tests of already compiled rulesets."""
    return [result for r in rulesets for result in run_ruleset_tests(r)]


def format_report(report: TestReport) -> str:
    """Render a report: one header per file, one line per test, then a total."""
    out = []
    if report.diagnostics:
        out.append(format_diagnostics(report.diagnostics))
    for f in report.files:
        out.append(f.header())
        out += ["  " + r.describe().replace("\n", "\n  ") for r in f.results]
        out.append("  " + f.coverage_line())
    untested = sum(len(f.uncovered) for f in report.files)
    if untested:
        out.append(
            f"FAIL  {untested} edit(s) lack a test where they fire or one where "
            "they do not (see the coverage lines)"
        )
    good, bad = report.counts
    out.append(f"{good} passed, {bad} failed")
    return "\n".join(out)


# --------------------------------------------------------------------------- running


def run_ruleset_tests(ruleset: CompiledRuleset) -> list[TestResult]:
    """Run each ``test`` block of one ruleset."""
    return [_run(ruleset, case) for case in ruleset.tests]


def _run(ruleset: CompiledRuleset, case: TestCase) -> TestResult:
    scrub = case.claim_input or build_claim(
        case.claim or {"lines": []}, ruleset.ruleset_id, ruleset.window[0]
    )
    findings: list[Finding] | None = None
    problems = []
    for exp in case.expectations:
        if exp.kind in ("edit", "no_edit", "no_edits") and findings is None:
            findings = ruleset.scrub(scrub)
        problem = _check(ruleset, case, exp, scrub, findings)
        if problem:
            problems.append(problem)
    return TestResult(case.pos.file, case.pos.line, case.name, not problems, problems)


def _check(ruleset, case, exp: Expectation, scrub: ScrubInput, findings) -> str | None:
    args = exp.args
    if exp.kind == "edit":
        hits = [
            f
            for f in findings
            if f.edit_id == args["id"]
            and (args["line"] is None or f.line_number == args["line"])
        ]
        if hits:
            return None
        where = f" on line {args['line']}" if args["line"] else ""
        why = explain(ruleset, args["id"], scrub, args["line"])
        return f"expected edit {args['id']}{where} but it did not fire; {why}"
    if exp.kind == "no_edit":
        hits = [f for f in findings if f.edit_id == args["id"]]
        return f"expected no {args['id']} but got: {_describe(hits)}" if hits else None
    if exp.kind == "no_edits":
        return f"expected no edits but got: {_describe(findings)}" if findings else None
    if exp.kind in ("deadline", "warning"):
        kind = args["filing"]
        try:
            got = (
                ruleset.filing_deadline(scrub.claim, kind)
                if exp.kind == "deadline"
                else ruleset.filing_warning_date(scrub.claim, kind)
            )
        except (KeyError, ValueError) as exc:
            return f"expected {kind} {exp.kind} {args['date']} but: {exc.args[0]}"
        if got != args["date"]:
            dos = scrub.claim.from_date
            return (
                f"expected {kind} {exp.kind} {args['date']} but it is {got} "
                f"(date of service {dos})"
            )
        return None
    facts = build_remittance(_remit_spec(case), scrub)
    if exp.kind == "gateway":
        got = [action_text(a) for a in ruleset.after_remittance(facts, args["gateway"])]
        want = [action_text(a) for a in args["actions"]]
        return (
            None
            if got == want
            else f"expected gateway {args['gateway']}: {' then '.join(want)} "
            f"but got: {' then '.join(got)}"
        )
    return _check_action(ruleset, case, args, facts)


def _check_action(ruleset, case, args, facts) -> str | None:
    want = action_text(args["action"])
    if args["after"] is None:
        if args["action"].do != "route":
            return f"`expect {want}` needs `after <duration>` and a `given submission`"
        got = ruleset.denial_route(facts)
        return (
            None
            if got == args["action"].args[0]
            else f"expected route {args['action'].args[0]} "
            f"but the denial table gives {got}"
        )
    if case.submission is None:
        return (
            f"`expect {want} after {args['after']}` needs `given submission on <date>`"
        )
    start, events = case.submission
    log = simulate(ruleset.plan, start, events)
    when = add_duration(start, args["after"], ruleset.plan.holidays)
    if any(day == when and action_text(a) == want for day, a in log):
        return None
    seen = "; ".join(f"{action_text(a)} on {day}" for day, a in log) or "nothing"
    return (
        f"expected {want} on {when} ({args['after']} after {start}) "
        f"but the flow did: {seen}"
    )


def _remit_spec(case: TestCase) -> dict:
    spec = dict(case.remittance or {"adjustments": []})
    if case.claim and "expected_amount" in case.claim:
        spec.setdefault("expected_amount", case.claim["expected_amount"])
    return spec


def _describe(findings: list[Finding]) -> str:
    parts = []
    for f in findings:
        where = f" line {f.line_number}" if f.line_number else ""
        because = ", ".join(
            f"[{t.text}] was {t.value}" for t in f.trace if isinstance(t.value, bool)
        )
        parts.append(
            f"{f.edit_id}{where}: {f.message}"
            + (f"; because {because}" if because else "")
        )
    return " | ".join(parts)


def explain(
    ruleset: CompiledRuleset, edit_id: str, scrub: ScrubInput, line: int | None
) -> str:
    """Why an edit did not fire: each condition's text and value, per subject."""
    edit = next((e for e in ruleset.edits if e.id == edit_id), None)
    if edit is None:
        return f"{ruleset.ruleset_id} has no edit {edit_id}"
    key = ruleset.key_date(scrub.claim, scrub.as_of)
    if not edit.active_on(key):
        return f"{edit_id} is not effective on {key}"
    if edit.edit.check is not None:
        return f"the {edit.edit.check.kind} table check found nothing"
    env = Env(scrub.claim, scrub.eligibility, scrub.eligibility_checked_on, scrub.as_of)
    conds = [
        ("passed", edit.edit.where),
        ("flag", edit.edit.flag),
        ("unless", edit.edit.unless),
    ]
    subjects = [None]
    if edit.edit.subject == "line":
        subjects = [
            ln for ln in scrub.claim.lines if line is None or ln.line_number == line
        ]
    parts = []
    for subject in subjects:
        env.line = subject
        values = ", ".join(
            f"[{c.text}] was {bool(c.fn(env))}" for _, c in conds if c is not None
        )
        parts.append(f"line {subject.line_number}: {values}" if subject else values)
    return "; ".join(parts) or "no line matched"
