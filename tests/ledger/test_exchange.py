import pytest

from claimflow.models import AckKind, ClaimAcknowledgment


def test_prepare_submission_is_idempotent_by_key(ledger, new_claim):
    claim_id = new_claim()

    first = ledger.prepare_submission(claim_id, 1, f"submit-{claim_id}-v1")
    again = ledger.prepare_submission(claim_id, 1, f"submit-{claim_id}-v1")

    assert again == first
    assert first.interchange_control_number == "000000001"
    assert first.group_control_number == "1"
    assert first.transaction_control_number == "0001"
    assert first.patient_control_number == f"C{claim_id}V1"
    assert first.status == "prepared"


def test_control_numbers_are_unique_and_never_reused(ledger, new_claim):
    infos = [ledger.prepare_submission(new_claim(), 1, f"key-{n}") for n in range(5)]
    infos.append(ledger.prepare_submission(infos[0].claim_id, 1, "key-again"))

    isa = [info.interchange_control_number for info in infos]
    st = [info.transaction_control_number for info in infos]
    assert isa == [f"{n:09d}" for n in range(1, 7)]
    assert st == [f"{n:04d}" for n in range(1, 7)]
    assert len({info.group_control_number for info in infos}) == 6


def test_a_key_cannot_be_reused_for_another_claim(ledger, new_claim):
    ledger.prepare_submission(new_claim(), 1, "shared-key")

    with pytest.raises(ValueError, match="belongs to claim"):
        ledger.prepare_submission(new_claim(), 1, "shared-key")


def test_mark_sent_and_find_submission(ledger, new_claim):
    claim_id = new_claim()
    prepared = ledger.prepare_submission(claim_id, 1, "k")

    sent = ledger.mark_submission_sent(prepared.submission_id, "rcpt-1", "ISA*...")
    repeat = ledger.mark_submission_sent(prepared.submission_id, "rcpt-2", "ISA*")

    assert sent.status == "sent"
    assert sent.receipt_id == "rcpt-1"
    assert repeat == sent
    assert ledger.submission_for(claim_id, 1) == sent
    assert ledger.submission_for(claim_id, 2) is None


def test_inbound_files_are_kept_once_by_content(ledger):
    first = ledger.store_inbound_file("a.835", "835", b"ISA*00*...~")
    renamed = ledger.store_inbound_file("b.835", "835", b"ISA*00*...~")
    other = ledger.store_inbound_file("c.835", "835", b"ISA*01*...~")

    assert first == (first[0], False)
    assert renamed == (first[0], True)
    assert other[1] is False and other[0] != first[0]
    assert ledger.inbound_file_content(first[0]) == b"ISA*00*...~"


def test_quarantine_lists_the_reason(ledger):
    file_id, _ = ledger.store_inbound_file("bad.835", "835", b"not x12")
    ledger.store_inbound_file("good.835", "835", b"ISA")

    ledger.quarantine_file(file_id, "no ISA segment")

    listed = ledger.list_quarantine()
    assert [(f.file_id, f.name, f.quarantine_reason) for f in listed] == [
        (file_id, "bad.835", "no ISA segment")
    ]
    assert listed[0].status == "quarantined"


def test_acknowledgments_are_recorded_once_per_file(ledger, new_claim):
    claim_id = new_claim()
    file_id, _ = ledger.store_inbound_file("ack.277", "277CA", b"ISA*277")
    ack = ClaimAcknowledgment(
        kind=AckKind.CLAIM_277CA,
        accepted=False,
        patient_control_number=f"C{claim_id}V1",
        status_codes=["A7:21"],
    )
    file_ack = ClaimAcknowledgment(
        kind=AckKind.FILE_999, accepted=True, transaction_control_number="0001"
    )

    first = ledger.record_acknowledgment(claim_id, ack, file_id)
    again = ledger.record_acknowledgment(claim_id, ack, file_id)
    whole_file = ledger.record_acknowledgment(None, file_ack, file_id)

    assert first == again
    assert whole_file != first


def test_other_envelopes_draw_from_the_same_counters(ledger, new_claim):
    claim_id = new_claim()
    inquiry = ledger.allocate_control_numbers()
    submission = ledger.prepare_submission(claim_id, 1, "k1")

    assert (inquiry.interchange, inquiry.group, inquiry.transaction) == (
        "000000001",
        "1",
        "0001",
    )
    assert submission.interchange_control_number == "000000002"
    assert submission.transaction_control_number == "0002"
    assert ledger.submissions_for_transaction("0002") == [submission]
    assert ledger.submissions_for_transaction("0001") == []
