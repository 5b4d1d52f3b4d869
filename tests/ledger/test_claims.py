from datetime import date
from decimal import Decimal

import pytest

from claimflow.ledger import NotFoundError
from claimflow.models import (
    Address,
    ClaimStatus,
    Coverage,
    EligibilityResult,
    Finding,
    ServiceLine,
    Severity,
)

HOME = Address(line1="2 Sample St", city="Boston", state="MA", zip="02115")


def test_create_claim_assigns_numbers_and_posts_charge(ledger, new_claim):
    claim_id = new_claim(["100.00", "25.50"])

    claim = ledger.get_claim(claim_id)

    assert claim.claim_id == claim_id
    assert claim.version == 1
    assert claim.encounter_id is not None and claim.encounter_id > 0
    assert claim.patient_control_number == f"C{claim_id}V1"
    assert [line.line_number for line in claim.lines] == [1, 2]
    assert [line.line_control_number for line in claim.lines] == [
        f"C{claim_id}V1L1",
        f"C{claim_id}V1L2",
    ]
    assert claim.total_charge == Decimal("125.50")
    assert claim.diagnoses == ["J02.9"]
    assert claim.coverage.payer_id == "BCBS"
    assert claim.billing_provider.address.zip == "021150001"
    assert ledger.claim_balance(claim_id).billed == Decimal("125.50")
    assert ledger.claim_balance(claim_id).outstanding == Decimal("125.50")
    assert ledger.get_status(claim_id) == ClaimStatus.INTAKE


def test_create_claim_is_idempotent_on_encounter_key(ledger, new_claim):
    first = new_claim(["80.00"], key="enc-same")
    again = ledger.create_claim("enc-same", ledger.get_claim(first))

    assert again == first
    assert ledger.claim_balance(first).billed == Decimal("80.00")
    assert ledger.totals().billed == Decimal("80.00")


def test_create_claim_needs_a_known_patient(ledger, new_claim):
    claim = ledger.get_claim(new_claim())
    claim.patient.patient_id = 999_999

    with pytest.raises(NotFoundError):
        ledger.create_claim("enc-unknown-patient", claim)


def test_new_version_adjusts_charges_and_keeps_history(ledger, new_claim):
    claim_id = new_claim(["100.00", "50.00"])
    original = ledger.get_claim(claim_id)
    lines = [original.lines[0].model_copy(update={"charge": Decimal("120.00")})]

    corrected = ledger.new_version(
        claim_id, lines=lines, diagnoses=["J03.90"], original_payer_claim_number="P1"
    )

    assert corrected.version == 2
    assert corrected.frequency_code == "7"
    assert corrected.original_payer_claim_number == "P1"
    assert corrected.patient_control_number == f"C{claim_id}V2"
    assert corrected.lines[0].line_control_number == f"C{claim_id}V2L1"
    assert corrected.total_charge == Decimal("120.00")
    assert ledger.get_claim(claim_id) == corrected
    assert ledger.get_claim(claim_id, version=1) == original
    assert ledger.claim_balance(claim_id).billed == Decimal("120.00")
    assert ledger.find_claim_by_pcn(f"C{claim_id}V1") == (claim_id, 1)
    assert ledger.find_claim_by_pcn(f"C{claim_id}V2") == (claim_id, 2)
    assert ledger.find_claim_by_pcn("C0V0") is None


def test_status_changes_are_kept(ledger, new_claim):
    claim_id = new_claim()

    ledger.set_status(claim_id, ClaimStatus.SCRUB_HOLD, "missing modifier")

    info = ledger.status_info(claim_id)
    assert info.status == "scrub_hold"
    assert info.reason == "missing modifier"
    assert ledger.get_status(claim_id) is ClaimStatus.SCRUB_HOLD


def test_eligibility_and_scrub_are_recorded(ledger, new_claim):
    claim_id = new_claim()
    result = EligibilityResult(
        active=True,
        member_id="M123",
        payer_id="BCBS",
        service_date=date(2026, 11, 2),
        copay=Decimal("20.00"),
    )
    finding = Finding(edit_id="E1", severity=Severity.ERROR, message="no modifier")

    check_id = ledger.record_eligibility(claim_id, result, "ISA*270", "ISA*271")
    scrub_id = ledger.record_scrub(claim_id, 1, "sha256:abc", [finding])

    assert check_id > 0 and scrub_id > 0
    assert ledger.scrub_findings(claim_id, 1) == [finding]
    assert ledger.scrub_findings(claim_id, 2) == []


def test_coverage_is_added_once(ledger, new_claim):
    claim = ledger.get_claim(new_claim())
    coverage = Coverage(
        payer_id="BCBS",
        payer_name="Blue Cross Blue Shield",
        member_id="M123",
        start=date(2026, 1, 1),
    )

    first = ledger.add_coverage(claim.patient.patient_id, coverage)
    again = ledger.add_coverage(claim.patient.patient_id, coverage)

    assert first == again


def test_upsert_patient_returns_the_same_id(ledger):
    first = ledger.upsert_patient("p-1", "Ann", "Test", date(1980, 5, 1), "F", HOME)
    again = ledger.upsert_patient("p-1", "Ann", "Tested", date(1980, 5, 1), "F", HOME)
    other = ledger.upsert_patient("p-2", "Bo", "Test", date(1990, 1, 2), "M", HOME)

    assert first == again
    assert other != first


def test_unknown_claim_raises(ledger):
    with pytest.raises(NotFoundError):
        ledger.get_claim(4242)
    with pytest.raises(NotFoundError):
        ledger.claim_balance(4242)


def test_lines_keep_units_pointers_and_modifiers(ledger, new_claim):
    claim_id = new_claim()
    line = ServiceLine(
        line_number=1,
        procedure="96372",
        modifiers=["25", "59"],
        units=Decimal("2"),
        charge=Decimal("30.00"),
        service_date=date(2026, 11, 3),
        place_of_service="22",
        diagnosis_pointers=[1, 2],
        line_control_number="x",
    )

    corrected = ledger.new_version(claim_id, lines=[line])

    stored = corrected.lines[0]
    assert stored.modifiers == ["25", "59"]
    assert stored.units == Decimal("2")
    assert stored.diagnosis_pointers == [1, 2]
    assert stored.place_of_service == "22"
    assert stored.service_date == date(2026, 11, 3)


def test_a_new_data_folder_is_made_for_a_sqlite_ledger(tmp_path):
    from claimflow.ledger import Ledger

    url = f"sqlite:///{tmp_path / 'not' / 'yet' / 'ledger.db'}"
    ledger = Ledger(url)
    ledger.create_all()
    assert (tmp_path / "not" / "yet" / "ledger.db").is_file()
