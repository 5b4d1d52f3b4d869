"""The sample's secondary payers become secondary coverages the claims can bill."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from claimflow.clearinghouse.adjudication import PAY, adjudicate
from claimflow.clearinghouse.payers import payer_profile
from claimflow.intake.identifiers import secondary_member_id
from claimflow.intake.synthea import billed_secondary, intake, plan_claims
from claimflow.models import RemitClaim, Remittance

AS_OF = date(2026, 12, 4)
# CMS's MBI: no S, L, O, I, B or Z; digits and letters in fixed positions.
LETTER, EITHER = "[AC-HJKMNP-RT-Y]", "[AC-HJKMNP-RT-Y0-9]"
MBI = re.compile(
    rf"[1-9]{LETTER}{EITHER}\d{LETTER}{EITHER}\d{LETTER}{LETTER}\d\d"
)


def test_secondary_payers_of_the_sample_are_planned(sample):
    plan = plan_claims(sample, as_of=AS_OF)

    with_secondary = [c for c in plan.claims if c.secondary_coverage is not None]

    # Two Medicare patients of the sample have a secondary payer on some spans.
    assert len(with_secondary) == 10
    assert {c.coverage.payer_id for c in with_secondary} == {"MEDICARE"}
    assert Counter(c.secondary_coverage.payer_id for c in with_secondary) == {
        "CIGNA": 4,
        "AETNA": 4,
        "UHC": 2,
    }
    for planned in with_secondary:
        # Medicare bills an MBI, never the sample's UUID.
        assert MBI.fullmatch(planned.coverage.member_id)
        secondary = planned.secondary_coverage
        assert secondary.priority == "secondary"
        assert (secondary.start, secondary.end) == (
            planned.coverage.start,
            planned.coverage.end,
        )
        assert secondary.member_id == secondary_member_id(
            planned.coverage.member_id, secondary.payer_id
        )
        assert secondary.member_id.startswith("S") and len(secondary.member_id) == 12
        assert not any("secondary" in note for note in planned.notes)
        # Moved with the claim, the secondary span covers the billed date.
        billed = billed_secondary(planned)
        assert billed.start == secondary.start + timedelta(days=planned.shift_days)
        assert billed.start <= planned.claim.from_date <= billed.end


def test_the_primary_share_of_a_sample_claim_goes_to_its_secondary(
    sample, intake_ledger
):
    ledger = intake_ledger
    plan = plan_claims(sample, as_of=AS_OF)
    planned = next(c for c in plan.claims if c.secondary_coverage is not None)
    siblings = [
        c
        for c in plan.claims
        if c.patient.key == planned.patient.key and c.secondary_coverage is None
    ]
    assert siblings
    claim_id, *others = intake(
        ledger, plan.model_copy(update={"claims": [planned, *siblings]})
    ).claim_ids
    remit, *sibling_remits = [
        _payer_pays(ledger, paid_claim, number)
        for number, paid_claim in enumerate([claim_id, *others], start=1)
    ]
    # Some of the siblings leave the patient a share too: they could go wrong.
    assert any(r.patient_responsibility > 0 for r in sibling_remits)

    started = ledger.start_secondary(claim_id, on=AS_OF)
    # Claims of the same patient from spans without a secondary payer share the
    # re-dated dates of service, but the coverage is this claim's alone.
    assert all(
        ledger.start_secondary(other, on=AS_OF) is None for other in others
    )

    assert started is not None
    assert started.payer_id == planned.secondary_coverage.payer_id
    assert started.transferred == remit.patient_responsibility > Decimal("0.00")
    secondary = ledger.get_claim(started.claim_id)
    assert secondary.coverage.member_id == planned.secondary_coverage.member_id
    assert [o.payer_id for o in secondary.other_payers] == ["MEDICARE"]


def _payer_pays(ledger, claim_id: int, number: int) -> RemitClaim:
    """The claim's payer (as the simulator prices it) pays; the CLP is posted."""
    claim = ledger.get_claim(claim_id)
    profile = payer_profile(claim.coverage.payer_id, claim.coverage.payer_name)
    remit = adjudicate(claim, profile, claim_id, PAY)
    file_id, _ = ledger.store_inbound_file(f"era-{number}.835", "835", b"ISA")
    stored = ledger.store_remittance(
        file_id,
        Remittance(
            transaction_control_number=f"{number:04d}",
            trace_number=f"TRN-SAMPLE-{number}",
            payer_name=claim.coverage.payer_name,
            payment_amount=remit.paid,
            claims=[remit],
        ),
    )
    ledger.post_remittance(stored.claims[0].remit_claim_id)
    return remit
