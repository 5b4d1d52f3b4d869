import csv
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from claimflow.intake.identifiers import encounter_key
from claimflow.intake.synthea import plan_claims, redate_shift
from claimflow.reference import SYNTHEA_DIR

AS_OF = date(2026, 12, 4)  # re-date claims into the 28 days before

# Three encounters of the sample, checked by hand against its CSV rows.
HEART_ATTACK = "3efa2195-38e2-badc-a815-e8d858aafd3b"  # emergency, 1976-07-25
CHECKUP = "129cde75-21f1-6f51-3c79-b22370370af0"  # wellness, 2004-02-29
URGENT = "8b206b40-bc21-3095-f580-742338add48f"  # urgent care, 1991-08-04


def _planned(plan, uuid):
    key = encounter_key(uuid)
    return next(c for c in plan.claims if c.encounter_key == key)


def _lines(planned):
    return [
        (
            line.procedure,
            line.units,
            line.charge,
            line.service_date,
            line.place_of_service,
            line.diagnosis_pointers,
        )
        for line in planned.claim.lines
    ]


def test_limit_takes_the_first_forty_billable_encounters(sample):
    plan = plan_claims(sample, limit=40)

    reasons = Counter(u.reason.split(" on ")[0] for u in plan.unbillable)
    assert plan.considered == 52
    assert len(plan.claims) == 40
    assert len(plan.unbillable) == 12
    assert reasons == {
        "no payer: uninsured (NO_INSURANCE)": 11,
        "nothing billable: death certification: not a billable service": 1,
    }
    assert plan.claims[-1].original_start == date(1989, 1, 20)
    starts = [c.original_start for c in plan.claims]
    assert starts == sorted(starts)
    assert starts[0] == date(1973, 8, 15)
    assert plan.unbillable[0].start == date(1968, 1, 21)


def test_whole_sample_reports_every_encounter(sample):
    plan = plan_claims(sample)

    reasons = Counter(u.reason.split(" on ")[0] for u in plan.unbillable)
    assert len(plan.claims) + len(plan.unbillable) == 604
    assert len(plan.claims) == 455
    assert reasons == {
        "no payer: uninsured (NO_INSURANCE)": 144,
        "nothing billable: death certification: not a billable service": 2,
        "nothing billable: no E/M service and no separately billable procedure": 2,
        "no coverage": 1,
    }


def test_emergency_heart_attack_claim(sample):
    planned = _planned(plan_claims(sample), HEART_ATTACK)
    claim = planned.claim
    day = date(1976, 7, 25)

    assert _lines(planned) == [
        ("99285", Decimal(1), Decimal("430.00"), day, "23", [1, 2]),
        ("93306", Decimal(1), Decimal("620.00"), day, "23", [1]),
        ("92928", Decimal(1), Decimal("5200.00"), day, "23", [1]),
        ("33533", Decimal(1), Decimal("9800.00"), day, "23", [1]),
    ]
    assert claim.total_charge == Decimal("16050.00")
    assert claim.diagnoses == ["I21.9", "I25.2"]
    assert (claim.coverage.payer_id, claim.coverage.plan_type) == ("ANTHEM", "BL")
    assert planned.x12_payer_id == "SYNANT"
    assert claim.patient.birth_date == date(1973, 10, 28)
    assert claim.place_of_service == "23"
    assert planned.shift_days == 0


def test_preventive_visit_merges_screening_units(sample):
    planned = _planned(plan_claims(sample), CHECKUP)
    day = date(2004, 2, 29)

    assert _lines(planned) == [
        ("99395", Decimal(1), Decimal("215.00"), day, "11", [1]),
        ("96127", Decimal(3), Decimal("54.00"), day, "11", [1]),
    ]
    assert planned.claim.total_charge == Decimal("269.00")
    assert planned.claim.diagnoses == ["Z00.00"]
    assert planned.claim.coverage.payer_id == "ANTHEM"
    assert planned.notes == [
        "policy held by the patient's spouse: billed with the patient as "
        "subscriber (Coverage has no subscriber fields)",
        "procedure 710824005 not billed: health and social needs review is part "
        "of the E/M visit",
        "procedure 430193006 not billed: medication reconciliation is part of the "
        "E/M visit",
        "procedure 428211000124100 not billed: substance-use questions are part of "
        "the E/M visit",
        "procedure 713106006 not billed: drug-use screening questions are part of "
        "the E/M visit",
        "condition 160904001 not coded: employment status is not a health "
        "problem: not coded",
    ]


