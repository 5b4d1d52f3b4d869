import csv
import dataclasses

import pytest

from claimflow.intake.crosswalk import load_reference
from claimflow.intake.em import em_code
from claimflow.intake.identifiers import encounter_key
from claimflow.intake.synthea import plan_claims
from claimflow.reference import SYNTHEA_DIR

TABLES = load_reference()


def _sample_codes(sample):
    encounter_codes = {e.code for e in sample.encounters}
    procedure_codes = {p.code for rows in sample.procedures.values() for p in rows}
    clinical = {c.code for rows in sample.conditions.values() for c in rows}
    clinical |= {e.reason_code for e in sample.encounters if e.reason_code}
    clinical |= {p.reason_code for rows in sample.procedures.values() for p in rows} - {
        ""
    }
    return encounter_codes, procedure_codes, clinical


def test_every_sample_code_has_a_crosswalk_row(sample):
    encounters, procedures, clinical = _sample_codes(sample)

    assert (len(encounters), len(procedures), len(clinical)) == (25, 56, 52)
    # Exactly the sample's codes: none missing, none invented.
    assert encounters == TABLES.encounters.keys()
    assert procedures == TABLES.procedures.keys()
    assert clinical == TABLES.diagnoses.keys()


def test_a_code_missing_from_the_crosswalk_is_reported(sample):
    procedures = dict(TABLES.procedures)
    del procedures["40701008"]  # echocardiography
    tables = dataclasses.replace(TABLES, procedures=procedures)

    plan = plan_claims(sample, reference=tables)

    key = encounter_key("3efa2195-38e2-badc-a815-e8d858aafd3b")
    reported = [u.reason for u in plan.unbillable if u.encounter_key == key]
    assert reported == ["no crosswalk entry for procedure code 40701008"]
    assert key not in {c.encounter_key for c in plan.claims}


def test_every_billed_code_has_a_charge():
    codes = {code for code in TABLES.procedures.values() if code}
    for rule in TABLES.encounters.values():
        for age in (0, 3, 8, 15, 30, 50, 70):
            for new in (True, False):
                code = em_code(rule, age, new)
                if code:
                    codes.add(code)

    assert sorted(codes - TABLES.fees.keys()) == []
    assert all(
        fee > 0 and fee.as_tuple().exponent == -2 for fee in TABLES.fees.values()
    )


def test_icd10cm_codes_are_billable():
    icd = pytest.importorskip("simple_icd_10_cm")
    codes = {code for code in TABLES.diagnoses.values() if code}
    for rule in TABLES.encounters.values():
        codes |= {rule.default_dx_adult, rule.default_dx_child} - {""}
    codes |= {"Z00.110", "Z00.111"}

    assert [
        c for c in sorted(codes) if not (icd.is_valid_item(c) and icd.is_leaf(c))
    ] == []
    assert all("." in code or len(code) == 3 for code in codes)


def test_payer_mapping():
    assert {
        name: (e.payer_id, e.x12_payer_id, e.plan_type)
        for name, e in TABLES.payers.items()
    } == {
        "Medicare": ("MEDICARE", "SYNMCR", "MB"),
        "Medicaid": ("MEDICAID", "SYNMCD", "MC"),
        "Dual Eligible": ("DUAL", "SYNDUAL", "MB"),
        "Humana": ("HUMANA", "SYNHUM", "CI"),
        "Blue Cross Blue Shield": ("BCBS", "SYNBCBS", "BL"),
        "UnitedHealthcare": ("UHC", "SYNUHC", "CI"),
        "Aetna": ("AETNA", "SYNAET", "CI"),
        "Cigna Health": ("CIGNA", "SYNCIG", "CI"),
        "Anthem": ("ANTHEM", "SYNANT", "BL"),
        "NO_INSURANCE": ("", "", ""),
    }
    with (SYNTHEA_DIR / "payers.csv").open(newline="") as handle:
        assert {row["NAME"] for row in csv.DictReader(handle)} == set(TABLES.payers)


@pytest.mark.parametrize(
    ("kind", "level", "age", "new", "code"),
    [
        pytest.param("preventive", None, 0, True, "99381", id="infant-new"),
        pytest.param("preventive", None, 4, False, "99392", id="age-4"),
        pytest.param("preventive", None, 11, False, "99393", id="age-11"),
        pytest.param("preventive", None, 17, True, "99384", id="age-17"),
        pytest.param("preventive", None, 39, False, "99395", id="age-39"),
        pytest.param("preventive", None, 64, True, "99386", id="age-64"),
        pytest.param("preventive", None, 65, False, "99397", id="age-65"),
        pytest.param("office", 3, 40, True, "99203", id="office-new"),
        pytest.param("office", 4, 40, False, "99214", id="office-established"),
        pytest.param("urgent", 3, 40, False, "99213", id="urgent"),
        pytest.param("ed", 5, 40, True, "99285", id="emergency"),
        pytest.param("inpatient", 1, 40, True, "99221", id="inpatient"),
        pytest.param("procedures", None, 40, True, None, id="procedures-only"),
    ],
)
def test_em_code_choice(kind, level, age, new, code):
    rule = next(r for r in TABLES.encounters.values() if r.kind == kind)
    rule = dataclasses.replace(rule, level=level)

    assert em_code(rule, age, new) == code
