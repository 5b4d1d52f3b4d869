"""The simulated payers' member roster: who is covered, by whom, and when."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter


class Member(BaseModel):
    """One coverage span a payer knows about."""

    model_config = ConfigDict(extra="ignore")

    member_id: str
    payer_id: str
    start: date | None = None
    end: date | None = None
    plan_type: str = "CI"

    def covers(self, day: date) -> bool:
        """Return True when the coverage is in force on ``day`` (ends inclusive)."""
        if self.start is not None and day < self.start:
            return False
        return self.end is None or day <= self.end


class Coverage(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


_MEMBERS = TypeAdapter(list[Member])


def _key(payer_id: str, member_id: str) -> tuple[str, str]:
    return payer_id.strip().upper(), member_id.strip().upper()


class Roster:
    """Members indexed by payer and member id; a member may have several spans."""

    def __init__(self, members: Iterable[Member] = ()) -> None:
        self.members = list(members)
        self._index: dict[tuple[str, str], list[Member]] = {}
        for member in self.members:
            self._index.setdefault(_key(member.payer_id, member.member_id), []).append(
                member
            )

    def find(
        self, payer_id: str, member_id: str, day: date
    ) -> tuple[Coverage, Member | None]:
        """Look a member up on a date of service.

        Args:
            payer_id: the payer billed.
            member_id: the member id on the claim or inquiry.
            day: the date of service.

        Returns:
            ``(ACTIVE, span)`` for the span in force on ``day``; ``(INACTIVE, span)``
            with the latest span when the member is known but not covered then;
            ``(UNKNOWN, None)`` when the payer has no such member.
        """
        spans = self._index.get(_key(payer_id, member_id), [])
        for span in spans:
            if span.covers(day):
                return Coverage.ACTIVE, span
        if spans:
            latest = max(spans, key=lambda span: span.start or date.min)
            return Coverage.INACTIVE, latest
        return Coverage.UNKNOWN, None

    def to_json(self) -> str:
        """Return the roster as a JSON list of members."""
        return _MEMBERS.dump_json(self.members, indent=1).decode()


def parse_roster(raw: str | bytes) -> Roster:
    """Build a roster from JSON: a list of members or ``{"members": [...]}``.

    Raises:
        ValueError: when the JSON is malformed or a member lacks a required field.
    """
    data = json.loads(raw)
    if isinstance(data, dict):
        data = data.get("members", [])
    return Roster(_MEMBERS.validate_python(data))


def load_roster(path: Path) -> Roster:
    """Read a roster file (see ``parse_roster``)."""
    return parse_roster(path.read_bytes())
