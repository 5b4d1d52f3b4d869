"""Cross-file checks and compilation: libraries, data pins, references, hashes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from dsl.build import check_edit
from dsl.conditions import Pos
from dsl.data import (
    FEDERAL_CALENDAR,
    FEDERAL_RELEASE,
    DataError,
    DatedTable,
    Table,
    federal_holidays,
    load_table,
)
from dsl.errors import Diagnostic
from dsl.hashing import content_hash
from dsl.model import Edit, Override, Row, RuleFile, TestCase, Timely
from dsl.plan import FlowPlan, TimelyFiling
from dsl.runtime import IGNORE_ROUTE, CompiledRuleset, timely_plan
from dsl.scrub import CompiledEdit

_USE_WORD = {"codeset": "codeset", "table": "table", "ptp": "table", "mue": "table"}

# What a reference needs -> kinds of loaded data that satisfy it.
_ACCEPTS = {
    "codeset": {"codeset", "list", "mue"},
    "table": {"list", "mue", "ptp", "codeset"},
    "ptp": {"ptp"},
    "mue": {"mue"},
}


@dataclass
class Linker:
    """Resolves every file against the rules folder and compiles the rulesets."""

    root: Path
    files: list[RuleFile]

    def __post_init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self.libraries = {
            f.path.removesuffix(".rules"): f for f in self.files if f.kind == "library"
        }
        self.hashes: dict[str, str] = {}

    def error(
        self,
        rf: RuleFile,
        pos: Pos | None,
        message: str,
        hint: str = "",
        code: str = "rule-error",
        severity: str = "error",
        caret: bool = False,
    ) -> None:
        """Record a problem; ``caret`` shows the source line with a caret under
        ``pos`` (for a word the analyst wrote, such as a route name)."""
        line, column = (pos.line, pos.column) if pos else (1, 1)
        source = rf.lines[line - 1] if pos and 0 < line <= len(rf.lines) else ""
        self.diags.append(
            Diagnostic(
                rf.display,
                line,
                column,
                message,
                hint,
                source,
                code=code,
                caret=caret and bool(source),
                severity=severity,
            )
        )

    def warn(self, rf: RuleFile, pos: Pos | None, message: str, hint: str, code: str):
        """A lint finding: reported by `rules check`, not blocking."""
        self.error(rf, pos, message, hint, code, severity="warning")

    # ------------------------------------------------------------------ per file

    def resolve(self, rf: RuleFile) -> None:
        """Load pinned data, check library pins and every name the file refers to."""
        lost_name = self._cut(rf, "ruleset") or self._cut(rf, "library")
        if rf.kind == "ruleset" and not rf.name and not lost_name:
            self.error(
                rf,
                None,
                'The file has no `ruleset "..."` or `library "..."` line',
                'Start the file with `ruleset "<PAYER-ID>"`.',
            )
        aliases: dict[str, str] = {}
        dated: set[str] = set()
        for use in rf.uses:
            if use.since is not None:
                if self._add_release(rf, use, aliases):
                    dated.add(use.alias)
                continue
            if use.alias in aliases:
                self.error(rf, use.pos, f"`{use.alias}` is declared twice")
            aliases[use.alias] = use.kind
            if use.kind == "library":
                self._library(rf, use)
            elif use.kind == "calendar":
                if (use.path, use.pin) != (FEDERAL_CALENDAR, FEDERAL_RELEASE):
                    self.error(
                        rf,
                        use.pos,
                        f"Unknown calendar `{use.path}` release {use.pin}",
                        f'The built-in calendar is "{FEDERAL_CALENDAR}" '
                        f'release "{FEDERAL_RELEASE}".',
                    )
                rf.data[use.alias] = "calendar"
            else:
                try:
                    table = load_table(self.root, use.path, use.pin)
                except DataError as exc:
                    self.error(
                        rf,
                        use.pos,
                        str(exc),
                        "Pin the release written in the data file, or update the data.",
                        "data-release",
                    )
                    continue
                kind = (
                    "codeset"
                    if use.kind == "codeset" and table.kind == "list"
                    else table.kind
                )
                rf.data[use.alias] = table
                use.loaded = table
                aliases[use.alias] = kind
        for alias, need, pos in rf.data_refs:
            have = aliases.get(alias)
            if alias in dated and need not in ("ptp", "mue"):
                self.error(
                    rf,
                    pos,
                    f"`{alias}` changes release by date of service",
                    "Only `check ptp_pairs` and `check unit_limits` tables may; "
                    "give this code set one release.",
                    "dated-data",
                )
                continue
            if have is None and f"alias:{alias}" in rf.cut:
                continue  # its `use` line has a syntax error, reported already
            if have is None:
                close = difflib.get_close_matches(alias, list(aliases), n=1)
                hint = (
                    f"Did you mean `{close[0]}`?"
                    if close
                    else f'Add `use {_USE_WORD[need]} "..." release "..." as {alias}`.'
                )
                message = f"`{alias}` is not declared"
                self.error(rf, pos, message, hint, "unknown-name", caret=True)
            elif have not in _ACCEPTS[need] and have != "library":
                self.error(rf, pos, f"`{alias}` is a {have}, not a {need} table")
        self._references(rf)
        self._claim_files(rf)
        if rf.kind == "library":
            self._library_sections(rf)
            for case in rf.tests:
                self._library_test(rf, case)

    def _library_sections(self, rf: RuleFile) -> None:
        """A library lends edits to rulesets; timely filing, eligibility and the
        flow after submission belong to one payer, so a library holding them is
        an error rather than text the compiler would quietly leave out."""
        for title, pos in sorted(rf.sections.items(), key=lambda s: s[1].line):
            self.error(
                rf,
                pos,
                f"A library cannot hold `{title}`",
                "A library holds edits, tables and tests; move this section to "
                "the ruleset file of the payer it is for.",
                "library-section",
            )

    def _library_test(self, rf: RuleFile, case: TestCase) -> None:
        """A library's own test runs the library's edits alone (see
        :meth:`compile_library`): it needs a date of service, since a library has
        no effective window to date a claim by, and it can only expect the
        library's edits, named as the library names them (no alias)."""
        if case.claim_file is None and "date_of_service" not in (case.claim or {}):
            self.error(
                rf,
                case.pos,
                f'Library test "{case.name}" has no date of service',
                "A library has no effective window to date its test claims: "
                "add `date of service 2026-03-10` to the `given claim`.",
                "library-test",
            )
        own = [e.id for e in rf.edits]
        for exp in case.expectations:
            if exp.kind not in ("edit", "no_edit", "no_edits"):
                self.error(
                    rf,
                    exp.pos,
                    "A library test can only expect edits",
                    "A library has no timely filing, gateways or routes: test "
                    "those in the payer file that uses it.",
                    "library-test",
                    caret=True,
                )
            elif exp.kind != "no_edits" and exp.args["id"] not in own:
                self._unknown_library_edit(rf, exp.pos, exp.args["id"], own)

    def _unknown_library_edit(self, rf, pos: Pos, edit_id: str, own: list[str]):
        local = edit_id.partition(".")[2]
        close = difflib.get_close_matches(edit_id, own, n=1)
        if local in own:
            hint = f"A library's own tests name its edits without an alias: `{local}`."
        elif close:
            hint = f"Did you mean `{close[0]}`?"
        else:
            hint = "This library has: " + ", ".join(own) + "."
        self.error(
            rf,
            pos,
            f"`{edit_id}` is not an edit of library {rf.name}",
            hint,
            "unknown-edit",
            caret=True,
        )

    def _claim_files(self, rf: RuleFile) -> None:
        from dsl.claimfile import ClaimFileError, load_scrub_input

        folder = (self.root / rf.path).parent
        for case in rf.tests:
            if case.claim_file is None:
                continue
            rel, pos = case.claim_file
            try:
                case.claim_input = load_scrub_input(folder / rel)
            except ClaimFileError as exc:
                self.error(
                    rf,
                    pos,
                    str(exc).replace(str(folder / rel), rel),
                    "Paths are relative to the rule file's folder.",
                    "claim-file",
                )

    def _add_release(self, rf: RuleFile, use, aliases: dict[str, str]) -> bool:
        """Add a `from <date>` release to an alias declared on an earlier line."""
        current = rf.data.get(use.alias)
        if not isinstance(current, Table | DatedTable) or use.kind == "calendar":
            self.error(
                rf,
                use.pos,
                f"`{use.alias}` has no earlier release to follow",
                f"Declare the first release without `from`, e.g. `use {use.kind} "
                f'"{use.path}" release "..." as {use.alias}`, on an earlier line.',
                "dated-data",
            )
            return False
        entries = (
            current.entries if isinstance(current, DatedTable) else ((None, current),)
        )
        if entries[-1][0] is not None and use.since <= entries[-1][0]:
            self.error(
                rf,
                use.pos,
                f"Releases of `{use.alias}` must start on later and later dates",
                f"The one before starts on {entries[-1][0]}.",
                "dated-data",
            )
            return False
        try:
            table = load_table(self.root, use.path, use.pin)
        except DataError as exc:
            self.error(rf, use.pos, str(exc), "", "data-release")
            return False
        if table.kind != current.kind:
            self.error(
                rf,
                use.pos,
                f"`{use.path}` is a {table.kind} table, not {current.kind} "
                f"like the release before",
            )
            return False
        use.loaded = table
        rf.data[use.alias] = DatedTable((*entries, (use.since, table)))
        return True

    def _library(self, rf: RuleFile, use) -> None:
        lib = self.libraries.get(use.path)
        if lib is None:
            close = difflib.get_close_matches(use.path, list(self.libraries), n=1)
            hint = (
                f'Did you mean "{close[0]}"?'
                if close
                else "Libraries live under the rules folder, e.g. shared/<name>.rules."
            )
            self.error(
                rf,
                use.pos,
                f"Library `{use.path}` was not found",
                hint,
                "unknown-library",
            )
        elif lib.version != use.pin:
            self.error(
                rf,
                use.pos,
                f"Library `{use.path}` is version {lib.version}, "
                f"but this file asks for {use.pin}",
                "Pin the version you tested with, or update the library.",
                "library-version",
            )

    def _references(self, rf: RuleFile) -> None:
        # A library's routes and gateways are reported where it names them (its
        # sections, its test expectations), not as missing as well.
        library = rf.kind == "library"
        for name, pos in [] if library else rf.route_refs:
            if name != IGNORE_ROUTE:
                self._defined(rf, "route", name, pos, rf.routes)
        for name, pos in [] if library else rf.gateway_refs:
            self._defined(rf, "gateway", name, pos, rf.gateways)
        ids: dict[str, Pos] = {}
        for item in [*rf.requirements, *rf.edits]:
            if item.id in ids:
                self.error(
                    rf,
                    item.pos,
                    f"Edit ID {item.id} is used twice",
                    f"The first one is on line {ids[item.id].line}.",
                    "duplicate-id",
                )
            ids.setdefault(item.id, item.pos)
        if rf.kind == "ruleset" and not self._cut(rf, "library"):
            self._ruleset_checks(rf)
            self._lint(rf)

    def _defined(self, rf: RuleFile, kind: str, name: str, pos: Pos, known) -> None:
        """Report a route or gateway that is named but never defined."""
        if name in known or f"{kind}:{name}" in rf.cut:
            return
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = (
            f"Did you mean `{close[0]}`?"
            if close
            else f'Add `{kind} {name} "..." ... end`.'
        )
        self.error(
            rf,
            pos,
            f"{kind.capitalize()} `{name}` is not defined",
            hint,
            f"unknown-{kind}",
            caret=True,
        )

    @staticmethod
    def _cut(rf: RuleFile, word: str) -> bool:
        """True when a block starting with ``word`` was left out for a syntax error."""
        return f"section:{word}" in rf.cut

    def _edit_window(self, rf, edit, pos, start, through) -> None:
        if edit.effective and start and edit.effective[0]:
            e_start, e_through = edit.effective
            late = through is not None and (
                e_start > through or (e_through or through) > through
            )
            if e_start < start or late:
                self.error(
                    rf,
                    pos,
                    f"Edit {edit.id} is effective outside the ruleset's window",
                    "An edit's window must sit inside the file's `effective` line.",
                )

    def _lint(self, rf: RuleFile) -> None:
        used = {name for name, _ in rf.route_refs}
        for name, pos in sorted(rf.route_pos.items(), key=lambda i: i[1].line):
            if name not in used and not rf.cut:  # a left-out block may name it
                self.warn(
                    rf,
                    pos,
                    f"Route `{name}` is never used",
                    "Name it in a wait, gateway, table row or timely filing "
                    "`exceptions`, or delete it.",
                    "unused-route",
                )
        table = rf.denial_table
        rows = table.rows if table else []
        if table is not None and table.policy == "unique":
            self._overlaps(rf, rows)
            return
        for later_index, later in enumerate(rows):
            for earlier in rows[:later_index]:
                if later.catch_all or not _covers(earlier, later):
                    continue
                if table.policy == "first":
                    self.warn(
                        rf,
                        later.pos,
                        f"Row `{_row_text(later)}` can never be reached",
                        f"Line {earlier.pos.line} (`{_row_text(earlier)}`) takes "
                        "every denial it would; move it up or delete it.",
                        "unreachable-row",
                    )
                    break

    def _overlaps(self, rf: RuleFile, rows: list[Row]) -> None:
        """Under `hit policy unique` a denial may fit one row only, so two rows
        that one adjustment could both fit are an error, found here rather than
        on a claim. The catch-all row and `ignore` rows never collide: the
        catch-all is taken only when nothing else fits, and an `ignore` row takes
        its adjustments out before the rows below it are read."""
        rows = [r for r in rows if not r.catch_all and r.route != IGNORE_ROUTE]
        for later_index, later in enumerate(rows):
            for earlier in rows[:later_index]:
                shared = _shared(earlier, later)
                if shared is None:
                    continue
                self.error(
                    rf,
                    later.pos,
                    f"Rows on lines {earlier.pos.line} and {later.pos.line} both "
                    f"fit a denial `{shared}`",
                    "With `hit policy unique` a denial may fit one row only: make "
                    "the codes of one row narrower, or use `hit policy first` to "
                    "let the upper row win.",
                    "overlapping-rows",
                    caret=True,
                )

    def _ruleset_checks(self, rf: RuleFile) -> None:
        for attr, text in (("payer", "payer"), ("version", "version")):
            if not getattr(rf, attr) and not self._cut(rf, attr):
                self.error(rf, rf.name_pos, f"Ruleset {rf.name} has no `{text}` line")
        if rf.effective is None:
            if self._cut(rf, "effective"):
                return
            self.error(
                rf,
                rf.name_pos,
                f"Ruleset {rf.name} has no `effective` line",
                "Add `effective 2026-01-01 by date of service`.",
            )
            return
        start, through, _ = rf.effective
        if rf.timely is None or "new claim" not in rf.timely.limits:
            if not self._cut(rf, "timely"):
                self.error(
                    rf,
                    rf.name_pos,
                    f"Ruleset {rf.name} has no `new claim` filing limit",
                    "Add a `timely filing` block.",
                )
        elif rf.timely.roll and "calendar" not in rf.data.values():
            self.error(
                rf,
                rf.timely.pos,
                "Moving deadlines to a business day needs a holiday calendar",
                f'Add `use calendar "{FEDERAL_CALENDAR}" '
                f'release "{FEDERAL_RELEASE}" as federal`.',
            )
        for edit in rf.edits:
            self._edit_window(rf, edit, edit.pos, start, through)
        uses_table = any(
            a.do == "route_by_denial_table"
            for g in rf.gateways.values()
            for b in g.branches
            for a in b.actions
        )
        if uses_table and rf.denial_table is None and not self._cut(rf, "denial"):
            self.error(
                rf,
                rf.name_pos,
                "`route by denial table` is used but there is no denial table",
            )
        libs = {
            u.alias: self.libraries.get(u.path) for u in rf.uses if u.kind == "library"
        }
        changed: dict[str, Pos] = {}
        for item in sorted([*rf.disables, *rf.overrides], key=lambda i: i.pos.line):
            alias, _, local = item.id.partition(".")
            lib = libs.get(alias)
            if lib is not None and all(e.id != local for e in lib.edits):
                self.error(
                    rf,
                    item.pos,
                    f"`{item.id}` does not exist",
                    f"Library `{alias}` has: "
                    + ", ".join(e.id for e in lib.edits)
                    + ".",
                )
            elif alias not in libs and f"alias:{alias}" in rf.cut:
                continue  # its `use` line has a syntax error, reported already
            elif alias not in libs:  # a missing library is reported at its `use`
                self.error(
                    rf, item.pos, f"`{alias}` is not a library alias of this file"
                )
            elif item.id in changed:
                self.error(
                    rf,
                    item.pos,
                    f"`{item.id}` is disabled or overridden twice",
                    f"The first time is on line {changed[item.id].line}.",
                    "duplicate-id",
                )
            else:
                changed[item.id] = item.pos
                if isinstance(item, Override):
                    self._check_override(rf, item, lib, start, through)

    def _check_override(self, rf, item: Override, lib: RuleFile, start, through):
        merged = merge_override(
            next(e for e in lib.edits if e.id == item.id.partition(".")[2]), item
        )
        check_edit(
            merged,
            lambda pos, message, hint="", code="rule-error", caret=True: self.error(
                rf, item.pos, message, hint, code
            ),
        )
        self._edit_window(rf, merged, item.pos, start, through)

    # ------------------------------------------------------------------ compile

    def file_hash(self, rf: RuleFile) -> str:
        """The content hash of a file, its libraries and its data pins."""
        if rf.path in self.hashes:
            return self.hashes[rf.path]
        pins = []
        for use in rf.uses:
            if use.kind == "library":
                lib = self.libraries.get(use.path)
                pins.append(
                    (f"library:{use.alias}", self.file_hash(lib) if lib else use.pin)
                )
            else:
                digest = getattr(use.loaded, "digest", "")
                since = f"@{use.since}" if use.since else ""
                pins.append(
                    (
                        f"{use.kind}:{use.alias}{since}",
                        f"{use.path}@{use.pin}#{digest}",
                    )
                )
        self.hashes[rf.path] = content_hash(rf.canonical, pins)
        return self.hashes[rf.path]

    def compile(self, rf: RuleFile) -> CompiledRuleset:
        """Compile a checked ruleset file (call only when it has no diagnostics)."""
        disabled = {d.id for d in rf.disables}
        overrides = {o.id: o for o in rf.overrides}
        edits = _own_edits(rf)
        for use in rf.uses:
            lib = self.libraries.get(use.path) if use.kind == "library" else None
            for edit in lib.edits if lib else []:
                full = f"{use.alias}.{edit.id}"
                if full in overrides:
                    item = overrides[full]
                    data = rf.data if "check" in item.given else lib.data
                    merged = merge_override(edit, item)
                    source = f"{rf.display}:{item.pos.line}"
                    edits.append(CompiledEdit(full, merged, data, source))
                elif full not in disabled:
                    source = f"{lib.display}:{edit.pos.line}"
                    edits.append(
                        CompiledEdit(
                            full, edit, lib.data, source, (lib.display, edit.id)
                        )
                    )
        start, through, basis = rf.effective
        digest = self.file_hash(rf)
        holidays = []
        if "calendar" in rf.data.values():
            last = (through or start).year + 2
            for year in range(start.year, last + 1):
                holidays += federal_holidays(year)
        plan = FlowPlan(
            ruleset_id=rf.name,
            payer_name=rf.payer,
            version=rf.version,
            ruleset_hash=digest,
            after_submission=rf.waits or [],
            routes=rf.routes,
            timely_filing=timely_plan(rf.timely),
            holidays=holidays,
        )
        requirements = [(r, f"{rf.display}:{r.pos.line}") for r in rf.requirements]
        return CompiledRuleset(
            ruleset_id=rf.name,
            version=rf.version,
            payer_name=rf.payer,
            hash=digest,
            source=str(self.root / rf.path),
            window=(start, through),
            basis=basis,
            edits=edits,
            requirements=requirements,
            timely=rf.timely,
            plan=plan,
            gateways=rf.gateways,
            denial_table=rf.denial_table,
            tests=rf.tests,
            display=rf.display,
        )

    def compile_library(self, rf: RuleFile) -> CompiledRuleset:
        """A checked library's edits alone, to run the library's own tests on.

        The edits run with the library's own tables, under the IDs the library
        gives them; the key date is the claim's first date of service. There is
        no eligibility, filing limit or flow: a library has none.
        """
        digest = self.file_hash(rf)
        plan = FlowPlan(
            ruleset_id=rf.name,
            payer_name=rf.name,
            version=rf.version,
            ruleset_hash=digest,
            after_submission=[],
            timely_filing=TimelyFiling(limits={}, anchors={}),
        )
        return CompiledRuleset(
            ruleset_id=rf.name,
            version=rf.version,
            payer_name=rf.name,
            hash=digest,
            source=str(self.root / rf.path),
            window=(date.min, None),
            basis="date of service",
            edits=_own_edits(rf),
            requirements=[],
            timely=Timely(),
            plan=plan,
            tests=rf.tests,
            display=rf.display,
            kind="library",
        )


