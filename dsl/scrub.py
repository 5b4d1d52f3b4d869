"""Run compiled edits over a claim and produce findings with explanation traces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from claimflow.models import ConditionTrace, Finding, ServiceLine, Severity
from dsl.codegen import edit_function
from dsl.conditions import Cond
from dsl.data import Table
from dsl.fields import FIELDS, Env
from dsl.model import Edit, Message, Requirement

_MAI_SCOPE = {1: "per line", 2: "per date of service", 3: "per date of service"}
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def show(value: Any) -> str | None:
    """A field value as the analyst would write it; ``None`` when missing."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render(message: Message, env: Env, extra: dict[str, str] | None = None) -> str:
    """Fill ``{field}`` placeholders; a missing value shows as ``(missing)``."""
    return Template(message.text).fill(env, extra)


class Template:
    """A message split once into literal text and placeholder readers."""

    def __init__(self, text: str):
        self.parts: list[tuple[str, str | None, Any]] = []
        last = 0
        for match in _PLACEHOLDER.finditer(text):
            name = match.group(1)
            spec = FIELDS.get(name)
            self.parts.append(
                (text[last : match.start()], name, spec.getter if spec else None)
            )
            last = match.end()
        self.tail = text[last:]

    def fill(self, env: Env, extra: dict[str, str] | None = None) -> str:
        """The message for the current subject of ``env``."""
        out = []
        for literal, name, getter in self.parts:
            out.append(literal)
            if extra and name in extra:
                out.append(extra[name])
                continue
            value = show(getter(env)) if getter else None
            out.append("(missing)" if value is None else value)
        out.append(self.tail)
        return "".join(out)


@dataclass
class Outcome:
    """What one edit did for one subject, for ``explain`` and debugging.

    Attributes:
        edit_id: The edit's final ID (``alias.ID`` for library edits).
        source: ``file:line`` of the edit.
        subject: ``claim``, ``line 2`` or ``diagnosis M54.50``.
        outcome: ``fired``, ``not applicable`` (its ``for each ... where`` is
            false), ``did not fire`` (``flag when`` is false), ``bypassed by
            unless``, ``not effective`` or ``nothing found`` (a table check).
        trace: Condition texts and values, field values, table rows and data
            releases, as a finding carries them.
        finding: The finding when the edit fired.
    """

    edit_id: str
    source: str
    subject: str
    outcome: str
    trace: list[ConditionTrace] = field(default_factory=list)
    finding: Finding | None = None


def _set_subject(env: Env, subject: str, item: Any) -> None:
    if subject == "line":
        env.line = item
    elif subject == "diagnosis":
        env.diagnosis = item


def _trace(pairs) -> list[ConditionTrace]:
    return [ConditionTrace(text=text, value=value) for text, value in pairs]


