"""PLB 72 (authorized return) and FB (forward balance) on hand-computed 835s."""

from __future__ import annotations

from decimal import Decimal

from ledger_builders import (
    PLB_NPI,
    balance_of,
    clp,
    plb,
    remittance,
    store,
    with_plb,
)
from sqlalchemy import text

D = Decimal


def _post_all(ledger, stored):
    return [ledger.post_remittance_claim(m.remit_claim_id) for m in stored.claims]


def _paid_in_full(ledger, trace, *claims):
    """Post an 835 paying each ``(claim_id, charge)`` in full, CLP07 ICN-<id>."""
    remit = remittance(
        *(
            clp(f"C{c}V1", "1", charge, charge, payer_claim_number=f"ICN-{c}")
            for c, charge in claims
        ),
        trace=trace,
    )
    _post_all(ledger, store(ledger, remit))


def _entries(ledger, kind):
    """``(claim_id, amount)`` of every journal entry of ``kind``, in order."""
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select claim_id, amount from ledger_entries "
                "where kind = :kind order by id"
            ),
            {"kind": kind},
        ).all()
    return [(claim_id, D(str(amount)).quantize(D("0.01"))) for claim_id, amount in rows]


# ------------------------------------------------------------------ 72


def test_authorized_return_applies_to_the_claim_it_names(ledger, new_claim):
    a, b, c = new_claim(["100.00"]), new_claim(["100.00"]), new_claim(["200.00"])
    _paid_in_full(ledger, "EFT-1", (a, "100.00"), (b, "100.00"))
    # The practice refunded 25.00 of claim A's payment; the payer nets it out of
    # the next deposit, which pays claim C: 200.00 - 25.00 = 175.00. The PLB
    # names claim A by our patient control number. Claim C sits beside the PLB
    # and claim B was paid in the same file as A: neither moves.
    later = with_plb(
        remittance(clp(f"C{c}V1", "1", "200.00", "200.00"), trace="EFT-2"),
        plb("72", "25.00", f"C{a}V1"),
    )

    stored = store(ledger, later)
    _post_all(ledger, stored)

    assert (stored.held, later.payment_amount) == (False, D("175.00"))
    [pair] = ledger.provider_adjustments(stored.remittance_id)
    assert (pair.reason, pair.disposition, pair.claim_id) == ("72", "claim", a)
    assert _entries(ledger, "authorized_return") == [(a, D("25.00"))]
    assert _entries(ledger, "recoupment") == []
    # 100.00 billed, 100.00 - 25.00 returned = 75.00 paid, 25.00 owed again.
    assert balance_of(ledger, a) == (D("100.00"), D("75.00"), 0, 0, D("25.00"))
    assert balance_of(ledger, b) == (D("100.00"), D("100.00"), 0, 0, 0)
    assert balance_of(ledger, c) == (D("200.00"), D("200.00"), 0, 0, 0)
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (
        figures.deposit,
        figures.claim_payments,
        figures.provider_adjustments,
        figures.difference,
    ) == (D("175.00"), D("200.00"), D("25.00"), D("0.00"))
    assert ledger.open_work_items() == []
    # The statement's payer column shows the money net of the refund.
    assert ledger.totals([a, b, c]).paid == D("375.00")


def test_authorized_return_naming_no_known_claim_waits_in_suspense(
    ledger, new_claim
):
    claim_id = new_claim(["100.00"])
    _paid_in_full(ledger, "EFT-1", (claim_id, "100.00"))
    later = with_plb(
        remittance(trace="EFT-2"),  # a deposit with no claims, only the refund
        plb("72", "40.00", "ICN-UNKNOWN"),
    )

    stored = store(ledger, later)

    assert later.payment_amount == D("-40.00")
    [pair] = ledger.provider_adjustments(disposition="suspense")
    assert (pair.reason, pair.amount, pair.reference) == (
        "72",
        D("40.00"),
        "ICN-UNKNOWN",
    )
    [item] = ledger.open_work_items()
    assert item.reason == (
        f"835 trace EFT-2 PLB 1: 72 40.00 for provider {PLB_NPI} with reference "
        "ICN-UNKNOWN, which matches no claim in the ledger"
    )
    assert ledger.deposit_reconciliation(stored.remittance_id).reconciles is True

    applied = ledger.apply_suspense(pair.provider_adjustment_id, claim_id)

    assert (applied.disposition, applied.claim_id) == ("claim", claim_id)
    assert _entries(ledger, "authorized_return") == [(claim_id, D("40.00"))]
    assert _entries(ledger, "plb_suspense") == [(None, D("40.00")), (None, D("-40.00"))]
    assert balance_of(ledger, claim_id) == (
        D("100.00"),
        D("60.00"),
        0,
        0,
        D("40.00"),
    )
    assert ledger.open_work_items() == []


# ------------------------------------------------------------------ FB


