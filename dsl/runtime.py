"""Compiled rulesets: scrubbing, filing deadlines, gateways and denial routing.

Everything here is a pure function of the compiled ruleset, the claim snapshot and
explicit dates; nothing reads the clock, files or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from claimflow.models import (
    Adjustment,
    Claim,
    ConditionTrace,
    EligibilityResult,
    Finding,
    RemitClaim,
)
from dsl.codegen import ruleset_functions
from dsl.errors import DenialTableError
from dsl.fields import Env
from dsl.model import DenialTable, Gateway, Requirement, Row, TestCase, Timely
from dsl.plan import (
    Action,
    Duration,
    FlowPlan,
    TimelyFiling,
    add_duration,
    add_months,
    is_business_day,
    next_business_day,
)
from dsl.scrub import CompiledEdit, Outcome, requirement_finding, values_of

IGNORE_ROUTE = "ignore"


class ScrubInput(BaseModel):
    """What scrubbing reads: the claim, the latest 271 outcome and explicit dates."""

    claim: Claim
    eligibility: EligibilityResult | None
    eligibility_checked_on: date | None
    as_of: date


class RemitFacts(BaseModel):
    """What a gateway after the 835 reads."""

    claim: Claim
    remit: RemitClaim
    expected_amount: Decimal | None = None


@dataclass
class CompiledRuleset:
    """One payer's ruleset version, compiled and pinned by content hash."""

    ruleset_id: str
    version: str
    payer_name: str
    hash: str
    source: str
    window: tuple[date, date | None]
    basis: str
    edits: list[CompiledEdit]
    requirements: list[tuple[Requirement, str]]
    timely: Timely
    plan: FlowPlan
    gateways: dict[str, Gateway] = field(default_factory=dict)
    denial_table: DenialTable | None = None
    tests: list[TestCase] = field(default_factory=list)
    display: str = ""
    kind: str = "ruleset"  # or "library": a library's edits alone, for its tests

    def __post_init__(self) -> None:
        # Condition edits run in one generated pass; table checks run after it.
        self._windowed = tuple(e.edit.effective is not None for e in self.edits)
        self._any_window = any(self._windowed)
        self._always = (True,) * len(self.edits)
        self._tables = [e for e in self.edits if e.fast is None]
        self._subjects, self._decide = ruleset_functions(
            [
                (
                    e.id,
                    e.edit.subject,
                    e.edit.where.gen if e.edit.where else None,
                    e.edit.flag.gen,
                    e.edit.unless.gen if e.edit.unless else None,
                    windowed,
                )
                for e, windowed in zip(self.edits, self._windowed, strict=True)
                if e.fast is not None
            ]
        )
        self._fast_edits = [e for e in self.edits if e.fast is not None]

    def _active(self, claim: Claim, as_of: date | None) -> tuple[bool, ...]:
        if not self._any_window:
            return self._always
        key = self.key_date(claim, as_of)
        return tuple(e.active_on(key) for e in self._fast_edits)

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls inside the ruleset's effective window."""
        start, through = self.window
        return start <= day and (through is None or day <= through)

    def key_date(self, claim: Claim, received: date | None = None) -> date:
        """The date that selects rules: first date of service, or the received date."""
        if self.basis == "received date" and received is not None:
            return received
        return claim.from_date

    # ------------------------------------------------------------------ scrub

    def scrub(self, inp: ScrubInput) -> list[Finding]:
        """Run eligibility requirements and every edit effective on the key date.

        Args:
            inp: The claim, the eligibility result and the business dates.

        Returns:
            Findings sorted by (edit ID, line number); claim-level findings first.
        """
        claim = inp.claim
        env = Env(claim, inp.eligibility, inp.eligibility_checked_on, inp.as_of)
        found: list[Finding] = []
        for req, source in self.requirements:
            finding = requirement_finding(req, env, source)
            if finding is not None:
                found.append(finding)
        fired: list[tuple[int, Any]] = []
        self._subjects(env, self._active(claim, inp.as_of), fired)
        edits = self._fast_edits
        for index, item in fired:
            found.append(edits[index].finding_for(env, item))
        if self._tables:
            key = self.key_date(claim, inp.as_of)
            for edit in self._tables:
                if edit.active_on(key):
                    found += edit.run(env)
        return sorted(found, key=lambda f: (f.edit_id, f.line_number or 0))

    def explain(self, inp: ScrubInput) -> list[Outcome]:
        """Every requirement's and edit's outcome for every subject, with traces.

        The debug form of :meth:`scrub`: besides what fired, it records each edit
        that was not applicable (its ``where`` was false), did not fire, was
        bypassed by ``unless``, was not effective on the key date, or whose table
        check found nothing. The findings inside equal :meth:`scrub`'s.

        Args:
            inp: The claim, the eligibility result and the business dates.

        Returns:
            Outcomes sorted by edit ID, then subject (the claim, then lines and
            diagnoses in claim order).
        """
        env = Env(inp.claim, inp.eligibility, inp.eligibility_checked_on, inp.as_of)
        outcomes = []
        for req, source in self.requirements:
            finding = requirement_finding(req, env, source)
            if finding is not None:
                outcomes.append(
                    Outcome(req.id, source, "claim", "fired", finding.trace, finding)
                )
            else:
                trace = [ConditionTrace(text=req.cond.text, value=True)]
                trace += values_of([req.cond], env)
                outcomes.append(Outcome(req.id, source, "claim", "holds", trace))
        key = self.key_date(inp.claim, inp.as_of)
        for edit in self.edits:
            outcomes += edit.outcomes(env, key)
        return sorted(outcomes, key=lambda o: o.edit_id)

    def decide(self, inp: ScrubInput) -> list[tuple[str, int | None]]:
        """Which edits fire on which lines, without building findings or traces.

        The same decisions as :meth:`scrub`, for impact simulation over many claims.

        Args:
            inp: The claim, the eligibility result and the business dates.

        Returns:
            ``(edit ID, line number or None)`` sorted like :meth:`scrub`'s findings.
        """
        env = Env(inp.claim, inp.eligibility, inp.eligibility_checked_on, inp.as_of)
        fired: list[tuple[str, int | None]] = [
            (req.id, None) for req, _ in self.requirements if not req.cond.fn(env)
        ]
        self._decide(env, self._active(inp.claim, inp.as_of), fired)
        if self._tables:
            key = self.key_date(inp.claim, inp.as_of)
            for edit in self._tables:
                if edit.active_on(key):
                    fired += [
                        (edit.id, ln.line_number) for ln, _, _ in edit.table_hits(env)
                    ]
        try:
            fired.sort()  # one edit ID gives line numbers only, or None only
        except TypeError:
            fired.sort(key=_decision_order)
        return fired

    # ------------------------------------------------------------------ deadlines

    def _holidays(self) -> frozenset[date]:
        return frozenset(self.plan.holidays)

    def filing_deadline(
        self, claim: Claim, kind: str = "new claim", anchor: date | None = None
    ) -> date:
        """The last day a claim of ``kind`` may reach the payer.

        Args:
            claim: The claim; its dates of service anchor ``date of service`` limits.
            kind: A filing kind of the ruleset (``new claim``, ``appeal``...).
            anchor: The anchor date for limits counted from another event (the
                remittance or denial date); overrides the date of service.

        Returns:
            The deadline, rolled to the next business day when the ruleset says so.

        Raises:
            KeyError: The ruleset has no limit for ``kind``.
            ValueError: The limit counts from an event and no ``anchor`` was given.
        """
        if kind not in self.timely.limits:
            known = ", ".join(sorted(self.timely.limits))
            raise KeyError(f"{self.ruleset_id} has no `{kind}` filing limit ({known})")
        duration, anchor_phrase = self.timely.limits[kind]
        if anchor is None:
            if anchor_phrase != "date of service":
                raise ValueError(f"`{kind}` counts from {anchor_phrase}; pass anchor=")
            anchor = self._date_of_service(claim)
        deadline = add_duration(anchor, duration, self.plan.holidays)
        if self.timely.roll:
            deadline = next_business_day(deadline, self._holidays())
        return deadline

    def _date_of_service(self, claim: Claim) -> date:
        rule = self.timely.dos_rule.get(claim.kind, "line_from_date")
        return claim.through_date if rule == "claim_through_date" else claim.from_date

    def filing_warning_date(self, claim: Claim, kind: str = "new claim") -> date | None:
        """The day to warn before the deadline, or ``None`` without a `warn` line."""
        if self.timely.warn is None:
            return None
        return subtract(
            self.filing_deadline(claim, kind), self.timely.warn, self._holidays()
        )

    # ------------------------------------------------------------------ after the 835

    def after_remittance(self, facts: RemitFacts, gateway: str) -> list[Action]:
        """Evaluate a gateway: the first true `when` wins, else `otherwise`.

        Args:
            facts: The claim, its remittance and the expected amount.
            gateway: The gateway's name.

        Returns:
            The branch's actions; `route by denial table` becomes the table's route.
        """
        gw = self.gateways[gateway]
        env = Env(facts.claim, remit=facts.remit, expected_amount=facts.expected_amount)
        for branch in gw.branches:
            if branch.cond is None or branch.cond.fn(env):
                return [self._expand(a, facts) for a in branch.actions]
        raise AssertionError("a checked gateway always ends with `otherwise`")

    def _expand(self, action: Action, facts: RemitFacts) -> Action:
        if action.do != "route_by_denial_table":
            return action.model_copy(deep=True)
        return Action(do="route", args=[self.denial_route(facts)], line=action.line)

    def denial_route(self, facts: RemitFacts) -> str:
        """The route the denial table picks for the remittance's adjustments.

        Rows are read top to bottom. A row matches when one adjustment (claim or line
        level) fits its group, CARC and RARC cells (``-`` fits anything; the RARC cell
        looks at the remark codes of the claim and of the adjustment's line). A row
        routed to ``ignore`` takes its adjustments out of consideration for the rows
        below it (contractual write-downs such as CO 45 are not denials). The
        all-``-`` catch-all row always matches.

        Raises:
            DenialTableError: ``hit policy unique`` and several rows matched.
        """
        table = self.denial_table
        if table is None:
            raise LookupError(f"{self.ruleset_id} has no denial routing table")
        pool = _adjustments(facts.remit)
        matched: list[Row] = []
        for row in table.rows:
            if row.catch_all:
                matched = matched or [row]
                break
            fits = [item for item in pool if _fits(row, *item)]
            if not fits:
                continue
            if row.route == IGNORE_ROUTE:
                pool = [item for item in pool if item not in fits]
                continue
            matched.append(row)
            if table.policy == "first":
                break
        if len(matched) > 1:
            where = ", ".join(f"line {r.pos.line} ({r.route})" for r in matched)
            raise DenialTableError(
                f"{self.ruleset_id}: unique denial table matched {where}"
            )
        return matched[0].route


