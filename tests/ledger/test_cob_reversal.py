"""COB after the fact: the primary reverses its 835, the secondary is corrected.

The primary (BCBS) paid 140.00 of 200.00 with CO-45 10.00 and PR 50.00; the PR
went on to the secondary (Aetna) as in ``test_cob.py``.
"""

from __future__ import annotations

from decimal import Decimal

from ledger_builders import adj, balance_of, clp, line
from test_cob import ON, _add_secondary, _post, _primary_pays_with_pr
from test_plb_return_and_forward import _entries

D = Decimal


def _primary_reverses(ledger, claim_id):
    """BCBS takes back its whole adjudication: CLP02 22 with every sign turned."""
    pcn = f"C{claim_id}V1"
    return _post(
        ledger,
        clp(
            pcn,
            "22",
            "-200.00",
            "-140.00",
            [
                line(
                    f"{pcn}L1",
                    "-120.00",
                    "-90.00",
                    adj("CO-45", "-10.00"),
                    adj("PR-2", "-20.00"),
                ),
                line(f"{pcn}L2", "-80.00", "-50.00", adj("PR-1", "-30.00")),
            ],
            payer_claim_number="ICN-77",
            patient_responsibility="-50.00",
        ),
        "P-REV",
    )


def test_primary_reversal_undoes_the_transfer_and_flags_the_secondary(
    ledger, new_claim
):
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    _primary_pays_with_pr(ledger, claim_id)
    started = ledger.start_secondary(claim_id, on=ON)

    reversal = _primary_reverses(ledger, claim_id)

    assert reversal.reversal is True
    # The 50.00 comes back from Aetna by a reversing entry; nothing is rewritten.
    assert _entries(ledger, "transfer_to_secondary") == [
        (claim_id, D("50.00")),
        (claim_id, D("-50.00")),
    ]
    # billed 200 = paid 0 + adjusted 0 + patient 0 + outstanding 200.
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("200.00"),
    )
    [item] = ledger.open_work_items(started.claim_id)
    assert (item.queue, item.title) == (
        "Billing-Corrections",
        "Secondary claim billed on a reversed adjudication",
    )
    assert item.reason.startswith(
        f"BCBS reversed claim {claim_id} (CLP02 22) after its patient share of "
        f"50.00 went to secondary claim {started.claim_id} (AETNA)"
    )
    # Billing the patient now moves nothing: no share is left, and never a
    # negative one (PR assessed 0.00 less 0.00 sent on).
    assert ledger.bill_patient(claim_id, on=ON) == D("0.00")
    assert _entries(ledger, "transfer_to_patient") == []
    assert ledger.patient_balance(patient_id) == D("0.00")
    # Posting the reversal again undoes nothing twice and opens no second item.
    again = ledger.post_remittance(reversal.remit_claim_id)
    assert again.already_posted
    assert len(_entries(ledger, "transfer_to_secondary")) == 2
    assert len(ledger.open_work_items(started.claim_id)) == 1


def test_reversal_after_the_patient_was_billed_never_moves_below_zero(
    ledger, new_claim
):
    """Without the undo, PR 0.00 less 50.00 sent on would bill -50.00."""
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    _primary_pays_with_pr(ledger, claim_id)
    ledger.start_secondary(claim_id, on=ON)
    _primary_reverses(ledger, claim_id)

    totals = ledger.totals()

    assert ledger.bill_patient(claim_id, on=ON) == D("0.00")
    assert (totals.billed, totals.paid, totals.outstanding) == (
        D("200.00"),
        D("0.00"),
        D("200.00"),
    )


def test_corrected_secondary_posts_its_charge_change_to_the_primary_account(
    ledger, new_claim
):
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    _primary_pays_with_pr(ledger, claim_id)
    started = ledger.start_secondary(claim_id, on=ON)
    secondary = ledger.get_claim(started.claim_id)
    # The second line's charge goes from 80.00 to 95.00: 15.00 more billed.
    lines = [
        secondary.lines[0],
        secondary.lines[1].model_copy(update={"charge": D("95.00")}),
    ]

    corrected = ledger.new_version(started.claim_id, lines=lines)

    assert (corrected.version, corrected.total_charge) == (2, D("215.00"))
    assert _entries(ledger, "charge_adjustment") == [(claim_id, D("15.00"))]
    # billed 215 = paid 140 + adjusted 10 + patient 0 + outstanding 65
    # (50.00 with Aetna and the 15.00 added).
    assert balance_of(ledger, claim_id) == (
        D("215.00"),
        D("140.00"),
        D("10.00"),
        D("0.00"),
        D("65.00"),
    )
    assert balance_of(ledger, started.claim_id) == (D("0.00"),) * 5
