from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text

from claimflow.intake.identifiers import encounter_key
from claimflow.intake.synthea import intake, plan_claims

CHECKUP = "129cde75-21f1-6f51-3c79-b22370370af0"
AS_OF = date(2026, 12, 4)  # re-date claims into the 28 days before


def test_intake_creates_claims_once(sample, intake_ledger):
    ledger = intake_ledger
    plan = plan_claims(sample, limit=40, as_of=AS_OF)

    first = intake(ledger, plan)
    second = intake(ledger, plan)

    assert (first.created, first.already_there) == (40, 0)
    assert (second.created, second.already_there) == (0, 40)
    assert second.claim_ids == first.claim_ids
    assert len(set(first.claim_ids)) == 40
    assert len(first.unbillable) == 12
    billed = sum((c.claim.total_charge for c in plan.claims), Decimal(0))
    assert ledger.totals().billed == billed
    with ledger.engine.connect() as connection:
        count = connection.execute(text("select count(*) from patients")).scalar()
    assert count == len({c.patient.key for c in plan.claims})


def test_claim_in_the_ledger_is_what_was_planned(sample, intake_ledger):
    ledger = intake_ledger
    plan = plan_claims(sample, as_of=AS_OF)
    planned = next(c for c in plan.claims if c.encounter_key == encounter_key(CHECKUP))

    result = intake(ledger, plan.model_copy(update={"claims": [planned]}))
    claim = ledger.get_claim(result.claim_ids[0])

    assert [(x.procedure, x.units, x.charge) for x in claim.lines] == [
        ("99395", Decimal(1), Decimal("215.00")),
        ("96127", Decimal(3), Decimal("54.00")),
    ]
    assert [x.service_date for x in claim.lines] == [date(2026, 11, 29)] * 2
    assert claim.patient_control_number == f"C{claim.claim_id}V1"
    assert claim.patient.birth_date == date(1996, 7, 28)
    assert claim.patient.patient_id > 0
    assert claim.diagnoses == ["Z00.00"]
    assert claim.coverage.payer_id == "ANTHEM"
    assert claim.rendering_provider == planned.rendering_provider
    assert ledger.claim_balance(claim.claim_id).billed == Decimal("269.00")
    # The ledger's patient row keeps the sample's own birth date.
    with ledger.engine.connect() as connection:
        birth = connection.execute(
            text("select birth_date from patients where id = :id"),
            {"id": claim.patient.patient_id},
        ).scalar()
    assert str(birth)[:10] == "1973-10-28"
    assert claim.patient.birth_date - timedelta(days=planned.shift_days) == date(
        1973, 10, 28
    )