@dataclass
class CompiledEdit:
    """One effective edit under its final ID (library edits carry ``alias.``).

    ``library_edit`` is ``(library file, edit ID there)`` when a ruleset runs a
    library's edit unchanged: the library's own tests cover it (an overridden
    edit is the ruleset's to test).
    """

    id: str
    edit: Edit
    data: dict[str, Any]
    source: str
    library_edit: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        # Everything that does not depend on the claim is worked out once here, so
        # the per-claim path only evaluates closures and fills in values.
        edit = self.edit
        self.severity = Severity(edit.severity) if edit.severity else None
        self.template = Template(edit.message.text) if edit.message else None
        conds = [edit.where, edit.flag, edit.unless]
        self.fired_trace = [
            (cond.text, value)
            for cond, value in zip(conds, (True, True, False), strict=True)
            if cond is not None
        ]
        paths: dict[str, None] = {}
        for cond in conds:
            for path in cond.paths if cond else []:
                paths.setdefault(path, None)
        self.readers = [(p, FIELDS[p].getter) for p in paths if p in FIELDS]
        self.where_fn = edit.where.fn if edit.where else None
        self.flag_fn = edit.flag.fn if edit.flag else None
        self.unless_fn = edit.unless.fn if edit.unless else None
        self.fast = None
        if edit.flag is not None:
            self.fast = edit_function(
                edit.subject,
                edit.where.gen if edit.where else None,
                edit.flag.gen,
                edit.unless.gen if edit.unless else None,
                self.id,
            )

        self.releases = self._releases()
        self.release_dicts = [{"text": t, "value": v} for t, v in self.releases]
        # Releases that depend on the claim (ICD-10-CM by date of service):
        # one function of the evaluation per condition that reads one.
        self.dated_releases = [
            name
            for cond in (edit.where, edit.flag, edit.unless)
            if cond is not None
            for name in cond.releases
        ][:1]

    @property
    def reads_icd10(self) -> bool:
        """True when the edit checks ICD-10-CM codes (the code set must be loaded)."""
        return bool(self.dated_releases)

    def _dated(self, env: Env) -> list[tuple[str, str]]:
        return [("data ICD-10-CM", name(env)) for name in self.dated_releases]

    def _releases(self) -> list[tuple[str, str]]:
        """``(what, release)`` of every data source the edit consults."""
        edit = self.edit
        found: dict[str, str] = {}
        tables = []  # a check's table release goes in each hit's trace instead
        for cond in (edit.where, edit.flag, edit.unless):
            if cond is not None:
                tables += [(ref.alias, ref.get()) for ref in cond.data]
        for alias, table in tables:
            path = table.path or alias
            found.setdefault(f"data {alias}", f"{path} release {table.release}")
        return sorted(found.items())

    def active_on(self, day: date) -> bool:
        window = self.edit.effective
        if window is None:
            return True
        start, through = window
        return (start is None or start <= day) and (through is None or day <= through)

    def subjects(self, env: Env) -> list[Any]:
        """The subjects that fire (``None`` for the claim), without traces."""
        return self.fast(env)

    def reference_subjects(self, env: Env) -> list[Any]:
        """:meth:`subjects` computed with the closures (the reference semantics)."""
        where, flag, unless = self.where_fn, self.flag_fn, self.unless_fn
        subject = self.edit.subject
        if subject == "claim":
            items: list[Any] = [None]
        elif subject == "line":
            items = env.claim.lines
        else:
            items = env.claim.diagnoses
        fired = []
        for item in items:
            _set_subject(env, subject, item)
            if where is not None and not where(env):
                continue
            if not flag(env):
                continue
            if unless is not None and unless(env):
                continue
            fired.append(item)
        env.line = env.diagnosis = None
        return fired

    def run(self, env: Env) -> list[Finding]:
        """Findings of this edit for the claim in ``env``."""
        edit = self.edit
        if edit.check is not None:
            return [
                self._finding(env, line, extra, trace)
                for line, extra, trace in self.table_hits(env)
            ]
        return [self.finding_for(env, item) for item in self.subjects(env)]

    def finding_for(self, env: Env, item: Any) -> Finding:
        """The finding of a condition edit that fired for ``item`` (line, diagnosis
        or ``None`` for the claim)."""
        _set_subject(env, self.edit.subject, item)
        finding = self._finding(env, item, None, self.fired_trace)
        env.line = env.diagnosis = None
        return finding

    def table_hits(self, env: Env):
        """``(line, placeholders, trace pairs)`` for each hit of a table check."""
        check = self.edit.check
        table = self.data[check.table]
        if check.kind == "ptp":
            return ptp_hits(env, table, check.bypass)
        return mue_hits(env, table)

    def _finding(self, env: Env, item: Any, extra, trace_pairs) -> Finding:
        line = item if self.edit.subject == "line" or extra is not None else None
        if line is not None:
            env.line = line
        # Trace entries go in as dicts: pydantic builds them in one validation
        # call, which is much cheaper than one model constructor per entry.
        trace = [{"text": text, "value": value} for text, value in trace_pairs]
        for path, getter in self.readers:
            trace.append({"text": path, "value": show(getter(env))})
        if self.dated_releases:  # most edits read no dated release: skip the call
            trace += [{"text": t, "value": v} for t, v in self._dated(env)]
        trace += self.release_dicts
        finding = Finding(
            edit_id=self.id,
            severity=self.severity,
            message=self.template.fill(env, extra),
            line_number=line.line_number if line is not None else None,
            carc=self.edit.carc,
            rarc=self.edit.rarc,
            fix=self.edit.fix,
            source=self.source,
            trace=trace,
        )
        if extra is not None:
            env.line = None
        return finding

    def outcomes(self, env: Env, key: date) -> list[Outcome]:
        """What the edit did for every subject, including when it did not fire."""
        if not self.active_on(key):
            start, through = self.edit.effective
            window = f"{start or '...'} through {through or 'open'}"
            return [
                Outcome(
                    self.id,
                    self.source,
                    "claim",
                    "not effective",
                    _trace([(f"effective {window}", False), ("key date", str(key))]),
                )
            ]
        if self.edit.check is not None:
            found = self.run(env)
            if not found:
                check = self.edit.check
                kind = "procedure pairs" if check.kind == "ptp" else "units"
                table = self.data[check.table]
                used = (f"data {check.table}", f"{table.path} release {table.release}")
                return [
                    Outcome(
                        self.id,
                        self.source,
                        "claim",
                        "nothing found",
                        _trace(
                            [(f"{kind} checked against {check.table}", False), used]
                        ),
                    )
                ]
            return [
                Outcome(
                    self.id, self.source, f"line {f.line_number}", "fired", f.trace, f
                )
                for f in found
            ]
        return [self._outcome(env, item) for item in self._items(env)]

    def _items(self, env: Env) -> list[Any]:
        if self.edit.subject == "line":
            return list(env.claim.lines)
        if self.edit.subject == "diagnosis":
            return list(env.claim.diagnoses)
        return [None]

    def _outcome(self, env: Env, item: Any) -> Outcome:
        edit = self.edit
        label = "claim"
        if edit.subject == "line":
            env.line, label = item, f"line {item.line_number}"
        elif edit.subject == "diagnosis":
            env.diagnosis, label = item, f"diagnosis {item}"
        pairs = []
        outcome = "fired"
        for cond, stop_when, verdict in (
            (edit.where, False, "not applicable"),
            (edit.flag, False, "did not fire"),
            (edit.unless, True, "bypassed by unless"),
        ):
            if cond is None:
                continue
            value = bool(cond.fn(env))
            pairs.append((cond.text, value))
            if value == stop_when:
                outcome = verdict
                break
        finding = None
        if outcome == "fired":
            finding = self._finding(env, item, None, pairs)
            trace = finding.trace
        else:
            values = [(path, show(getter(env))) for path, getter in self.readers]
            trace = _trace(pairs + values + self._dated(env) + self.releases)
        env.line = env.diagnosis = None
        return Outcome(self.id, self.source, label, outcome, trace, finding)


