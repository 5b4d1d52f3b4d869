"""The public sample 835s: which balance, which are held, what is kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from claimflow.x12 import parse_835

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "835"
D = Decimal

# (file, CLPs, deposit, held): the balancing notes of the samples' SOURCES.md
# for the deposit and the claims; the tertiary sample's service line reads
# "SVC*HC*24599.00*1766.50*..." (a "*" where the procedure's ":" belongs), so
# its line charge reads as 24599.00 and the line does not balance.
CASES = [
    ("emedny-paid-and-denied-timely-filing.835", 3, "45.75", False),
    ("pyx12-denied-three-lines.835", 1, "0.00", False),
    ("tr3-cob-contractual-adjustment-negative-cas.835", 1, "34.00", False),
    ("tr3-medicare-part-a-two-claims-plb.835", 2, "150000.00", False),
    ("tr3-secondary-payment.835", 2, "1222.00", False),
    ("tr3-tertiary-payment.835", 1, "187.50", True),
    ("uhc-dme-deductible-coinsurance.835", 2, "349.99", False),
]


def _store_sample(ledger, name):
    content = (SAMPLES / name).read_bytes()
    [remit] = parse_835(content.decode("utf-8-sig"))
    file_id, _ = ledger.store_inbound_file(name, "835", content)
    return remit, ledger.store_remittance(file_id, remit)


@pytest.mark.parametrize(("name", "clps", "deposit", "held"), CASES)
def test_sample_is_stored_and_checked(ledger, name, clps, deposit, held):
    remit, stored = _store_sample(ledger, name)

    assert len(remit.claims) == clps
    assert stored.held is held
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (figures.deposit, figures.reconciles) == (D(deposit), True)
    queues = [item.queue for item in ledger.open_work_items()]
    # None of the samples' patient control numbers is one of our claims.
    assert queues.count("unmatched_remittance") == clps
    assert queues.count("remittance_balance") == (1 if held else 0)


def test_tertiary_sample_names_its_line_difference(ledger):
    _, stored = _store_sample(ledger, "tr3-tertiary-payment.835")

    assert stored.differences == [
        "CLP 1 (0001000054) line 1: charge 24599.00 less paid 1766.50 is "
        "22832.50 but adjustments total 1579.00, off by 21253.50"
    ]


def test_medicare_sample_keeps_plb_and_remark_codes(ledger):
    remit, stored = _store_sample(ledger, "tr3-medicare-part-a-two-claims-plb.835")

    [pair] = ledger.provider_adjustments(stored.remittance_id)
    assert (pair.reason, pair.reference, pair.amount, pair.disposition) == (
        "CV",
        "CP",
        D("-1.27"),
        "provider",
    )
    kept = [ledger.remit_claim(m.remit_claim_id) for m in stored.claims]
    assert kept == remit.claims
    assert [c.remarks for c in kept] == [c.remarks for c in remit.claims]
    assert ["MA02"] in [c.remarks for c in kept]
