"""The analyst commands behind ``claimflow rules check|test|explain``.

Each command prints to stdout and returns the process exit code (0 when all is
well). ``claimflow/cli.py`` wires them to the command line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from claimflow.models import Claim, EligibilityResult
from dsl.claimfile import ClaimFileError, load_scrub_input, scrub_input_for
from dsl.errors import NoRulesetError, errors_only, format_diagnostics
from dsl.registry import compile_folder, default_rules_dir
from dsl.runtime import CompiledRuleset, ScrubInput
from dsl.scrub import Outcome
from dsl.testing import format_report, run_tests


def _folder(path: str | Path | None) -> Path:
    return Path(path) if path is not None else default_rules_dir()


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot be a rules folder, or None when it has rule files.

    A typo in a CI job's path must not pass as "0 files, 0 errors", and a
    worker pointed at an empty folder would serve no payer at all.
    """
    if not folder.is_dir():
        return f"no rules folder at {folder}"
    if next(folder.rglob("*.rules"), None) is None:
        return f"no .rules files in {folder}"
    return None


def check_command(path: str | Path | None = None) -> int:
    """Check every rule file of a folder and print every problem.

    Args:
        path: The rules folder; ``payer_rules/`` (or ``$CLAIMFLOW_RULES_DIR``)
            when ``None``.

    Returns:
        1 when any file has an error, else 0 (lint warnings alone give 0).
    """
    folder = _folder(path)
    problem = folder_problem(folder)
    if problem is not None:
        print(problem)
        return 1
    rulesets, diags = compile_folder(folder)
    if diags:
        print(format_diagnostics(diags))
    errors = len(errors_only(diags))
    files = len(list(folder.rglob("*.rules")))
    print(
        f"{files} files, {len(rulesets)} rulesets compiled: "
        f"{errors} errors, {len(diags) - errors} warnings"
    )
    return 1 if errors else 0


def test_command(path: str | Path | None = None) -> int:
    """Run every analyst test of a folder and print one line per test.

    Args:
        path: The rules folder, as for :func:`check_command`.

    Returns:
        0 when every file compiled, every test passed and every edit has a test
        where it fires and one where it does not, else 1.
    """
    folder = _folder(path)
    problem = folder_problem(folder)
    if problem is not None:
        print(problem)
        return 1
    report = run_tests(folder)
    print(format_report(report))
    return 0 if report.ok else 1


def explain_command(
    claim_file: str | Path,
    path: str | Path | None = None,
    payer_id: str | None = None,
) -> int:
    """Explain every edit's outcome for a claim JSON file.

    Args:
        claim_file: A scrub input or bare claim as JSON (see :mod:`dsl.claimfile`).
        path: The rules folder, as for :func:`check_command`.
        payer_id: The ruleset to use; the claim's payer when ``None``.

    Returns:
        0 when the claim was explained, 1 when the file or the rules are unusable.
    """
    try:
        inp = load_scrub_input(Path(claim_file))
    except ClaimFileError as exc:
        print(exc)
        return 1
    return _explain(inp, _folder(path), payer_id)


def explain_claim(
    claim: Claim,
    eligibility: EligibilityResult | None,
    as_of: date,
    checked_on: date | None = None,
    path: str | Path | None = None,
    payer_id: str | None = None,
) -> int:
    """Explain every edit's outcome for a claim loaded from the ledger.

    Args:
        claim: The claim.
        eligibility: Its latest 271 outcome; ``None`` to assume active coverage.
        as_of: The business date to evaluate on.
        checked_on: When eligibility was checked; ``as_of`` when ``None``.
        path: The rules folder, as for :func:`check_command`.
        payer_id: The ruleset to use; the claim's payer when ``None``.

    Returns:
        0 when the claim was explained, 1 when the rules are unusable.
    """
    inp = scrub_input_for(claim, eligibility, as_of, checked_on)
    return _explain(inp, _folder(path), payer_id)


def _explain(inp: ScrubInput, folder: Path, payer_id: str | None) -> int:
    rulesets, diags = compile_folder(folder)
    payer = payer_id or inp.claim.coverage.payer_id
    mine = [r for r in rulesets if r.ruleset_id == payer]
    key = inp.claim.from_date
    chosen = next((r for r in mine if r.covers(r.key_date(inp.claim, key))), None)
    if chosen is None:
        if errors_only(diags):
            print(format_diagnostics(errors_only(diags)))
        windows = [f"{r.window[0]}..{r.window[1] or 'open'}" for r in mine]
        print(NoRulesetError(payer, key, windows))
        return 1
    print(format_explanation(chosen, inp, chosen.explain(inp)))
    return 0


def format_explanation(
    ruleset: CompiledRuleset, inp: ScrubInput, outcomes: list[Outcome]
) -> str:
    """Render outcomes: a header, then one block per edit and subject.

    Args:
        ruleset: The ruleset that was run.
        inp: The claim and dates it ran on.
        outcomes: From :meth:`CompiledRuleset.explain`.

    Returns:
        The text, without a trailing newline.
    """
    fired = sum(o.outcome == "fired" for o in outcomes)
    out = [
        f"claim {inp.claim.claim_id} v{inp.claim.version}  payer "
        f"{inp.claim.coverage.payer_id}  date of service {inp.claim.from_date}  "
        f"as of {inp.as_of}",
        f"ruleset {ruleset.ruleset_id} v{ruleset.version} ({ruleset.display})  "
        f"hash {ruleset.hash[:16]}",
        f"{fired} fired, {len(outcomes) - fired} did not",
    ]
    for o in outcomes:
        out.append("")
        head = f"{o.outcome.upper() if o.outcome == 'fired' else o.outcome}: "
        head += f"{o.edit_id}  {o.subject}  ({o.source})"
        if o.finding is not None:
            head += f"  {o.finding.severity.value}"
        out.append(head)
        if o.finding is not None:
            out.append(f"  message: {o.finding.message}")
        for entry in o.trace:
            value = "(missing)" if entry.value is None else entry.value
            out.append(f"  {entry.text} = {value}")
    return "\n".join(out)