def values_of(conds: list[Cond | None], env: Env) -> list[ConditionTrace]:
    """One trace entry per field read by ``conds``, with the value it held."""
    seen: dict[str, None] = {}
    for cond in conds:
        for path in cond.paths if cond else []:
            seen.setdefault(path, None)
    return [
        ConditionTrace(text=path, value=show(FIELDS[path].getter(env)))
        for path in seen
        if path in FIELDS
    ]


# Said before a requirement's own message when no 271 was had to judge it by.
NOT_CHECKED = "Eligibility not checked (no real-time 271 from the clearinghouse): "


def _reads_eligibility(req: Requirement) -> bool:
    """Whether the requirement reads what the 271 said (the ``coverage.*`` fields)."""
    return any(path.startswith("coverage.") for path in req.cond.paths)


def requirement_finding(req: Requirement, env: Env, source: str) -> Finding | None:
    """A finding when an eligibility requirement does not hold, else ``None``.

    Without an eligibility answer at all (a mailbox clearinghouse has no
    real-time 270/271) a requirement on the 271's facts (``coverage.*``)
    cannot be judged: it is not known to fail, so it is a warning a person
    sees, never an error that holds the claim on a fact nobody could check.
    A requirement on the claim's own data (``member.id``) is judged as ever.
    """
    if req.cond.fn(env):
        return None
    trace = [ConditionTrace(text=req.cond.text, value=False)]
    severity, message = Severity(req.severity), render(req.message, env)
    if env.eligibility is None and _reads_eligibility(req):
        message = NOT_CHECKED + message
        if severity == Severity.ERROR:
            severity = Severity.WARNING
    return Finding(
        edit_id=req.id,
        severity=severity,
        message=message,
        source=source,
        trace=trace + values_of([req.cond], env),
    )


