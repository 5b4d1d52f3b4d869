"""Run compiled edits over a claim and produce findings with explanation traces."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from claimflow.models import ConditionTrace, Finding, ServiceLine, Severity
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

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if extra and name in extra:
            return extra[name]
        spec = FIELDS.get(name)
        value = show(spec.getter(env)) if spec else None
        return "(missing)" if value is None else value

    return _PLACEHOLDER.sub(fill, message.text)


@dataclass
class CompiledEdit:
    """One effective edit under its final ID (library edits carry ``alias.``)."""

    id: str
    edit: Edit
    data: dict[str, Any]
    source: str

    def active_on(self, day: date) -> bool:
        window = self.edit.effective
        if window is None:
            return True
        start, through = window
        return (start is None or start <= day) and (through is None or day <= through)

    def run(self, env: Env) -> list[Finding]:
        edit = self.edit
        if edit.check is not None:
            table = self.data[edit.check.table]
            hits = (
                ptp_hits(env, table, edit.check.bypass)
                if edit.check.kind == "ptp"
                else mue_hits(env, table)
            )
            found = []
            for line, extra, trace in hits:
                env.line = line
                found.append(self._finding(env, line.line_number, extra, trace))
            env.line = None
            return found
        if edit.subject == "line":
            found = []
            for line in env.claim.lines:
                env.line = line
                found += self._one(env, line.line_number)
            env.line = None
            return found
        if edit.subject == "diagnosis":
            found = []
            for diagnosis in env.claim.diagnoses:
                env.diagnosis = diagnosis
                found += self._one(env, None)
            env.diagnosis = None
            return found
        return self._one(env, None)

    def _one(self, env: Env, line_number: int | None) -> list[Finding]:
        edit = self.edit
        if edit.where is not None and not edit.where.fn(env):
            return []
        if not edit.flag.fn(env):
            return []
        if edit.unless is not None and edit.unless.fn(env):
            return []
        # The edit fires: only now spend time on the explanation.
        trace = [
            ConditionTrace(text=cond.text, value=value)
            for cond, value in (
                (edit.where, True),
                (edit.flag, True),
                (edit.unless, False),
            )
            if cond is not None
        ]
        trace += values_of([edit.where, edit.flag, edit.unless], env)
        return [self._finding(env, line_number, None, trace)]

    def _finding(self, env, line_number, extra, trace) -> Finding:
        edit = self.edit
        return Finding(
            edit_id=self.id,
            severity=Severity(edit.severity),
            message=render(edit.message, env, extra),
            line_number=line_number,
            carc=edit.carc,
            rarc=edit.rarc,
            fix=edit.fix,
            source=self.source,
            trace=trace,
        )


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


def requirement_finding(req: Requirement, env: Env, source: str) -> Finding | None:
    """A finding when an eligibility requirement does not hold, else ``None``."""
    if req.cond.fn(env):
        return None
    trace = [ConditionTrace(text=req.cond.text, value=False)]
    return Finding(
        edit_id=req.id,
        severity=Severity(req.severity),
        message=render(req.message, env),
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
            rows = table.pairs.get((col1.procedure, col2.procedure), ())
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
            trace = [
                ConditionTrace(
                    text=f"ptp pair {col1.procedure}/{col2.procedure} "
                    f"on {col2.service_date}",
                    value=True,
                ),
                ConditionTrace(text="modifier indicator", value=row.indicator),
                ConditionTrace(text="bypass modifier present", value=bypassed),
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
    for (code, _day), lines in groups.items():
        row = table.limits.get(code)
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
                ConditionTrace(
                    text=f"units of {code} ({_MAI_SCOPE[row.mai]})",
                    value=show(units),
                ),
                ConditionTrace(text="MUE limit", value=show(row.limit)),
                ConditionTrace(text="MAI", value=str(row.mai)),
            ]
            hits.append((line, extra, trace))
    return hits
