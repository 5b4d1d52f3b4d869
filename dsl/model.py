"""The checked form of one rule file, as the builder produces it from the parse tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dsl.conditions import Cond, Pos
from dsl.plan import Action, Duration, Route, WaitStep


@dataclass
class Use:
    kind: str  # library | codeset | table | calendar
    path: str
    pin: str  # library version or data release
    alias: str
    pos: Pos
    since: date | None = None  # `from <date>`: this release from that date of service
    loaded: Any = None  # the Table the linker loaded for this line


@dataclass
class Message:
    """A message template; ``render`` fills ``{field}`` placeholders."""

    text: str
    placeholders: list[str]
    pos: Pos


@dataclass
class Check:
    kind: str  # ptp | mue
    table: str
    bypass: list[str]
    pos: Pos


@dataclass
class Edit:
    id: str
    title: str
    pos: Pos
    subject: str = "claim"  # claim | line | diagnosis
    where: Cond | None = None
    flag: Cond | None = None
    unless: Cond | None = None
    check: Check | None = None
    severity: str | None = None
    carc: str | None = None
    rarc: str | None = None
    message: Message | None = None
    fix: str | None = None
    effective: tuple[date, date | None] | None = None


@dataclass
class Requirement:
    cond: Cond
    severity: str
    id: str
    message: Message
    pos: Pos


@dataclass
class Disable:
    id: str
    reason: str
    pos: Pos


@dataclass
class Override:
    """``override edit alias.ID ... end``: the items given replace the library's."""

    id: str
    edit: Edit  # only the items in ``given`` are meaningful
    given: set[str]
    pos: Pos


@dataclass
class Timely:
    limits: dict[str, tuple[Duration, str]] = field(default_factory=dict)
    dos_rule: dict[str, str] = field(
        default_factory=lambda: {
            "professional": "line_from_date",
            "institutional": "claim_through_date",
        }
    )
    roll: bool = False
    warn: Duration | None = None
    exceptions_route: str | None = None
    pos: Pos | None = None


@dataclass
class Branch:
    cond: Cond | None  # None for `otherwise`
    actions: list[Action]
    pos: Pos


@dataclass
class Gateway:
    name: str
    title: str
    branches: list[Branch]
    pos: Pos


@dataclass
class Row:
    groups: list[str] | None  # None means any
    carcs: list[str] | None
    rarcs: list[str] | None
    route: str
    pos: Pos

    @property
    def catch_all(self) -> bool:
        return self.groups is None and self.carcs is None and self.rarcs is None


@dataclass
class DenialTable:
    policy: str
    rows: list[Row]
    pos: Pos


@dataclass
class Expectation:
    kind: str  # edit | no_edit | no_edits | deadline | warning | gateway | action
    pos: Pos
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class TestCase:
    name: str
    pos: Pos
    claim: dict[str, Any] | None = None
    claim_file: tuple[str, Pos] | None = None  # path relative to the rule file
    claim_input: Any = None  # the ScrubInput loaded from claim_file by the linker
    remittance: dict[str, Any] | None = None
    submission: tuple[date, list[tuple[str, str, Duration]]] | None = None
    expectations: list[Expectation] = field(default_factory=list)


@dataclass
class RuleFile:
    """Everything one ``.rules`` file declares."""

    path: str
    display: str
    kind: str = "ruleset"  # ruleset | library
    name: str = ""  # ruleset ID or library name
    name_pos: Pos | None = None
    payer: str = ""
    version: str = ""
    effective: tuple[date, date | None, str] | None = None
    effective_pos: Pos | None = None
    replaces: str | None = None
    uses: list[Use] = field(default_factory=list)
    timely: Timely | None = None
    requirements: list[Requirement] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    disables: list[Disable] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    waits: list[WaitStep] | None = None
    gateways: dict[str, Gateway] = field(default_factory=dict)
    denial_table: DenialTable | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    route_pos: dict[str, Pos] = field(default_factory=dict)
    route_refs: list[tuple[str, Pos]] = field(default_factory=list)
    gateway_refs: list[tuple[str, Pos]] = field(default_factory=list)
    data_refs: list[tuple[str, str, Pos]] = field(default_factory=list)
    tests: list[TestCase] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # alias -> loaded data
    canonical: str = ""  # position- and comment-free form of the parse tree
    lines: list[str] = field(default_factory=list)  # the text, for carets in messages
    # What blocks left out for a syntax error declare ("route:fix", "section:timely"):
    # the checks do not call those missing (see dsl.recover).
    cut: set[str] = field(default_factory=set)
    # Where each ruleset-only section starts ("timely filing" -> its first line), so
    # a library that holds one is told so instead of having it ignored.
    sections: dict[str, Pos] = field(default_factory=dict)
