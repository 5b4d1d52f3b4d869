"""`claimflow intake 837`: claims into the ledger, bad transactions kept, a 999 back."""

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from factories import CLINIC, make_claim

from claimflow import x12
from claimflow.intake.x837 import intake_837
from claimflow.models import DatedCode, InstitutionalDetails, OccurrenceSpan

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "837P"


def test_a_clean_837_becomes_one_claim_once(ledger, tmp_path):
    path = SAMPLES / "uhin-icd10-single-claim.837"

    first = intake_837(ledger, path, tmp_path / "999")
    again = intake_837(ledger, path, tmp_path / "999")

    assert first.rejected == []
    assert first.claim_ids == again.claim_ids == [1]
    claim = ledger.get_claim(1)
    assert [(line.procedure, line.charge) for line in claim.lines] == [
        ("90834", Decimal("2.00"))
    ]
    [ack] = x12.parse_999(first.acknowledgment.read_text())
    assert ack.accepted is True


def test_unreadable_transactions_are_quarantined_and_rejected_in_the_999(
    ledger, tmp_path
):
    path = SAMPLES / "ims-two-st-six-claims-cob.837"

    report = intake_837(ledger, path, tmp_path / "999")

    assert report.claim_ids == []
    assert report.rejected == [
        "segment 149 SE element 01: wrong segment count; found '25'; "
        "expected 147 (ST..SE inclusive)",
        "segment 296 SE element 01: wrong segment count; found '26'; "
        "expected 147 (ST..SE inclusive)",
    ]
    acks = x12.parse_999(report.acknowledgment.read_text())
    assert [a.accepted for a in acks] == [False, False]
    quarantined = ledger.list_quarantine()
    assert [q.quarantine_reason for q in quarantined] == [
        report.rejected[0] + "; claims not received (patient control numbers): "
        "A37YH556, A37YH667, A37YH668",
        report.rejected[1] + "; claims not received (patient control numbers): "
        "A37YH556, A37YH667, A37YH668",
    ]
    items = ledger.open_work_items()
    assert [i.queue for i in items] == ["EDI-Support", "EDI-Support"]
    assert items[0].reason.endswith("A37YH556, A37YH667, A37YH668")


DENTAL = SAMPLES.parent / "837D" / "ims-fork-dental-two-lines.837d"


def test_the_dental_sample_is_rejected_for_its_st03(ledger, tmp_path):
    report = intake_837(ledger, DENTAL, tmp_path / "999")

    assert report.claim_ids == report.held == []
    assert report.rejected == [
        "segment 3 ST: (005010X224) is not a valid code for Implementation "
        "Convention Reference (ST03) (005010X224)"
    ]
    [ack] = x12.parse_999(report.acknowledgment.read_text())
    assert ack.accepted is False
    assert [q.quarantine_reason for q in ledger.list_quarantine()] == [
        report.rejected[0] + "; claims not received (patient control numbers): "
        "26403774"
    ]


def test_a_dental_claim_that_cannot_be_sent_is_stored_and_held(ledger, tmp_path):
    fixed = tmp_path / "dental.837d"
    fixed.write_text(DENTAL.read_text().replace("*005010X224~", "*005010X224A2~"))

    report = intake_837(ledger, fixed, tmp_path / "999")
    again = intake_837(ledger, fixed, tmp_path / "999")

    assert report.rejected == []
    assert report.claim_ids == again.claim_ids == []
    assert report.held == again.held == [1]
    [ack] = x12.parse_999(report.acknowledgment.read_text())
    assert ack.accepted is True
    claim = ledger.get_claim(1)
    assert claim.kind == "dental"
    assert claim.total_charge == Decimal("150.00")
    assert [(line.procedure, line.charge) for line in claim.lines] == [
        ("D2150", Decimal("100.00")),
        ("D1110", Decimal("50.00")),
    ]
    [item] = ledger.open_work_items(1)
    assert item.queue == "Billing-Manual-Submission"
    assert item.title == "837D claim 1 to submit by hand"
    # The sample's billing provider has a five-digit ZIP; the guides want nine.
    assert item.reason == (
        "claimflow cannot write this claim on an 837D (N4 element 03: the "
        "billing provider ZIP code must have 9 digits (ZIP+4) on an 837P; found "
        "'33111'; expected 9 digits); it is in the ledger but no workflow will "
        f"send it. The 837D as received is inbound file {report.file_id}."
    )
    assert report.hold_reasons == {1: "837D claim 1 to submit by hand"}


