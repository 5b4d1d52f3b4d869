from datetime import date


def test_work_items_open_once_and_resolve(ledger, new_claim):
    claim_id = new_claim()

    first = ledger.create_work_item(
        claim_id,
        "denials",
        "Denied CO-50",
        "payer says not necessary",
        date(2026, 12, 1),
        f"denial-{claim_id}",
    )
    again = ledger.create_work_item(
        claim_id,
        "denials",
        "Denied CO-50",
        "payer says not necessary",
        date(2026, 12, 1),
        f"denial-{claim_id}",
    )
    other = ledger.create_work_item(None, "files", "Bad file", "no ISA", None, "f-1")

    assert first == again
    assert [i.work_item_id for i in ledger.open_work_items()] == [first, other]
    assert [i.work_item_id for i in ledger.open_work_items(claim_id)] == [first]
    assert ledger.open_work_items(claim_id)[0].due == date(2026, 12, 1)

    resolved = ledger.resolve_work_item(first, "appeal", "records attached")

    assert (resolved.status, resolved.resolution, resolved.note) == (
        "resolved",
        "appeal",
        "records attached",
    )
    assert ledger.resolve_work_item(first, "write_off") == resolved
    assert ledger.open_work_items(claim_id) == []
