"""The demo waits for secondary claims and counts them in its summary."""

from __future__ import annotations

from claimflow.demo import DemoOptions, _print_summary, _settled
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
