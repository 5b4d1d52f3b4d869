"""Diagnostics for payer-rule files and the exceptions the runtime raises.

A diagnostic reads like a compiler message an analyst can act on::

    aetna/2026.1.rules:12:3: Unknown word `severty`
        severty warning
        ^
      hint: Did you mean `severity`?
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a rule file.

    Attributes:
        file: The file name as shown to the analyst.
        line: 1-based line number.
        column: 1-based column number.
        message: One plain sentence.
        hint: What to type instead, or an empty string.
        source_line: The analyst's line, shown with a caret when ``caret`` is true.
        code: A stable kebab-case identifier of the kind of problem.
        caret: Whether to show the source line with a caret.
        severity: ``error`` blocks compiling and publishing the file; ``warning``
            (lint) is reported but does not.
    """

    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    source_line: str = ""
    code: str = "rule-error"
    caret: bool = False
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        """True unless this is a lint warning."""
        return self.severity == "error"

    def __str__(self) -> str:
        return format_diagnostic(self)


def format_diagnostic(diag: Diagnostic) -> str:
    """Render one diagnostic as ``file:line:col: message`` plus caret and hint.

    Args:
        diag: The diagnostic to render.

    Returns:
        The text, without a trailing newline.
    """
    label = "" if diag.is_error else "warning: "
    out = [f"{diag.file}:{diag.line}:{diag.column}: {label}{diag.message}"]
    if diag.caret and diag.source_line:
        out.append("    " + diag.source_line.rstrip())
        out.append("    " + " " * (diag.column - 1) + "^")
    if diag.hint:
        out.append(f"  hint: {diag.hint}")
    return "\n".join(out)


def errors_only(diags: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that are errors (lint warnings left out)."""
    return [d for d in diags if d.is_error]


def format_diagnostics(diags: list[Diagnostic]) -> str:
    """Render several diagnostics, one block each, sorted by file and position.

    Args:
        diags: Diagnostics from any number of files.

    Returns:
        The text; empty when there is nothing to report.
    """
    ordered = sorted(diags, key=lambda d: (d.file, d.line, d.column, d.message))
    return "\n".join(format_diagnostic(d) for d in ordered)


class RulesetError(Exception):
    """Rule files have errors or failing analyst tests; the worker must not start.

    Attributes:
        diagnostics: Every problem found, in every file.
        failures: Text of each failing analyst test.
    """

    def __init__(self, diagnostics: list[Diagnostic], failures: list[str] = ()):
        self.diagnostics = list(diagnostics)
        self.failures = list(failures)
        parts = [format_diagnostics(self.diagnostics)] if self.diagnostics else []
        parts.extend(self.failures)
        count = len(self.diagnostics) + len(self.failures)
        super().__init__(f"{count} problem(s) in payer rules\n" + "\n".join(parts))


class NoRulesetError(LookupError):
    """No ruleset of the payer covers the key date."""

    def __init__(self, payer_id: str, key_date: date, known: list[str]):
        self.payer_id = payer_id
        self.key_date = key_date
        where = ", ".join(known) if known else "none loaded"
        super().__init__(
            f"No ruleset for payer {payer_id!r} covers {key_date.isoformat()} "
            f"(windows of {payer_id!r}: {where})"
        )


class DenialTableError(RuntimeError):
    """A `hit policy unique` denial table matched more than one row."""