def test_forward_balance_taken_in_one_835_is_settled_by_the_next(ledger, new_claim):
    a, b, c = new_claim(["300.00"]), new_claim(["100.00"]), new_claim(["250.00"])
    _paid_in_full(ledger, "EFT-0", (a, "300.00"))
    # File 1: the payer takes back claim A's 300.00 and pays claim B 100.00. The
    # claims come to -200.00; a deposit cannot be negative, so the payer
    # carries 200.00 forward: FB -200.00, deposit 0.00.
    first = with_plb(
        remittance(
            clp(f"C{a}V1", "22", "-300.00", "-300.00", payer_claim_number=f"ICN-{a}"),
            clp(f"C{b}V1", "1", "100.00", "100.00", payer_claim_number="ICN-B"),
            trace="EFT-1",
        ),
        plb("FB", "-200.00", "FWD-0001"),
    )
    stored_first = store(ledger, first)
    _post_all(ledger, stored_first)

    assert first.payment_amount == D("0.00")
    assert ledger.deposit_reconciliation(stored_first.remittance_id).reconciles
    [open_balance] = ledger.forward_balances()
    assert (
        open_balance.provider_id,
        open_balance.reference,
        open_balance.amounts,
        open_balance.net,
        open_balance.open,
    ) == (PLB_NPI, "FWD-0001", [D("-200.00")], D("-200.00"), True)
    [item] = ledger.open_work_items()
    assert (item.queue, item.key) == (
        "provider_suspense",
        f"forward-balance:{open_balance.forward_balance_id}",
    )
    assert item.reason == (
        f"835 trace EFT-1 PLB 1: FB -200.00 for provider {PLB_NPI} with "
        "reference FWD-0001; open until a later 835 carries the opposite amount "
        "under the same reference"
    )
    assert balance_of(ledger, a) == (D("300.00"), D("0.00"), 0, 0, D("300.00"))

    # File 2: claim C is paid 250.00 and the payer keeps the 200.00 it carried
    # forward: FB +200.00 under the same reference, deposit 50.00.
    second = with_plb(
        remittance(
            clp(f"C{c}V1", "1", "250.00", "250.00", payer_claim_number="ICN-C"),
            trace="EFT-2",
        ),
        plb("FB", "200.00", "FWD-0001"),
    )
    stored_second = store(ledger, second)
    _post_all(ledger, stored_second)

    assert second.payment_amount == D("50.00")
    assert ledger.deposit_reconciliation(stored_second.remittance_id).reconciles
    assert ledger.forward_balances() == []
    [settled] = ledger.forward_balances(open_only=False)
    assert (settled.amounts, settled.net, settled.open) == (
        [D("-200.00"), D("200.00")],
        D("0.00"),
        False,
    )
    assert settled.forward_balance_id == open_balance.forward_balance_id
    # The provider's forward-balance account nets to zero, and no claim moved.
    assert _entries(ledger, "forward_balance") == [
        (None, D("-200.00")),
        (None, D("200.00")),
    ]
    assert ledger.open_work_items() == []
    with ledger.engine.connect() as connection:
        resolution = connection.execute(
            text("select status, resolution from work_items where key = :key"),
            {"key": item.key},
        ).one()
    assert tuple(resolution) == ("resolved", "settled by 835 trace EFT-2 PLB 1")
    assert balance_of(ledger, b) == (D("100.00"), D("100.00"), 0, 0, 0)
    assert balance_of(ledger, c) == (D("250.00"), D("250.00"), 0, 0, 0)


def test_forward_balance_settled_in_parts_and_only_by_its_reference(
    ledger, new_claim
):
    claim_id = new_claim(["100.00", "100.00", "100.00"])
    pcn = f"C{claim_id}V1"
    # File 1: 100.00 paid, 60.00 held back under FWD-9: deposit 40.00.
    one = with_plb(
        remittance(clp(pcn, "1", "100.00", "100.00", payer_claim_number="P1")),
        plb("FB", "60.00", "FWD-9"),
    )
    # File 2: 25.00 of it released, and -35.00 under another reference, which
    # would settle FWD-9 to the cent if references were ignored.
    two = with_plb(
        remittance(trace="TRN-2"),
        plb("FB", "-25.00", "FWD-9"),
        plb("FB", "-35.00", "FWD-10"),
    )
    # File 3: the last 35.00 of FWD-9 released.
    three = with_plb(remittance(trace="TRN-3"), plb("FB", "-35.00", "FWD-9"))

    for remit in (one, two):
        _post_all(ledger, store(ledger, remit))
    after_two = [(f.reference, f.amounts, f.net) for f in ledger.forward_balances()]
    _post_all(ledger, store(ledger, three))

    assert [r.payment_amount for r in (one, two, three)] == [
        D("40.00"),
        D("60.00"),
        D("35.00"),
    ]
    assert after_two == [
        ("FWD-9", [D("60.00"), D("-25.00")], D("35.00")),
        ("FWD-10", [D("-35.00")], D("-35.00")),
    ]
    [still_open] = ledger.forward_balances()
    assert (still_open.reference, still_open.net) == ("FWD-10", D("-35.00"))
    assert [i.reason.split(":")[0] for i in ledger.open_work_items()] == [
        "835 trace TRN-2 PLB 2"
    ]
    assert ledger.forward_balances(PLB_NPI, open_only=False)[0].amounts == [
        D("60.00"),
        D("-25.00"),
        D("-35.00"),
    ]
    assert ledger.forward_balances("9999999999") == []
    assert balance_of(ledger, claim_id) == (D("300.00"), D("100.00"), 0, 0, D("200.00"))
