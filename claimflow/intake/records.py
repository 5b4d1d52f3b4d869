"""The Synthea v3.0 CSV export, read into plain records.

Only the columns billing needs are kept. Dates are the UTC calendar dates of
Synthea's timestamps.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class SyntheaPatient:
    uuid: str
    birth_date: date
    first_name: str
    last_name: str
    sex: str
    address: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class SyntheaEncounter:
    uuid: str
    start: date
    start_time: str  # the full timestamp, for ordering
    patient: str
    organization: str
    provider: str
    encounter_class: str
    code: str
    reason_code: str


@dataclass(frozen=True)
class SyntheaCoded:
    """A condition or procedure recorded at an encounter."""

    start: date
    code: str
    reason_code: str = ""


@dataclass(frozen=True)
class SyntheaParty:
    """A provider (person) or an organization."""

    uuid: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    organization: str = ""


@dataclass(frozen=True)
class SyntheaTransition:
    """One span of a patient's insurance (payer_transitions.csv)."""

    patient: str
    member_id: str
    start: date
    end: date
    payer: str
    start_time: str  # full timestamps: spans meet at an instant, not a day
    end_time: str
    secondary_payer: str = ""
    ownership: str = ""  # Self, Spouse, Guardian (who holds the policy)

    def covers(self, encounter: SyntheaEncounter) -> bool:
        """Whether the encounter started inside this span."""
        return self.start_time <= encounter.start_time < self.end_time


@dataclass
class SyntheaData:
    """The parts of a Synthea export that billing uses."""

    patients: dict[str, SyntheaPatient]
    encounters: list[SyntheaEncounter]
    conditions: dict[str, list[SyntheaCoded]]  # by encounter uuid
    procedures: dict[str, list[SyntheaCoded]]  # by encounter uuid
    providers: dict[str, SyntheaParty]
    organizations: dict[str, SyntheaParty]
    payer_names: dict[str, str]  # payer uuid -> Synthea payer name
    transitions: dict[str, list[SyntheaTransition]] = field(default_factory=dict)


def read_export(folder: Path) -> SyntheaData:
    """Read a Synthea CSV export folder."""
    patients = {
        row["Id"]: SyntheaPatient(
            uuid=row["Id"],
            birth_date=_day(row["BIRTHDATE"]),
            first_name=row["FIRST"],
            last_name=row["LAST"],
            sex=row["GENDER"] if row["GENDER"] in ("M", "F") else "U",
            address=row["ADDRESS"],
            city=row["CITY"],
            state=row["STATE"],
            zip=row["ZIP"],
        )
        for row in _rows(folder, "patients")
    }
    encounters = [
        SyntheaEncounter(
            uuid=row["Id"],
            start=_day(row["START"]),
            start_time=row["START"],
            patient=row["PATIENT"],
            organization=row["ORGANIZATION"],
            provider=row["PROVIDER"],
            encounter_class=row["ENCOUNTERCLASS"],
            code=row["CODE"],
            reason_code=row["REASONCODE"],
        )
        for row in _rows(folder, "encounters")
    ]
    conditions: dict[str, list[SyntheaCoded]] = defaultdict(list)
    for row in _rows(folder, "conditions"):
        conditions[row["ENCOUNTER"]].append(
            SyntheaCoded(start=_day(row["START"]), code=row["CODE"])
        )
    procedures: dict[str, list[SyntheaCoded]] = defaultdict(list)
    for row in _rows(folder, "procedures"):
        procedures[row["ENCOUNTER"]].append(
            SyntheaCoded(
                start=_day(row["START"]),
                code=row["CODE"],
                reason_code=row["REASONCODE"],
            )
        )
    transitions: dict[str, list[SyntheaTransition]] = defaultdict(list)
    for row in _rows(folder, "payer_transitions"):
        transitions[row["PATIENT"]].append(
            SyntheaTransition(
                patient=row["PATIENT"],
                member_id=row["MEMBERID"],
                start=_day(row["START_YEAR"]),
                end=_day(row["END_YEAR"]),
                payer=row["PAYER"],
                start_time=row["START_YEAR"],
                end_time=row["END_YEAR"],
                secondary_payer=row["SECONDARY_PAYER"],
                ownership=row["OWNERSHIP"],
            )
        )
    return SyntheaData(
        patients=patients,
        encounters=encounters,
        conditions=dict(conditions),
        procedures=dict(procedures),
        providers={row["Id"]: _party(row) for row in _rows(folder, "providers")},
        organizations={
            row["Id"]: _party(row) for row in _rows(folder, "organizations")
        },
        payer_names={row["Id"]: row["NAME"] for row in _rows(folder, "payers")},
        transitions=dict(transitions),
    )


def _party(row: dict[str, str]) -> SyntheaParty:
    return SyntheaParty(
        uuid=row["Id"],
        name=row["NAME"],
        address=row["ADDRESS"],
        city=row["CITY"],
        state=row["STATE"],
        zip=row["ZIP"],
        organization=row.get("ORGANIZATION", ""),
    )
