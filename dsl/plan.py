"""The plain-data form of a compiled ruleset, as the claim workflow receives it.

A rule file is parsed and compiled in an activity; what crosses into workflow code is
only this: waits with timeouts, follow-up cycles, routes with human tasks, timely-filing
limits and the business calendar, all as durations and dates. Nothing here imports lark
or touches I/O, so the module is safe inside the Temporal workflow sandbox.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PLAN_SCHEMA_VERSION = 1

DurationUnit = Literal["hour", "day", "business_day", "week", "month", "year"]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Duration(PlanModel):
    n: int
    unit: DurationUnit

    def __str__(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.n} {unit}{'' if self.n == 1 else 's'}"


ActionName = Literal[
    "continue",  # go on to the next wait step
    "route",  # run a named route (args[0])
    "route_by_denial_table",  # evaluate the denial routing table, then run its route
    "goto",  # evaluate a gateway (args[0]) and run the actions it picks
    "escalate",  # open a work item in queue args[0], due `within`; flow goes on
    "send",  # send a transaction: args[0] is "276"; flow goes on
    "resubmit",  # send a corrected claim (frequency 7)
    "appeal",  # open an appeal, due `within`
    "write_off",  # write off the balance with `reason`
    "bill_patient",  # move patient responsibility to patient billing
    "close",  # close the claim
    "stop",  # end the flow here, leaving the claim as it is
]

# Actions after which the flow does not go on to the next step.
TERMINAL_ACTIONS = frozenset(
    {
        "route",
        "route_by_denial_table",
        "goto",
        "resubmit",
        "appeal",
        "write_off",
        "bill_patient",
        "close",
        "stop",
    }
)


class Action(PlanModel):
    kind: Literal["action"] = "action"
    do: ActionName
    args: list[str] = Field(default_factory=list)
    within: Duration | None = None
    reason: str | None = None
    line: int | None = None  # source line, for explanations


class CycleTimer(PlanModel):
    """A non-interrupting timer: every `every`, run `actions`, while the wait lasts."""

    every: Duration
    actions: list[Action]


WaitEvent = Literal["999", "277CA", "835"]
WaitOutcome = Literal["accepted", "rejected", "received", "timeout"]


class WaitStep(PlanModel):
    wait_for: WaitEvent
    timeout: Duration
    on: dict[WaitOutcome, list[Action]] = Field(default_factory=dict)
    every: list[CycleTimer] = Field(default_factory=list)
    line: int | None = None


class Task(PlanModel):
    """A human task inside a route: a work item in a named queue."""

    kind: Literal["task"] = "task"
    title: str
    queue: str
    due: Duration | None = None
    on_done: list[Action] = Field(default_factory=list)
    on_overdue: list[Action] = Field(default_factory=list)
    line: int | None = None


RouteStep = Annotated[Action | Task, Field(discriminator="kind")]


class Route(PlanModel):
    name: str
    title: str
    steps: list[RouteStep]


class TimelyFiling(PlanModel):
    """Filing limits by claim kind ("new claim", "corrected claim", "appeal", ...)."""

    limits: dict[str, Duration]
    anchors: dict[str, str]  # kind -> anchor phrase ("date of service", ...)
    roll_to_business_day: bool = False
    warn_before: Duration | None = None
    exceptions_route: str | None = None


class FlowPlan(PlanModel):
    """Everything the workflow needs from a payer's ruleset, as plain data."""

    schema_version: int = PLAN_SCHEMA_VERSION
    ruleset_id: str
    payer_name: str
    version: str
    ruleset_hash: str
    after_submission: list[WaitStep]
    routes: dict[str, Route] = Field(default_factory=dict)
    timely_filing: TimelyFiling
    holidays: list[date] = Field(default_factory=list)


# --------------------------------------------------------------------------- dates


def add_months(start: date, months: int) -> date:
    """Same calendar day ``months`` later, clamped at month end (Feb 29 -> Feb 28)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def is_business_day(day: date, holidays: frozenset[date] | set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: date, holidays: frozenset[date] | set[date]) -> date:
    """``day`` itself when it is a business day, else the next one."""
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_duration(start: date, duration: Duration, holidays: list[date] = ()) -> date:
    """The calendar date ``duration`` after ``start``, business days counted exactly."""
    unit, n = duration.unit, duration.n
    if unit in ("day", "hour"):
        return start + timedelta(days=n if unit == "day" else -(-n // 24))
    if unit == "week":
        return start + timedelta(weeks=n)
    if unit == "month":
        return add_months(start, n)
    if unit == "year":
        return add_months(start, 12 * n)
    off = frozenset(holidays)
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, off):
            remaining -= 1
    return day


def duration_to_timedelta(
    start: date, duration: Duration, holidays: list[date] = ()
) -> timedelta:
    """How long a durable timer started on ``start`` must sleep for ``duration``."""
    if duration.unit == "hour":
        return timedelta(hours=duration.n)
    return add_duration(start, duration, holidays) - start
