"""Pinned reference data: code sets, NCCI-style tables and the holiday calendar.

Tables and code sets are CSV files under the rules folder (``tables/``,
``codesets/``); every row carries a ``release`` and a ``source`` column, and a rule
file's pin must equal the file's release. Loading happens once, when a ruleset is
compiled; evaluation only reads the loaded, immutable objects.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

FEDERAL_CALENDAR = "calendars/us-federal-holidays"
FEDERAL_RELEASE = "5usc6103-2021"  # the list in 5 U.S.C. 6103, Juneteenth included


class DataError(ValueError):
    """A data file is missing, malformed or of another release than pinned."""


@dataclass(frozen=True)
class PtpRow:
    column1: str
    column2: str
    effective: date
    deletion: date | None
    indicator: str  # 0 never bypassable, 1 bypassable by modifier, 9 not applicable

    def active_on(self, day: date) -> bool:
        return self.effective <= day and (self.deletion is None or day < self.deletion)


@dataclass(frozen=True)
class MueRow:
    code: str
    limit: Decimal
    mai: int  # 1 per line, 2 per date of service (policy), 3 per date (clinical)


@dataclass(frozen=True)
class Table:
    """A loaded table; ``code in table`` asks whether a code has a row."""

    kind: str  # ptp | mue | list | codeset
    release: str
    digest: str
    codes: frozenset[str]
    pairs: dict[tuple[str, str], tuple[PtpRow, ...]]
    limits: dict[str, MueRow]
    path: str = ""  # as written in `use table|codeset`, e.g. tables/mue-demo

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def at(self, day: date) -> Table:
        """The release in force on ``day``: a single release is always in force."""
        return self


@dataclass(frozen=True)
class DatedTable:
    """Releases of one table chosen by date of service (quarterly NCCI/MUE files).

    ``entries`` are ``(first day, table)`` in date order; the first entry's day is
    ``None`` and covers every date before the second.
    """

    entries: tuple[tuple[date | None, Table], ...]

    @property
    def kind(self) -> str:
        return self.entries[0][1].kind

    @property
    def path(self) -> str:
        return self.entries[0][1].path

    @property
    def release(self) -> str:
        return ", ".join(table.release for _, table in self.entries)

    def at(self, day: date) -> Table:
        """The release whose window contains ``day``."""
        chosen = self.entries[0][1]
        for since, table in self.entries[1:]:
            if day >= since:
                chosen = table
        return chosen


def _parse_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def load_table(root: Path, rel_path: str, release: str) -> Table:
    """Load ``<root>/<rel_path>.csv`` and check it is the pinned release.

    Args:
        root: The rules folder.
        rel_path: The path as written in ``use table|codeset``, without ``.csv``.
        release: The release the rule file pins.

    Returns:
        The loaded table.

    Raises:
        DataError: The file is missing, malformed, or of another release.
    """
    path = root / f"{rel_path}.csv"
    if not path.is_file():
        raise DataError(f"Data file `{rel_path}` was not found ({path.name})")
    raw = path.read_bytes()
    rows = list(
        csv.DictReader(
            line
            for line in raw.decode().splitlines()
            if line and not line.startswith("#")
        )
    )
    releases = {row.get("release", "") for row in rows}
    if releases != {release}:
        found = ", ".join(sorted(releases)) or "empty"
        raise DataError(
            f"`{rel_path}` is release {found}, but this file asks for {release}"
        )
    header = set(rows[0]) if rows else set()
    pairs: dict[tuple[str, str], list[PtpRow]] = {}
    limits: dict[str, MueRow] = {}
    try:
        if {"column1", "column2", "modifier_indicator"} <= header:
            kind = "ptp"
            for row in rows:
                ptp = PtpRow(
                    row["column1"],
                    row["column2"],
                    date.fromisoformat(row["effective"]),
                    _parse_date(row["deletion"]),
                    row["modifier_indicator"],
                )
                pairs.setdefault((ptp.column1, ptp.column2), []).append(ptp)
            codes = frozenset(c for pair in pairs for c in pair)
        elif {"code", "mue", "mai"} <= header:
            kind = "mue"
            limits = {
                r["code"]: MueRow(r["code"], Decimal(r["mue"]), int(r["mai"]))
                for r in rows
            }
            codes = frozenset(limits)
        elif "code" in header:
            kind = "list"
            codes = frozenset(row["code"] for row in rows)
        else:
            raise DataError(f"`{rel_path}` has no `code` or `column1,column2` columns")
    except (KeyError, ValueError, ArithmeticError) as exc:
        raise DataError(f"`{rel_path}` has a malformed row: {exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    frozen = {k: tuple(v) for k, v in pairs.items()}
    return Table(kind, release, digest, codes, frozen, limits, rel_path)


# --------------------------------------------------------------------------- calendar


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def federal_holidays(year: int) -> list[date]:
    """US federal holidays observed in ``year`` (Saturday to Friday, Sunday to Monday).

    Args:
        year: The calendar year.

    Returns:
        Sorted observed dates that fall inside ``year``; a New Year's Day that falls
        on a Saturday is observed on December 31 of the year before.
    """
    days = []
    for y in (year, year + 1):
        fixed = [(1, 1), (7, 4), (11, 11), (12, 25)] + ([(6, 19)] if y >= 2021 else [])
        days += [_observed(date(y, m, d)) for m, d in fixed]
        days += [
            _nth_weekday(y, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
            _nth_weekday(y, 2, 0, 3),  # Washington's Birthday
            _last_weekday(y, 5, 0),  # Memorial Day
            _nth_weekday(y, 9, 0, 1),  # Labor Day
            _nth_weekday(y, 10, 0, 2),  # Columbus Day
            _nth_weekday(y, 11, 3, 4),  # Thanksgiving Day
        ]
    return sorted(d for d in set(days) if d.year == year)
