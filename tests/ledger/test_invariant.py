"""billed = paid + adjusted + patient_responsibility + outstanding, always."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_builders import adj, clp, line, make_claim, remittance

from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database

cents = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c) / 100)
groups = st.sampled_from(["CO", "OA", "PI", "PR"])
line_adjustments = st.lists(st.tuples(groups, cents), max_size=3)


@pytest.fixture(scope="module", params=database_params())
def shared_ledger(request, tmp_path_factory):
    with scratch_database(request.param, tmp_path_factory.mktemp("inv")) as url:
        ledger = Ledger(url)
        ledger.create_all()
        yield ledger
        ledger.engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    drawn=st.lists(st.tuples(cents, line_adjustments), min_size=1, max_size=3),
    bill=st.booleans(),
    write_off=st.booleans(),
)
def test_balance_invariant(shared_ledger, drawn, bill, write_off):
    ledger = shared_ledger
    # Each line balances as an 835 must: charge = paid + its adjustments.
    lines = [
        (paid + sum((a for _, a in adjustments), Decimal(0)), paid, adjustments)
        for paid, adjustments in drawn
    ]
    charges = [f"{charge:.2f}" for charge, _, _ in lines]
    claim_id = make_claim(ledger, charges)
    pcn = f"C{claim_id}V1"
    remit_lines = [
        line(
            f"{pcn}L{n}",
            f"{charge:.2f}",
            f"{paid:.2f}",
            *(adj(f"{group}-45", f"{amount:.2f}") for group, amount in adjustments),
        )
        for n, (charge, paid, adjustments) in enumerate(lines, start=1)
    ]
    paid = sum((p for _, p, _ in lines), Decimal(0))
    billed = sum((c for c, _, _ in lines), Decimal(0))
    flat = [a for _, _, adjustments in lines for a in adjustments]
    adjusted = sum((a for g, a in flat if g != "PR"), Decimal(0))
    # Nothing paid with a non-PR adjustment is a denial: those are a memo.
    if all(p == 0 for _, p, _ in lines) and any(g != "PR" for g, _ in flat):
        adjusted = Decimal(0)
    patient = sum((a for g, a in flat if g == "PR"), Decimal(0))
    remit = remittance(
        clp(pcn, "1", f"{billed:.2f}", f"{paid:.2f}", lines=remit_lines),
        trace=f"INV-{claim_id}",
    )
    file_id, _ = ledger.store_inbound_file(f"{claim_id}.835", "835", pcn.encode())
    stored = ledger.store_remittance(file_id, remit)
    ledger.post_remittance_claim(stored.claims[0].remit_claim_id)
    if bill:
        ledger.bill_patient(claim_id)
    if write_off:
        ledger.write_off(claim_id, "test")

    balance = ledger.claim_balance(claim_id)

    moved = patient if bill else Decimal(0)
    remaining = billed - paid - adjusted - moved
    # A write-off clears what is owed; a credit (overpayment) stays for a refund.
    written = max(remaining, Decimal(0)) if write_off else Decimal(0)
    assert balance.billed == billed
    assert balance.paid == paid
    assert balance.patient_responsibility == moved
    assert balance.adjusted == adjusted + written
    assert balance.outstanding == remaining - written
    assert balance.billed == (
        balance.paid
        + balance.adjusted
        + balance.patient_responsibility
        + balance.outstanding
    )