def test_urgent_care_new_patient(sample):
    planned = _planned(plan_claims(sample), URGENT)

    assert _lines(planned) == [
        ("99203", Decimal(1), Decimal("145.00"), date(1991, 8, 4), "20", [1])
    ]
    assert planned.claim.diagnoses == ["R69"]
    assert (planned.claim.coverage.payer_id, planned.claim.coverage.plan_type) == (
        "CIGNA",
        "CI",
    )
    assert planned.billing_provider.is_organization
    assert len(planned.billing_provider.address.zip) == 9


def test_redating_moves_whole_weeks_into_the_window(sample):
    plain = _planned(plan_claims(sample), CHECKUP)
    moved = _planned(plan_claims(sample, as_of=AS_OF), CHECKUP)
    claim = moved.claim

    # 2004-02-29 was a Sunday; the Sundays in the 28 days before 2026-12-04 are
    # Nov 8, 15, 22 and 29. Its week number (ordinal 731640 // 7 = 104520) is 0
    # modulo 4, so it goes to the latest of them, Nov 29: 1187 weeks later.
    assert moved.shift_days == 8309
    assert moved.shift_days % 7 == 0
    assert claim.from_date == date(2026, 11, 29)
    assert claim.from_date.weekday() == date(2004, 2, 29).weekday() == 6
    assert AS_OF - timedelta(days=28) <= claim.from_date < AS_OF
    shift = timedelta(days=8309)
    assert claim.patient.birth_date == date(1973, 10, 28) + shift
    assert claim.patient.birth_date == date(1996, 7, 28)
    assert claim.coverage.start == plain.claim.coverage.start + shift
    assert claim.coverage.end == plain.claim.coverage.end + shift
    assert claim.coverage.start <= claim.from_date < claim.coverage.end
    # What the ledger keeps stays the sample's own.
    assert moved.patient.birth_date == date(1973, 10, 28)
    assert moved.coverage == plain.coverage
    assert moved.original_start == date(2004, 2, 29)
    # Same codes and charges, only dates move.
    assert [(x.procedure, x.charge) for x in claim.lines] == [
        (x.procedure, x.charge) for x in plain.claim.lines
    ]


def test_every_redated_claim_lands_in_the_window(sample):
    plan = plan_claims(sample, as_of=AS_OF)

    for planned in plan.claims:
        claim = planned.claim
        assert planned.shift_days % 7 == 0
        assert AS_OF - timedelta(days=28) <= claim.from_date < AS_OF
        assert claim.from_date.weekday() == planned.original_start.weekday()
        assert claim.coverage.start <= claim.from_date <= claim.coverage.end
    weeks = Counter(((AS_OF - c.claim.from_date).days - 1) // 7 for c in plan.claims)
    assert sorted(weeks) == [0, 1, 2, 3]


def test_blank_patient_zip_comes_from_the_town(sample):
    plan = plan_claims(sample)
    mashpee = [c for c in plan.claims if c.patient.address.city == "Mashpee"]

    assert mashpee
    assert {c.claim.patient.address.zip for c in mashpee} == {"02649"}
    assert {c.claim.patient.address.state for c in mashpee} == {"MA"}


def test_plan_carries_no_synthea_uuid_or_ssn(sample):
    text = plan_claims(sample, as_of=AS_OF).model_dump_json()
    with (SYNTHEA_DIR / "patients.csv").open(newline="") as handle:
        ssns = [row["SSN"] for row in csv.DictReader(handle)]
    uuids = [p.uuid for p in sample.patients.values()]
    uuids += [e.uuid for e in sample.encounters]

    assert len(ssns) == 27
    assert [value for value in ssns + uuids if value in text] == []


def test_redate_shift_examples():
    # A Wednesday whose week number is 3 modulo 4 goes three weeks before the
    # latest Wednesday in the window (Dec 2): Nov 11.
    wednesday = date(2023, 1, 4)
    assert (wednesday.toordinal() // 7) % 4 == 3
    shift = redate_shift(wednesday, date(2026, 12, 4))
    assert shift == 1407
    assert wednesday + timedelta(days=shift) == date(2026, 11, 11)
    # as_of itself is never used: a Friday as_of puts Fridays a week back at most.
    friday = date(2026, 12, 4)
    moved = friday + timedelta(days=redate_shift(friday, friday))
    assert moved < friday and moved.weekday() == 4
