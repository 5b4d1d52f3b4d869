"""Turn a parse tree into a checked :class:`~dsl.model.RuleFile` with closures.

This is a lark ``Transformer`` run after parsing (``v_args(meta=True)`` does not work
in the in-parser transformer). Semantic problems found on the way are collected as
diagnostics rather than raised, so one run reports every mistake in a file.
"""

from __future__ import annotations

import re
from datetime import date

from lark import Token, Transformer, Tree, v_args

from dsl.build_conditions import ConditionsMixin
from dsl.build_flow import FlowMixin
from dsl.build_tests import TestsMixin
from dsl.codes import shape_problem
from dsl.conditions import Cond, Pos
from dsl.errors import Diagnostic
from dsl.fields import FIELDS
from dsl.model import (
    Check,
    Disable,
    Edit,
    Message,
    Override,
    Requirement,
    RuleFile,
    Use,
)

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")
_CHECK_PLACEHOLDERS = {
    "ptp": {"col1.procedure", "col2.procedure", "indicator"},
    "mue": {"units", "limit", "mai"},
}


@v_args(meta=True)
class _Base(Transformer):
    def __init__(self, text: str, display: str, path: str):
        super().__init__()
        self.text = text
        self.lines = text.splitlines()
        self.display = display
        self.diags: list[Diagnostic] = []
        self.file = RuleFile(path=path, display=display)
        self.data = self.file.data

    # helpers shared by the mixins ------------------------------------------------

    def pos(self, meta) -> Pos:
        text = self.text[meta.start_pos : meta.end_pos]
        return Pos(self.display, meta.line, meta.column, text)

    def pos_of(self, tok: Token) -> Pos:
        return Pos(self.display, tok.line, tok.column, str(tok))

    def error(
        self, pos: Pos, message: str, hint: str = "", code="rule-error", caret=True
    ):
        source = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else ""
        self.diags.append(
            Diagnostic(
                self.display, pos.line, pos.column, message, hint, source, code, caret
            )
        )

    def unquote(self, tok: Token) -> str:
        return str(tok)[1:-1].replace('\\"', '"').replace("\\\\", "\\")

    def check_date(self, tok: Token) -> date | None:
        text = str(tok)
        if tok.type == "USDATE":
            month, day, year = (int(p) for p in text.split("/"))
            year = year + 2000 if year < 100 else year
            self.error(
                self.pos_of(tok),
                "Dates are written year-month-day.",
                f"Write {year:04d}-{month:02d}-{day:02d} (YYYY-MM-DD).",
                "us-date",
            )
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.error(
                self.pos_of(tok),
                f"`{text}` is not a real date",
                "Check the month (01-12) and the day of that month.",
                "impossible-date",
            )
            return None

    def date(self, meta, children):
        return self.check_date(children[0])

    def set_once(self, attr: str, value, meta) -> None:
        if getattr(self.file, attr) not in (None, []):
            self.error(self.pos(meta), "This section is given twice in one file", "")
        setattr(self.file, attr, value)

    def section(self, title: str, meta) -> None:
        self.file.sections.setdefault(title, self.pos(meta))

    def route_ref(self, tok: Token) -> None:
        self.file.route_refs.append((str(tok), self.pos_of(tok)))

    def data_ref(self, alias: str, kind: str, pos: Pos) -> None:
        self.file.data_refs.append((alias, kind, pos))

    def only_claim_fields(self, cond: Cond, where: str) -> None:
        for path in cond.paths:
            needs = FIELDS[path].needs if path in FIELDS else "claim"
            if needs not in ("claim", "remit"):
                self.error(
                    cond.pos,
                    f"`{path}` cannot be read in {where}",
                    "Use claim.* or remit.* fields here.",
                )

    def message(self, tok: Token) -> Message:
        text = self.unquote(tok)
        return Message(text, _PLACEHOLDER.findall(text), self.pos_of(tok))


