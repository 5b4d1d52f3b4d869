"""The demo waits for secondary claims and counts them in its summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from factories import make_claim, store_claim

from claimflow.demo import DemoOptions, _print_summary, _settled, _summarise
from claimflow.ledger import Ledger
from claimflow.messages import Balances, ClaimStatusView, OpenWorkItem
from claimflow.models import ClaimStatus


def _view(claim_id: int, status: ClaimStatus, waiting_for: str, **extra):
    extra.setdefault("work_items", [])
    return ClaimStatusView(
        claim_id=claim_id,
        status=status,
        waiting_for=waiting_for,
        version=1,
        ruleset_hash=None,
        filing_deadline=None,
        balances=Balances(),
        findings=[],
        denial_codes=[],
        history=[],
        **extra,
    )


def test_a_claim_with_the_secondary_is_as_settled_as_its_secondary_claim():
    primary = _view(
        4, ClaimStatus.SECONDARY_BILLED, "44.00 moved to AETNA", secondary_claim_id=9
    )
    submitted = _view(9, ClaimStatus.SUBMITTED, "Waiting for 835 from Aetna")
    billing = _view(9, ClaimStatus.PATIENT_BILLING, "Patient billing: 25.00 due")
    held = _view(
        9,
        ClaimStatus.DENIED,
        "Waiting for 'Correct the claim' (work item 3)",
        work_items=[OpenWorkItem(work_item_id=3, queue="Billing", title="Fix")],
    )

    assert not _settled(primary)
    assert not _settled(primary, submitted)
    assert _settled(primary, billing)
    assert _settled(primary, held)


def test_a_primary_whose_secondary_ended_waits_until_it_has_closed_itself():
    # Between the secondary claim's end and the primary's close, the primary
    # still shows the hand-over: the summary must not be taken then.
    primary = _view(
        4, ClaimStatus.SECONDARY_BILLED, "7.81 moved to AETNA", secondary_claim_id=9
    )
    ended = _view(9, ClaimStatus.CLOSED, "finished")
    closed = _view(4, ClaimStatus.CLOSED, "Settled with secondary claim 9")

    assert not _settled(primary, ended)
    assert _settled(closed, ended)


def test_each_claims_figures_come_from_the_ledger_and_add_up_to_the_totals(
    tmp_path,
):
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger.create_all()
    on = date(2026, 11, 2)
    written_off = store_claim(ledger, make_claim(service_date=on), "enc-1")
    owed = store_claim(
        ledger,
        make_claim(
            service_date=on,
            member_id="SYN000002",
            lines=[("99213", "150.00"), ("85025", "32.15")],
        ),
        "enc-2",
    )
    ledger.write_off(written_off, "small balance", on=on)
    # The workflows' own balances are stale (nothing written off yet).
    stale = Balances(billed=Decimal("150.00"), outstanding=Decimal("150.00"))
    views = {
        written_off: _view(written_off, ClaimStatus.WRITTEN_OFF, "finished"),
        owed: _view(owed, ClaimStatus.SUBMITTED, "Waiting for 835 from Medicaid"),
    }
    views[written_off].balances = stale
    result = SimpleNamespace(claim_ids=[written_off, owed], unbillable=[])

    summary = _summarise(ledger, result, views)

    first, second = summary["claim_details"]
    assert (first["adjusted"], first["outstanding"]) == ("150.00", "0.00")
    assert (second["billed"], second["outstanding"]) == ("182.15", "182.15")
    for key in ("billed", "paid", "adjusted", "patient_responsibility", "outstanding"):
        per_claim = sum(Decimal(d[key]) for d in summary["claim_details"])
        assert f"{per_claim:.2f}" == summary[key], key
    assert summary["outstanding"] == "182.15"


def test_the_summary_counts_secondary_claims_and_lists_the_waiting_one():
    summary = {
        "claims": 2,
        "by_status": {"closed": 1, "secondary_billed": 1},
        "billed": "500.00",
        "paid": "371.00",
        "adjusted": "129.00",
        "patient_responsibility": "0.00",
        "outstanding": "0.00",
        "unbillable": [],
        "denial_rate_by_payer": {},
        "secondary_claims": 2,
        "secondary_by_status": {"closed": 1, "submitted": 1},
        "claim_details": [
            {"claim_id": 1, "status": "closed", "reason": "done"},
            {
                "claim_id": 4,
                "status": "secondary_billed",
                "reason": "44.00 moved to the secondary payer AETNA",
                "secondary": {
                    "claim_id": 9,
                    "status": "submitted",
                    "reason": "Waiting for 835 from Aetna",
                    "settled": False,
                },
            },
        ],
    }
    lines: list[str] = []

    _print_summary(summary, DemoOptions(), lambda *a: lines.append(" ".join(a)))

    assert (
        "Secondary claims: 2 (the primary's patient share, billed to the "
        "secondary payer)"
    ) in lines
    assert "  closed           1" in lines and "  submitted        1" in lines
    waiting = lines[lines.index("Waiting:") + 1 :]
    assert waiting[0] == "  claim-9 (submitted): Waiting for 835 from Aetna"