# --------------------------------------------------------------------------- built-ins


def ptp_hits(env: Env, table: Table, bypass: list[str]):
    """NCCI PTP: flag the column-2 line of an active pair billed on the same date.

    Indicator 0 always flags; 1 flags unless either line carries a bypass modifier;
    9 never flags.
    """
    hits = []
    lines = env.claim.lines
    allowed = set(bypass)
    for col1 in lines:
        for col2 in lines:
            if col1 is col2 or col1.service_date != col2.service_date:
                continue
            release = table.at(col2.service_date)
            rows = release.pairs.get((col1.procedure, col2.procedure), ())
            row = next((r for r in rows if r.active_on(col2.service_date)), None)
            if row is None or row.indicator == "9":
                continue
            bypassed = bool(allowed & set(col1.modifiers + col2.modifiers))
            if row.indicator == "1" and bypassed:
                continue
            extra = {
                "col1.procedure": col1.procedure,
                "col2.procedure": col2.procedure,
                "indicator": row.indicator,
            }
            deletion = row.deletion.isoformat() if row.deletion else "-"
            trace = [
                (
                    f"ptp pair {col1.procedure}/{col2.procedure} "
                    f"on {col2.service_date}",
                    True,
                ),
                ("modifier indicator", row.indicator),
                ("bypass modifier present", bypassed),
                (
                    "table row",
                    f"{row.column1},{row.column2} effective {row.effective} "
                    f"deletion {deletion} modifier indicator {row.indicator}",
                ),
                ("table release", f"{release.path} release {release.release}"),
            ]
            hits.append((col2, extra, trace))
    return hits


def mue_hits(env: Env, table: Table):
    """MUE: MAI 1 compares each line's units; MAI 2 and 3 the day's total per code.

    A per-day excess is reported once, on the first line of that code and date.
    """
    hits = []
    groups: dict[tuple[str, date], list[ServiceLine]] = {}
    for line in env.claim.lines:
        groups.setdefault((line.procedure, line.service_date), []).append(line)
    for (code, day), lines in groups.items():
        release = table.at(day)
        row = release.limits.get(code)
        if row is None:
            continue
        if row.mai == 1:
            billed = [(ln, ln.units) for ln in lines if ln.units > row.limit]
        else:
            total = sum((ln.units for ln in lines), Decimal(0))
            billed = [(lines[0], total)] if total > row.limit else []
        for line, units in billed:
            extra = {
                "units": show(units),
                "limit": show(row.limit),
                "mai": str(row.mai),
            }
            trace = [
                (f"units of {code} ({_MAI_SCOPE[row.mai]})", show(units)),
                ("MUE limit", show(row.limit)),
                ("MAI", str(row.mai)),
                ("table row", f"{row.code} limit {show(row.limit)} MAI {row.mai}"),
                ("table release", f"{release.path} release {release.release}"),
            ]
            hits.append((line, extra, trace))
    return hits
