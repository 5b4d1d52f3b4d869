"""Held 835s as people see them: the list, one in full, and after release."""

from __future__ import annotations

from decimal import Decimal

from ledger_builders import adj, clp, plb, remittance, store, with_plb

D = Decimal


def _held(ledger, new_claim):
    good, bad = new_claim(["100.00"]), new_claim(["100.00"])
    # CLP 2 is 10.00 short: 100.00 - 70.00 = 30.00 but CO-45 says 20.00. The PLB
    # takes 5.00 back from claim 1, so the deposit is 90 + 70 - 5 = 155.00.
    remit = with_plb(
        remittance(
            clp(f"C{good}V1", "1", "100.00", "90.00", [], [adj("CO-45", "10.00")]),
            clp(f"C{bad}V1", "1", "100.00", "70.00", [], [adj("CO-45", "20.00")]),
            trace="EFT-HELD",
        ),
        plb("WO", "5.00", f"C{good}V1"),
    )
    return good, bad, store(ledger, remit, "held.835")


def test_a_held_835_is_listed_and_shown_with_its_differences(ledger, new_claim):
    good, bad, held = _held(ledger, new_claim)
    balanced = store(
        ledger,
        remittance(clp("C999V1", "1", "10.00", "10.00"), trace="EFT-OK"),
        "ok.835",
    )

    [listed] = ledger.remittances("held")
    everything = ledger.remittances()
    detail = ledger.remittance_detail(held.remittance_id)

    assert (listed.remittance_id, listed.status, listed.file_name) == (
        held.remittance_id,
        "held",
        "held.835",
    )
    assert (listed.trace_number, listed.payment_amount, listed.claims) == (
        "EFT-HELD",
        D("155.00"),
        2,
    )
    assert listed.provider_adjustments == 1
    assert [(i.remittance_id, i.status) for i in everything] == [
        (held.remittance_id, "held"),
        (balanced.remittance_id, "posted"),
    ]
    assert detail.differences == [
        f"CLP 2 (C{bad}V1): charge 100.00 less paid 70.00 is 30.00 but "
        "adjustments total 20.00, off by 10.00"
    ]
    assert detail.differences == held.differences
    assert detail.reconciliation.reconciles is True
    assert [
        (c.sequence, c.claim_id, c.paid, c.posted) for c in detail.claims
    ] == [(1, good, D("90.00"), False), (2, bad, D("70.00"), False)]
    [pair] = detail.provider_adjustments
    assert (pair.reason, pair.amount, pair.disposition) == ("WO", D("5.00"), "claim")
    item = detail.balance_work_item
    assert (item.queue, item.status) == ("remittance_balance", "open")


def test_after_release_it_is_posted_and_its_item_resolved(ledger, new_claim):
    good, _, held = _held(ledger, new_claim)

    released = ledger.release_remittance(held.remittance_id, "payer confirmed")
    for match in released.claims:
        ledger.post_remittance_claim(match.remit_claim_id)
    detail = ledger.remittance_detail(held.remittance_id)

    assert ledger.remittances("held") == []
    assert detail.remittance.status == "posted"
    assert [c.posted for c in detail.claims] == [True, True]
    item = detail.balance_work_item
    assert (item.status, item.resolution) == ("resolved", "released: payer confirmed")
    # Claim 1: 90.00 paid less the 5.00 recouped; CO-45 10.00; 5.00 owed again.
    balance = ledger.claim_balance(good)
    assert (balance.paid, balance.adjusted, balance.outstanding) == (
        D("85.00"),
        D("10.00"),
        D("5.00"),
    )
