"""Intake of Synthea encounters: one claim per billable encounter.

``load_synthea`` reads a Synthea v3.0 CSV export (the package ships a
27-patient sample), ``plan_claims`` turns encounters into claims without
touching a database, and ``intake`` writes the plan to the ledger.

What a claim holds:

* lines: the encounter's E/M code (from ``snomed_encounter.csv``, by age and
  new/established status) then one line per separately billable procedure
  (``snomed_procedure.csv``), each priced from ``fee_schedule.csv``; a code
  billed twice on one date becomes one line with more units;
* diagnoses: the encounter's reason, then the conditions recorded at it, then
  the procedures' reasons, mapped with ``snomed_icd10cm.csv`` (at most 12);
  preventive visits put their Z00 code first, other visits fall back to the
  encounter type's default diagnosis when they name none;
* place of service from the encounter class (ambulatory, wellness, outpatient
  11; emergency 23; inpatient 21; urgent care 20);
* the payer whose payer_transitions span holds the encounter's start (a
  Medicare plan's member ID becomes a synthetic MBI,
  ``identifiers.synthetic_mbi``), and the span's secondary payer as the
  patient's secondary coverage (the sample has no member ID for it:
  ``identifiers.secondary_member_id`` makes one).

Nothing is dropped silently: an encounter without a payer, without coverage on
its date, with a code missing from a crosswalk or a charge missing from the fee
schedule, or with nothing billable, is listed in ``IntakePlan.unbillable`` with
the reason. What a claim deliberately leaves out (bundled procedures, social
findings that are not coded, a secondary payer we have no payer for, a policy
held by a spouse or guardian) is listed in the claim's ``notes``.

Re-dating (``as_of``): the sample's encounters run from the 1960s to 2024, past
every filing limit today. Given ``as_of``, each planned claim is moved forward
by a whole number of weeks so that its first date of service falls in the 28
days before ``as_of`` and keeps its weekday. Of the four such dates, the week
is chosen from the original date (its week number modulo 4), which spreads the
claims over the four weeks. The claim's patient birth date and its coverage
span move by the same number of days, so age at service (in days) and
coverage on the date of service do not change. The ledger's patients and
coverages tables keep the sample's own dates; the claim version keeps what was
billed; ``PlannedClaim.shift_days`` records the move. A secondary coverage is
the exception: ``intake`` records it moved by the claim's shift, so that it is
active on the billed date of service, and names it as the claim's next
coverage (``Ledger.set_next_coverage``): re-dated claims of one patient from
other spans share those dates, and must not find it by date.

Privacy: Synthea UUIDs and SSNs never leave this module. The ledger sees hashed
keys (``identifiers.patient_key``), and claims carry the ledger's integer
patient id.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from claimflow.intake.crosswalk import EncounterRule, ReferenceTables, load_reference
from claimflow.intake.em import (
    NEW_PATIENT_WINDOW,
    age_on,
    default_diagnosis,
    em_code,
)
from claimflow.intake.identifiers import (
    encounter_key,
    patient_key,
    secondary_member_id,
    synthetic_mbi,
    synthetic_npi,
    synthetic_tax_id,
    zip5,
    zip9,
)
from claimflow.intake.records import (
    SyntheaData,
    SyntheaEncounter,
    SyntheaPatient,
    read_export,
)
from claimflow.intake.results import (
    IntakePlan,
    IntakeResult,
    PlannedClaim,
    PlannedPatient,
    Unbillable,
)
from claimflow.ledger import Ledger
from claimflow.models import (
    Address,
    Claim,
    Coverage,
    Patient,
    Provider,
    ServiceLine,
)
from claimflow.reference import SYNTHEA_DIR

PLACE_OF_SERVICE = {
    "ambulatory": "11",
    "wellness": "11",
    "outpatient": "11",
    "emergency": "23",
    "inpatient": "21",
    "urgentcare": "20",
}
MAX_DIAGNOSES = 12
REDATE_WINDOW_DAYS = 28


class NotBillable(Exception):
    """Raised inside planning with the reason an encounter gets no claim."""


def load_synthea(folder: Path | None = None) -> SyntheaData:
    """Read a Synthea CSV export (the shipped 27-patient sample by default)."""
    return read_export(folder or SYNTHEA_DIR)


def redate_shift(service_date: date, as_of: date) -> int:
    """Days (a multiple of 7) that move ``service_date`` into the window.

    The window is the 28 days before ``as_of``; see the module docstring.
    """
    latest = as_of - timedelta(days=1)
    same_weekday = latest - timedelta(days=(latest - service_date).days % 7)
    week = (service_date.toordinal() // 7) % (REDATE_WINDOW_DAYS // 7)
    return (same_weekday - timedelta(weeks=week) - service_date).days


def plan_claims(
    data: SyntheaData,
    limit: int | None = None,
    as_of: date | None = None,
    reference: ReferenceTables | None = None,
) -> IntakePlan:
    """Plan one claim per billable encounter.

    Args:
        data: A loaded export (``load_synthea``).
        limit: Stop after the first ``limit`` billable encounters by start
            time; every encounter before the last of them that cannot be
            billed is listed with its reason.
        as_of: Re-date claims into the 28 days before this date.
        reference: Reference tables (the package's own by default).

    Returns:
        The planned claims and the unbillable encounters, in start-time order.
    """
    tables = reference or load_reference()
    encounters = sorted(data.encounters, key=lambda e: (e.start_time, e.uuid))
    planner = _Planner(data, tables, encounters, as_of)
    plan = IntakePlan(as_of=as_of, considered=0)
    for encounter in encounters:
        if limit is not None and len(plan.claims) >= limit:
            break
        plan.considered += 1
        try:
            plan.claims.append(planner.plan(encounter))
        except NotBillable as reason:
            plan.unbillable.append(
                Unbillable(
                    encounter_key=encounter_key(encounter.uuid),
                    start=encounter.start,
                    encounter_class=encounter.encounter_class,
                    encounter_code=encounter.code,
                    reason=str(reason),
                )
            )
    return plan


def intake(ledger: Ledger, plan: IntakePlan) -> IntakeResult:
    """Write a plan to the ledger: payers, providers, patients, claims.

    Idempotent: a second run finds every claim by its encounter key and
    creates nothing.
    """
    result = IntakeResult(unbillable=list(plan.unbillable))
    for planned in plan.claims:
        coverage = planned.coverage
        ledger.upsert_payer(
            coverage.payer_id,
            coverage.payer_name,
            planned.x12_payer_id,
            coverage.plan_type,
        )
        ledger.upsert_provider(planned.billing_provider)
        ledger.upsert_provider(planned.rendering_provider)
        person = planned.patient
        patient_id = ledger.upsert_patient(
            person.key,
            person.first_name,
            person.last_name,
            person.birth_date,
            person.sex,
            person.address,
        )
        ledger.add_coverage(patient_id, planned.coverage)
        existing = ledger.claim_for_encounter(planned.encounter_key)
        if existing is not None:
            claim_id = existing
            result.already_there += 1
        else:
            claim = planned.claim.model_copy(deep=True)
            claim.patient.patient_id = patient_id
            claim_id = ledger.create_claim(planned.encounter_key, claim)
            result.created += 1
        result.claim_ids.append(claim_id)
        secondary = billed_secondary(planned)
        if secondary is not None:
            ledger.upsert_payer(
                secondary.payer_id,
                secondary.payer_name,
                planned.secondary_x12_payer_id or secondary.payer_id,
                secondary.plan_type,
            )
            coverage_id = ledger.add_coverage(patient_id, secondary)
            ledger.set_next_coverage(claim_id, coverage_id)
    return result


def billed_secondary(planned: PlannedClaim) -> Coverage | None:
    """The planned claim's secondary coverage, moved as its dates of service were."""
    found = planned.secondary_coverage
    if found is None:
        return None
    moved = timedelta(days=planned.shift_days)
    return found.model_copy(
        update={
            "start": found.start + moved if found.start else None,
            "end": found.end + moved if found.end else None,
        }
    )


class _Planner:
    """Builds one encounter's claim; raises NotBillable with the reason."""

    def __init__(
        self,
        data: SyntheaData,
        tables: ReferenceTables,
        encounters: list[SyntheaEncounter],
        as_of: date | None,
    ) -> None:
        self.data, self.tables, self.as_of = data, tables, as_of
        self.visits: dict[tuple[str, str], list[str]] = defaultdict(list)
        for encounter in encounters:  # already in start-time order
            key = (encounter.patient, encounter.organization)
            self.visits[key].append(encounter.start_time)

    def plan(self, encounter: SyntheaEncounter) -> PlannedClaim:
        rule = self.tables.encounters.get(encounter.code)
        if rule is None:
            raise NotBillable(f"no crosswalk entry for encounter code {encounter.code}")
        if rule.kind == "none":
            raise NotBillable(f"nothing billable: {rule.basis}")
        patient = self.data.patients[encounter.patient]
        notes: list[str] = []
        coverage, x12_payer_id = self._coverage(encounter, notes)
        secondary = self._secondary(encounter, coverage.member_id, notes)
        address = self._address(patient)
        age = age_on(patient.birth_date, encounter.start)
        codes = self._line_codes(encounter, rule, age, notes)
        diagnoses, reasons = self._diagnoses(encounter, rule, patient, notes)
        shift = redate_shift(encounter.start, self.as_of) if self.as_of else 0
        moved = timedelta(days=shift)
        place = PLACE_OF_SERVICE.get(encounter.encounter_class, "11")
        lines = [
            ServiceLine(
                line_number=number,
                procedure=code,
                units=Decimal(count),
                charge=self._fee(code) * count,
                service_date=day + moved,
                place_of_service=place,
                diagnosis_pointers=_pointers(diagnoses, reasons.get(reason)),
                line_control_number="pending",
            )
            for number, ((code, day), (count, reason)) in enumerate(
                _merge(codes).items(), start=1
            )
        ]
        billing = self._billing_provider(encounter.organization)
        rendering = self._rendering_provider(encounter.provider)
        claim = Claim(
            claim_id=0,
            patient_control_number="pending",
            billing_provider=billing,
            rendering_provider=rendering,
            patient=Patient(
                patient_id=0,
                first_name=patient.first_name,
                last_name=patient.last_name,
                birth_date=patient.birth_date + moved,
                sex=patient.sex,
                address=address,
            ),
            coverage=coverage.model_copy(
                update={"start": coverage.start + moved, "end": coverage.end + moved}
            ),
            diagnoses=diagnoses,
            lines=lines,
            encounter_id=None,
        )
        return PlannedClaim(
            encounter_key=encounter_key(encounter.uuid),
            encounter_class=encounter.encounter_class,
            original_start=encounter.start,
            shift_days=shift,
            patient=PlannedPatient(
                key=patient_key(patient.uuid),
                first_name=patient.first_name,
                last_name=patient.last_name,
                birth_date=patient.birth_date,
                sex=patient.sex,
                address=address,
            ),
            coverage=coverage,
            x12_payer_id=x12_payer_id,
            secondary_coverage=secondary[0] if secondary else None,
            secondary_x12_payer_id=secondary[1] if secondary else None,
            billing_provider=billing,
            rendering_provider=rendering,
            claim=claim,
            notes=notes,
        )

    # ------------------------------------------------------------- coverage

    def _coverage(
        self, encounter: SyntheaEncounter, notes: list[str]
    ) -> tuple[Coverage, str]:
        spans = self.data.transitions.get(encounter.patient, [])
        span = next((s for s in spans if s.covers(encounter)), None)
        if span is None:
            raise NotBillable(f"no coverage on {encounter.start}")
        name = self.data.payer_names.get(span.payer, span.payer)
        entry = self.tables.payers.get(name)
        if entry is None:
            raise NotBillable(f"no payer mapping for Synthea payer {name!r}")
        if not entry.payer_id:
            raise NotBillable(f"no payer: uninsured ({name}) on {encounter.start}")
        if span.ownership not in ("", "Self"):
            notes.append(
                f"policy held by the patient's {span.ownership.lower()}: billed "
                "with the patient as subscriber (Coverage has no subscriber fields)"
            )
        # Medicare plans (MB) bill an MBI; the sample's member IDs are UUIDs.
        member = span.member_id
        if entry.plan_type == "MB":
            member = synthetic_mbi(member)
        coverage = Coverage(
            payer_id=entry.payer_id,
            payer_name=entry.name,
            member_id=member,
            plan_type=entry.plan_type,
            start=span.start,
            end=span.end,
        )
        return coverage, entry.x12_payer_id

    def _secondary(
        self, encounter: SyntheaEncounter, primary_member: str, notes: list[str]
    ) -> tuple[Coverage, str] | None:
        """The covering span's secondary payer, one priority down, if we bill it."""
        spans = self.data.transitions.get(encounter.patient, [])
        span = next((s for s in spans if s.covers(encounter)), None)
        if span is None or not span.secondary_payer:
            return None
        name = self.data.payer_names.get(span.secondary_payer, "unknown")
        entry = self.tables.payers.get(name)
        if entry is None or not entry.payer_id:
            notes.append(f"secondary payer {name} on file: no payer to bill")
            return None
        coverage = Coverage(
            payer_id=entry.payer_id,
            payer_name=entry.name,
            member_id=secondary_member_id(primary_member, entry.payer_id),
            plan_type=entry.plan_type,
            priority="secondary",
            start=span.start,
            end=span.end,
        )
        return coverage, entry.x12_payer_id

    # ------------------------------------------------------------- parties

    def _state(self, name: str) -> str:
        code = name if len(name) == 2 else self.tables.states.get(name)
        if code is None:
            raise NotBillable(f"unknown state name {name!r} in an address")
        return code

    def _address(self, patient: SyntheaPatient) -> Address:
        state = self._state(patient.state)
        found = zip5(patient.zip) or self.tables.town_zips.get(
            (state, patient.city.upper())
        )
        if not found:
            raise NotBillable(
                "patient address has no ZIP code and the town is not in town_zip.csv"
            )
        return Address(line1=patient.address, city=patient.city, state=state, zip=found)

    def _billing_provider(self, uuid: str) -> Provider:
        org = self.data.organizations[uuid]
        return Provider(
            npi=synthetic_npi(uuid, organization=True),
            name=org.name,
            tax_id=synthetic_tax_id(uuid),
            address=Address(
                line1=org.address,
                city=org.city,
                state=self._state(org.state),
                zip=zip9(org.zip),
            ),
            is_organization=True,
        )

    def _rendering_provider(self, uuid: str) -> Provider:
        return Provider(
            npi=synthetic_npi(uuid, organization=False),
            name=self.data.providers[uuid].name,
        )

    # ------------------------------------------------------------- lines

    def _is_new(self, encounter: SyntheaEncounter) -> bool:
        starts = self.visits[(encounter.patient, encounter.organization)]
        earlier = starts[: bisect_left(starts, encounter.start_time)]
        window = (encounter.start - NEW_PATIENT_WINDOW).isoformat()
        return not any(start >= window for start in earlier)

    def _line_codes(
        self,
        encounter: SyntheaEncounter,
        rule: EncounterRule,
        age: int,
        notes: list[str],
    ) -> list[tuple[str, date, str]]:
        """(code, service date, procedure reason SNOMED) per line to bill."""
        codes: list[tuple[str, date, str]] = []
        visit = em_code(rule, age, self._is_new(encounter))
        if visit:
            codes.append((visit, encounter.start, ""))
        for procedure in self.data.procedures.get(encounter.uuid, []):
            code = self.tables.procedures.get(procedure.code)
            if code is None:
                raise NotBillable(
                    f"no crosswalk entry for procedure code {procedure.code}"
                )
            if not code:
                basis = self.tables.procedure_basis[procedure.code]
                notes.append(f"procedure {procedure.code} not billed: {basis}")
                continue
            codes.append((code, procedure.start, procedure.reason_code))
        if not codes:
            raise NotBillable(
                "nothing billable: no E/M service and no separately billable procedure"
            )
        return codes

    def _fee(self, code: str) -> Decimal:
        fee = self.tables.fees.get(code)
        if fee is None:
            raise NotBillable(f"no fee schedule entry for code {code}")
        return fee

    # ------------------------------------------------------------- diagnoses

    def _diagnoses(
        self,
        encounter: SyntheaEncounter,
        rule: EncounterRule,
        patient: SyntheaPatient,
        notes: list[str],
    ) -> tuple[list[str], dict[str, str]]:
        """ICD-10-CM codes in claim order, and SNOMED reason -> ICD-10-CM."""
        sources = [encounter.reason_code]
        sources += [c.code for c in self.data.conditions.get(encounter.uuid, [])]
        sources += [p.reason_code for p in self.data.procedures.get(encounter.uuid, [])]
        default = default_diagnosis(rule, patient.birth_date, encounter.start)
        found = [default] if rule.kind == "preventive" else []
        mapped: dict[str, str] = {}
        for snomed in filter(None, sources):
            icd = self.tables.diagnoses.get(snomed)
            if icd is None:
                raise NotBillable(f"no crosswalk entry for condition code {snomed}")
            if not icd:
                note = f"condition {snomed} not coded: "
                note += self.tables.diagnosis_basis[snomed]
                if note not in notes:
                    notes.append(note)
                continue
            mapped[snomed] = icd
            if icd not in found:
                found.append(icd)
        if not found and default:
            found.append(default)
        if not found:
            raise NotBillable("no diagnosis for the encounter")
        for extra in found[MAX_DIAGNOSES:]:
            notes.append(f"diagnosis {extra} left off: a claim holds 12")
        return found[:MAX_DIAGNOSES], mapped


def _merge(codes: list[tuple[str, date, str]]) -> dict[tuple[str, date], list]:
    """One line per code and date; a repeated code adds a unit (e.g. 96127 x3)."""
    merged: dict[tuple[str, date], list] = {}
    for code, day, reason in codes:
        if (code, day) in merged:
            merged[(code, day)][0] += 1
        else:
            merged[(code, day)] = [1, reason]
    return merged


def _pointers(diagnoses: list[str], reason: str | None) -> list[int]:
    """Diagnosis pointers: the line's own reason when it is on the claim."""
    if reason and reason in diagnoses:
        return [diagnoses.index(reason) + 1]
    return list(range(1, min(len(diagnoses), 4) + 1))