def _inpatient_file(tmp_path: Path, details: InstitutionalDetails) -> Path:
    """An inpatient 837I from our builder, as a practice system would send it."""
    day = date(2026, 2, 27)
    plain = make_claim(service_date=day, lines=[("", "1250.00"), ("80053", "42.25")])
    claim = plain.model_copy(
        update={
            "patient_control_number": "C9V1",
            "kind": "institutional",
            "facility_type_code": "11",
            "institutional": details,
            "lines": [
                line.model_copy(
                    update={
                        "revenue_code": revenue,
                        "place_of_service": "",
                        "line_control_number": f"C9V1L{line.line_number}",
                    }
                )
                for line, revenue in zip(plain.lines, ["0120", "0300"], strict=True)
            ],
        }
    )
    envelope = x12.Envelope(
        sender_id="PRACTICE",
        receiver_id="CLAIMFLOW",
        interchange_control_number=5,
        group_control_number=5,
        transaction_control_number="0005",
        created=datetime(2026, 3, 2, 9, 30),
        contact_phone="5555550100",
    )
    path = tmp_path / "stay.837i"
    path.write_text(x12.build_837i([claim], envelope, CLINIC, "CLAIMFLOW", "CF"))
    return path


def _stay() -> InstitutionalDetails:
    return InstitutionalDetails(
        admission_date=date(2026, 2, 25),
        admission_hour=time(14, 5),
        admission_type="1",
        admission_source="7",
        patient_status="01",
        drg="292",
        principal_procedure=DatedCode(code="02703ZZ", on=date(2026, 2, 26)),
        occurrence_spans=[
            OccurrenceSpan(code="70", start=date(2026, 1, 2), end=date(2026, 1, 9))
        ],
        reasons_for_visit=["R07.9"],
        external_causes=["W01.0XXA"],
        treatment_codes=["A1B2"],
        present_on_admission={"W01.0XXA": "Y"},
    )


def test_an_inpatient_837i_claim_keeps_its_admission_and_starts(ledger, tmp_path):
    details = _stay()
    path = _inpatient_file(tmp_path, details)

    report = intake_837(ledger, path, tmp_path / "999")

    assert (report.rejected, report.claim_ids, report.held) == ([], [1], [])
    stored = ledger.get_claim(1)
    assert stored.kind == "institutional"
    assert stored.facility_type_code == "11"
    assert stored.institutional == details
    assert stored.total_charge == Decimal("1292.25")
    assert [line.revenue_code for line in stored.lines] == ["0120", "0300"]
    assert ledger.open_work_items(1) == []


def test_a_total_that_differs_from_the_lines_holds_the_claim(ledger, tmp_path):
    path = _inpatient_file(tmp_path, _stay())
    text = path.read_text()
    assert "CLM*C9V1*1292.25*" in text
    path.write_text(text.replace("CLM*C9V1*1292.25*", "CLM*C9V1*1300.00*"))
    clm = next(s for s in x12.tokenize(path.read_text()) if s.id == "CLM")

    report = intake_837(ledger, path, tmp_path / "999")

    # pyx12 takes the file and the 999 accepts it: the claim is read, not refused.
    [ack] = x12.parse_999(report.acknowledgment.read_text())
    assert ack.accepted is True
    assert (report.rejected, report.claim_ids, report.held) == ([], [], [1])
    assert ledger.get_claim(1).total_charge == Decimal("1292.25")
    [item] = ledger.open_work_items(1)
    assert (item.queue, item.title) == (
        "Billing-Corrections",
        "Claim 1: total charge differs from its lines",
    )
    assert item.reason == (
        f"claim C9V1: segment {clm.number} CLM02 1300.00 is not the sum of its "
        "line charges (SV102/SV203/SV302) 1292.25. The ledger bills the lines "
        "(1292.25); no workflow starts until a person confirms the amount with "
        f"the practice. The 837 as received is inbound file {report.file_id}."
    )