@v_args(meta=True)
class Builder(ConditionsMixin, FlowMixin, TestsMixin, _Base):
    """Header, eligibility and edit callbacks; the rest come from the mixins."""

    def ruleset_decl(self, meta, children):
        self._name("ruleset", children[0], meta)

    def library_decl(self, meta, children):
        self._name("library", children[0], meta)

    def _name(self, kind: str, tok: Token, meta) -> None:
        if self.file.name:
            self.error(self.pos(meta), "A file declares one `ruleset` or `library`", "")
        self.file.kind, self.file.name = kind, self.unquote(tok)
        self.file.name_pos = self.pos(meta)

    def payer_decl(self, meta, children):
        self.file.payer = self.unquote(children[0])

    def version_decl(self, meta, children):
        self.file.version = self.unquote(children[0])

    def replaces_decl(self, meta, children):
        self.file.replaces = self.unquote(children[0])

    def effective_decl(self, meta, children):
        start, *rest = children
        through = rest[0] if len(rest) == 2 else None
        basis = rest[-1]
        if start and through and through < start:
            self.error(self.pos(meta), "The window ends before it starts", "")
        self.file.effective = (start, through, basis)
        self.file.effective_pos = self.pos(meta)

    def use_library(self, meta, children):
        path, version, alias = children
        use = Use(
            "library",
            self.unquote(path),
            self.unquote(version),
            str(alias),
            self.pos(meta),
        )
        self.file.uses.append(use)

    def use_data(self, meta, children):
        kind, path, release, *since, alias = children
        use = Use(
            kind,
            self.unquote(path),
            self.unquote(release),
            str(alias),
            self.pos(meta),
            since[0] if since else None,
        )
        self.file.uses.append(use)

    # ------------------------------------------------------------------ eligibility

    def edit_id(self, meta, children):
        return str(children[0])

    def requirement(self, meta, children):
        cond, severity, edit_id, text = children
        self.only_claim_fields(cond, "an eligibility requirement")
        req = Requirement(cond, severity, edit_id, self.message(text), self.pos(meta))
        self.file.requirements.append(req)

    def eligibility(self, meta, children):
        self.section("eligibility", meta)
        return None

    # ------------------------------------------------------------------ edits

    def edit_effective(self, meta, children):
        through = children[1] if len(children) > 1 else None
        return ("effective", (children[0], through))

    def for_each_line(self, meta, children):
        return ("subject", ("line", children[0] if children else None))

    def for_each_diagnosis(self, meta, children):
        return ("subject", ("diagnosis", None))

    def flag_when(self, meta, children):
        return ("flag", children[0])

    def unless(self, meta, children):
        return ("unless", children[0])

    def edit_severity(self, meta, children):
        return ("severity", children[0])

    def edit_denial(self, meta, children):
        for kind, tok in zip(("carc", "rarc"), children, strict=False):
            problem = self._shape(kind, tok)
            if problem:
                self.error(self.pos_of(tok), *problem, code="malformed-code")
        return ("denial", tuple(str(t) for t in children))

    def _shape(self, kind, tok):
        return shape_problem(kind, str(tok))

    def edit_message(self, meta, children):
        return ("message", self.message(children[0]))

    def edit_fix(self, meta, children):
        return ("fix", self.unquote(children[0]))

    def check_ptp(self, meta, children):
        table, *rest = children
        self.data_ref(str(table), "ptp", self.pos_of(table))
        bypass = [lo for _, lo, _, _ in rest[0]] if rest else []
        for _, code, _, pos in rest[0] if rest else []:
            problem = self._shape("modifier", code)
            if problem:
                self.error(pos, *problem, code="malformed-code")
        return ("check", Check("ptp", str(table), bypass, self.pos(meta)))

    def check_mue(self, meta, children):
        self.data_ref(str(children[0]), "mue", self.pos_of(children[0]))
        return ("check", Check("mue", str(children[0]), [], self.pos(meta)))

    def edit(self, meta, children):
        edit_id, title, *items = children
        edit = Edit(edit_id, self.unquote(title), self.pos(meta))
        self._fill(edit, items, meta)
        check_edit(edit, self.error)
        self.file.edits.append(edit)

    def _fill(self, edit: Edit, items, meta) -> set[str]:
        seen: set[str] = set()
        for key, value in items:
            if key in seen:
                self.error(self.pos(meta), f"Edit {edit.id} gives `{key}` twice", "")
            seen.add(key)
            if key == "subject":
                edit.subject, edit.where = value
            elif key == "denial":
                edit.carc, edit.rarc = (list(value) + [None])[:2]
            else:
                setattr(edit, key, value)
        return seen

    def override(self, meta, children):
        edit_id, *items = children
        partial = Edit(edit_id, "", self.pos(meta))
        given = self._fill(partial, items, meta)
        if not given:
            self.error(
                self.pos(meta),
                f"`override edit {edit_id}` changes nothing",
                "Give the items that replace the library's, e.g. `severity warning`.",
            )
        self.file.overrides.append(Override(edit_id, partial, given, self.pos(meta)))

    def disable(self, meta, children):
        edit_id, reason = children
        self.file.disables.append(
            Disable(edit_id, self.unquote(reason), self.pos(meta))
        )

    def start(self, meta, children):
        return self.file


