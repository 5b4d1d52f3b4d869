"""`claimflow intake 837`: claims into the ledger, bad transactions kept, a 999 back."""

from decimal import Decimal
from pathlib import Path

from claimflow import x12
from claimflow.intake.x837 import intake_837

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
    assert len(quarantined) == 2
    assert quarantined[0].quarantine_reason == report.rejected[0]
    items = ledger.open_work_items()
    assert [i.queue for i in items] == ["EDI-Support", "EDI-Support"]