def _decision_order(item: tuple[str, int | None]) -> tuple[str, int]:
    return item[0], item[1] or 0


def _adjustments(remit: RemitClaim) -> list[tuple[Adjustment, frozenset[str]]]:
    claim_remarks = frozenset(remit.remarks)
    items = [(adj, claim_remarks) for adj in remit.adjustments]
    for line in remit.lines:
        remarks = claim_remarks | frozenset(line.remarks)
        items += [(adj, remarks) for adj in line.adjustments]
    return items


def _fits(row: Row, adj: Adjustment, remarks: frozenset[str]) -> bool:
    if row.groups is not None and adj.group not in row.groups:
        return False
    if row.carcs is not None and adj.reason not in row.carcs:
        return False
    return row.rarcs is None or bool(remarks & set(row.rarcs))


def subtract(day: date, duration: Duration, holidays: frozenset[date]) -> date:
    """The date ``duration`` before ``day`` (business days counted backwards)."""
    n, unit = duration.n, duration.unit
    if unit in ("day", "hour"):
        return day - timedelta(days=n if unit == "day" else -(-n // 24))
    if unit == "week":
        return day - timedelta(weeks=n)
    if unit in ("month", "year"):
        return add_months(day, -n * (12 if unit == "year" else 1))
    while n > 0:
        day -= timedelta(days=1)
        if is_business_day(day, holidays):
            n -= 1
    return day


def timely_plan(timely: Timely) -> TimelyFiling:
    """The plain-data form of a `timely filing` block."""
    return TimelyFiling(
        limits={k: d for k, (d, _) in timely.limits.items()},
        anchors={k: a for k, (_, a) in timely.limits.items()},
        roll_to_business_day=timely.roll,
        warn_before=timely.warn,
        exceptions_route=timely.exceptions_route,
    )