def build(
    tree: Tree, text: str, display: str, path: str
) -> tuple[RuleFile, list[Diagnostic]]:
    """Transform one parsed file.

    Args:
        tree: The parse tree from :func:`dsl.parser.parse_text`.
        text: The file's text (for source slices in traces and messages).
        display: The file name shown in messages.
        path: The file's path on disk.

    Returns:
        The built file and the diagnostics found while building it.
    """
    builder = Builder(text, display, path)
    return builder.transform(tree), builder.diags


def check_edit(edit: Edit, error) -> None:
    """Report an edit that cannot work: no trigger, no severity, fields out of scope.

    Args:
    edit: A whole edit (a library edit merged with its override, too).
    error: ``error(pos, message, hint, code=..., caret=...)`` records a problem.
    """
    if edit.flag is None and edit.check is None:
        error(
            edit.pos,
            f"Edit {edit.id} never fires",
            "Add `flag when ...` or a `check`.",
            code="incomplete-edit",
            caret=False,
        )
    if edit.flag is not None and edit.check is not None:
        error(
            edit.pos,
            f"Edit {edit.id} has both `flag when` and a `check`",
            "Split it into two edits.",
            caret=False,
        )
    if edit.severity is None:
        error(
            edit.pos,
            f"Edit {edit.id} has no `severity`",
            "Add `severity error`, `severity warning` or `severity info`.",
            code="incomplete-edit",
            caret=False,
        )
    if edit.message is None:
        error(
            edit.pos,
            f"Edit {edit.id} has no `message`",
            'Add `message "..."`.',
            code="incomplete-edit",
            caret=False,
        )
    subject = "line" if edit.check is not None else edit.subject
    for cond in (edit.where, edit.flag, edit.unless):
        if cond is not None:
            _scope(cond, subject, error)
    if edit.message is not None:
        extra = _CHECK_PLACEHOLDERS.get(edit.check.kind, set()) if edit.check else set()
        for name in edit.message.placeholders:
            if name in extra:
                continue
            if name not in FIELDS:
                error(
                    edit.message.pos,
                    f"Message placeholder `{{{name}}}` is not a field",
                    "Placeholders name fields, e.g. {line.procedure}.",
                    "unknown-field",
                )
            elif FIELDS[name].needs not in ("claim", subject):
                error(
                    edit.message.pos,
                    f"`{{{name}}}` cannot be used in this edit",
                    f"This edit runs for each {subject}.",
                    "field-out-of-scope",
                )


def _scope(cond: Cond, subject: str, error) -> None:
    for path in cond.paths:
        needs = FIELDS[path].needs if path in FIELDS else "claim"
        if needs == "claim" or needs == subject:
            continue
        if needs == "other":
            hint = "Read other.* only inside `any other line where ( ... )`."
        elif needs == "remit":
            hint = "remit.* fields are for gateways after the 835."
        else:
            hint = f"Add `for each {needs}` to this edit."
        error(cond.pos, f"`{path}` cannot be read here", hint, "field-out-of-scope")
