"""Our reference tables: crosswalks, fee schedule, payers, town ZIPs."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from claimflow.models import money
from claimflow.reference import CROSSWALK_DIR, REFERENCE_DIR


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class EncounterRule:
    """What one encounter type bills (a row of snomed_encounter.csv)."""

    kind: str  # preventive, office, urgent, ed, inpatient, procedures, service, none
    level: int | None
    service_code: str
    default_dx_adult: str
    default_dx_child: str
    basis: str


@dataclass(frozen=True)
class PayerEntry:
    payer_id: str  # "" for NO_INSURANCE
    name: str
    x12_payer_id: str
    plan_type: str


@dataclass(frozen=True)
class ReferenceTables:
    """Everything the Synthea intake looks codes and charges up in."""

    encounters: dict[str, EncounterRule]
    procedures: dict[str, str]  # snomed -> CPT/HCPCS, "" when bundled
    procedure_basis: dict[str, str]
    diagnoses: dict[str, str]  # snomed -> ICD-10-CM, "" when not coded
    diagnosis_basis: dict[str, str]
    fees: dict[str, Decimal]
    payers: dict[str, PayerEntry]  # by Synthea payer name
    town_zips: dict[tuple[str, str], str]  # (state, city upper) -> ZIP
    states: dict[str, str]  # state name -> USPS code


def load_reference(folder: Path = REFERENCE_DIR) -> ReferenceTables:
    """Read the reference tables (the package's own unless ``folder`` is given)."""
    crosswalk = folder / CROSSWALK_DIR.name
    encounter_rows = _rows(crosswalk / "snomed_encounter.csv")
    procedure_rows = _rows(crosswalk / "snomed_procedure.csv")
    diagnosis_rows = _rows(crosswalk / "snomed_icd10cm.csv")
    return ReferenceTables(
        encounters={
            row["snomed"]: EncounterRule(
                kind=row["kind"],
                level=int(row["level"]) if row["level"] else None,
                service_code=row["service_code"],
                default_dx_adult=row["default_dx_adult"],
                default_dx_child=row["default_dx_child"],
                basis=row["basis"],
            )
            for row in encounter_rows
        },
        procedures={row["snomed"]: row["code"] for row in procedure_rows},
        procedure_basis={row["snomed"]: row["basis"] for row in procedure_rows},
        diagnoses={row["snomed"]: row["icd10cm"] for row in diagnosis_rows},
        diagnosis_basis={row["snomed"]: row["basis"] for row in diagnosis_rows},
        fees={
            row["code"]: money(row["charge"])
            for row in _rows(folder / "fee_schedule.csv")
        },
        payers={
            row["synthea_name"]: PayerEntry(
                payer_id=row["payer_id"],
                name=row["name"],
                x12_payer_id=row["x12_payer_id"],
                plan_type=row["plan_type"],
            )
            for row in _rows(folder / "payers.csv")
        },
        town_zips={
            (row["state"], row["city"].upper()): row["zip"]
            for row in _rows(folder / "town_zip.csv")
        },
        states={row["name"]: row["code"] for row in _rows(folder / "us_states.csv")},
    )
