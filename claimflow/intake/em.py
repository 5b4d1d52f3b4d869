"""Evaluation and management (E/M) code choice and default diagnoses.

Which family of codes an encounter bills comes from ``snomed_encounter.csv``;
the code inside the family depends on the patient's age and on whether the
patient is new to the organization.
"""

from __future__ import annotations

from datetime import date, timedelta

from claimflow.intake.crosswalk import EncounterRule

# Preventive visit age bands: upper age (exclusive) -> last digit of 9938x/9939x.
_PREVENTIVE_BANDS = ((1, "1"), (5, "2"), (12, "3"), (18, "4"), (40, "5"), (65, "6"))
NEW_PATIENT_WINDOW = timedelta(days=3 * 365)


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def em_code(rule: EncounterRule, age: int, new_patient: bool) -> str | None:
    """Return the E/M code an encounter bills, or None when it bills none.

    Args:
        rule: The encounter type's row of ``snomed_encounter.csv``.
        age: The patient's age in whole years on the date of service.
        new_patient: No encounter at this organization in the three years
            before (emergency and inpatient codes do not depend on it).
    """
    if rule.kind == "preventive":
        digit = next((d for limit, d in _PREVENTIVE_BANDS if age < limit), "7")
        return ("9938" if new_patient else "9939") + digit
    if rule.kind in ("office", "urgent"):
        return ("9920" if new_patient else "9921") + str(rule.level)
    if rule.kind == "ed":
        return f"9928{rule.level}"
    if rule.kind == "inpatient":
        return f"9922{rule.level}"
    if rule.kind == "service":
        return rule.service_code
    return None


def default_diagnosis(rule: EncounterRule, birth: date, day: date) -> str:
    """The diagnosis an encounter type implies (newborn checks have their own)."""
    if rule.kind == "preventive" and (day - birth).days < 29:
        return "Z00.110" if (day - birth).days < 8 else "Z00.111"
    if age_on(birth, day) < 18:
        return rule.default_dx_child
    return rule.default_dx_adult