def _own_edits(rf: RuleFile) -> list[CompiledEdit]:
    """The edits a file writes itself, compiled with its own data."""
    return [
        CompiledEdit(e.id, e, rf.data, f"{rf.display}:{e.pos.line}") for e in rf.edits
    ]


def _covers(earlier: Row, later: Row) -> bool:
    """True when every adjustment ``later`` matches also matches ``earlier``."""
    for mine, theirs in (
        (earlier.groups, later.groups),
        (earlier.carcs, later.carcs),
        (earlier.rarcs, later.rarcs),
    ):
        if mine is None:
            continue
        if theirs is None or not set(theirs) <= set(mine):
            return False
    return True


def _shared(one: Row, other: Row) -> str | None:
    """The group | CARC | RARC that fit both rows (``-`` for any), or ``None``."""
    cells = []
    for mine, theirs in (
        (one.groups, other.groups),
        (one.carcs, other.carcs),
        (one.rarcs, other.rarcs),
    ):
        if mine is None or theirs is None:
            both = theirs if mine is None else mine
        else:
            both = [code for code in mine if code in theirs]
            if not both:
                return None
        cells.append(", ".join(both) if both is not None else "-")
    return " | ".join(cells)


def _row_text(row: Row) -> str:
    cells = [
        ", ".join(cell) if cell is not None else "-"
        for cell in (row.groups, row.carcs, row.rarcs)
    ]
    return " | ".join([*cells, row.route])


def merge_override(edit: Edit, item: Override) -> Edit:
    """The library ``edit`` with the items ``override`` gives put in its place.

    ``for each`` replaces both the subject and its ``where``; ``denial`` replaces
    CARC and RARC together.
    """
    names = set()
    for key in item.given:
        names |= {
            "subject": {"subject", "where"},
            "denial": {"carc", "rarc"},
        }.get(key, {key})
    values = {name: getattr(item.edit, name) for name in names}
    return replace(edit, id=item.id, **values)
