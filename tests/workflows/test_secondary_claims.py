"""Coordination of benefits on the time-skipping server, with the real activities.

The primary (Medicare) pays with coinsurance left to the patient; the patient has a
secondary coverage (Aetna), so the claim workflow moves that share to the secondary
payer and starts the secondary claim as a child workflow ``claim-<its id>``, which is
scrubbed by Aetna's rules, sent as a secondary 837P (loops 2320/2330/2430), answered
by the simulator's 999, 277CA and coordinated 835, posted to the primary claim's
account, and bills the patient what Aetna leaves.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from temporalio.client import WorkflowHandle

from claimflow import x12
from claimflow.messages import PatientPayment, VoidRequest
from claimflow.models import ClaimStatus, Coverage
from tests.conftest import put_json
from tests.factories import make_claim, store_claim
from tests.workflows.test_claim_workflow import Harness, recent, status_is
from workflows.claim import ClaimWorkflow
from workflows.search_attributes import BALANCE_CENTS, CLAIM_STATUS, PAYER_ID

D = Decimal
SECONDARY_MEMBER = "AET55501"


@pytest.fixture
async def harness(env, ledger, simulator, rules):
    async with Harness(env, ledger, simulator, rules) as running:
        yield running


def _medicare_claim(service_date: date, charge: str = "400.00"):
    return make_claim(
        payer_id="MEDICARE",
        member_id="1EG4TE5MK73",
        service_date=service_date,
        lines=[("99214", charge)],
        birth_date=date(1950, 3, 2),
    )


def _roster(harness: Harness, claim, *, secondary: bool) -> None:
    members = [
        {
            "member_id": claim.coverage.member_id,
            "payer_id": claim.coverage.payer_id,
            "start": str(claim.coverage.start),
            "end": str(claim.coverage.end),
            "plan_type": claim.coverage.plan_type,
        }
    ]
    if secondary:
        members.append(
            {
                "member_id": SECONDARY_MEMBER,
                "payer_id": "AETNA",
                "start": str(claim.coverage.start),
                "end": str(claim.coverage.end),
                "plan_type": "CI",
            }
        )
    put_json(f"{harness.simulator.url}/v1/roster", members)


def _add_secondary_coverage(harness: Harness, claim_id: int, claim) -> None:
    harness.ledger.upsert_payer("AETNA", "Aetna", "SKAE0", "CI")
    harness.ledger.add_coverage(
        harness.ledger.get_claim(claim_id).patient.patient_id,
        Coverage(
            payer_id="AETNA",
            payer_name="Aetna",
            member_id=SECONDARY_MEMBER,
            plan_type="CI",
            priority="secondary",
            start=claim.coverage.start,
            end=claim.coverage.end,
        ),
    )


async def _start_with_secondary(harness: Harness, claim) -> tuple[int, WorkflowHandle]:
    """Store the claim and the patient's secondary coverage, then start it.

    The coverage is added between storing and starting, as the EHR would before
    the primary's 835 comes back.
    """
    key = "secondary-test"
    claim_id = store_claim(harness.ledger, claim, key)
    _add_secondary_coverage(harness, claim_id, claim)
    # store_claim is idempotent by key: start() finds the same claim.
    return await harness.start(claim, key)


def _sent_837(ledger, claim_id: int) -> str:
    with ledger.engine.connect() as connection:
        return connection.execute(
            text(
                "select b.content from submissions s join submission_batches b "
                "on b.id = s.batch_id where s.claim_id = :claim"
            ),
            {"claim": claim_id},
        ).scalar_one()


def _segments(interchange: str) -> list[list[str]]:
    return [s.strip().split("*") for s in interchange.split("~") if s.strip()]


async def test_secondary_pays_part_of_the_pr_and_the_patient_is_billed_the_rest(
    harness: Harness,
):
    claim = _medicare_claim(await recent(harness.env))
    _roster(harness, claim, secondary=True)
    claim_id, handle = await _start_with_secondary(harness, claim)

    view = await harness.until(handle, status_is(ClaimStatus.SECONDARY_BILLED))

    # Medicare allows 55% of 400.00 = 220.00 and pays 176.00; CO-45 180.00; the
    # 20% coinsurance (PR-2 44.00) goes to Aetna, not to the patient.
    assert view.secondary_claim_id is not None
    secondary_id = view.secondary_claim_id
    assert view.waiting_for == (
        f"44.00 moved to the secondary payer AETNA: claim {secondary_id} "
        f"(claim-{secondary_id})"
    )
    described = await handle.describe()
    assert described.typed_search_attributes.get(CLAIM_STATUS) == "secondary_billed"
    assert described.typed_search_attributes.get(BALANCE_CENTS) == 4400
    child = harness.env.client.get_workflow_handle_for(
        ClaimWorkflow.run, f"claim-{secondary_id}"
    )
    harness.by_claim[secondary_id] = child
    harness.handles.append(child)

    child_view = await harness.until(child, status_is(ClaimStatus.PATIENT_BILLING))

    # Aetna pays the 44.00 less its 25.00 office copay: 19.00; the patient owes 25.00.
    assert child_view.primary_claim_id == claim_id
    assert child_view.waiting_for == "Patient billing: 25.00 due from the patient"
    assert child_view.adjustment_codes == ["OA-23", "PR-3"]
    assert child_view.denial_codes == []
    balance = harness.ledger.claim_balance(claim_id)
    assert (balance.billed, balance.paid, balance.adjusted) == (
        D("400.00"),
        D("195.00"),
        D("180.00"),
    )
    assert (balance.patient_responsibility, balance.outstanding) == (
        D("25.00"),
        D("0.00"),
    )
    assert harness.ledger.patient_due(claim_id) == D("25.00")
    totals = harness.ledger.totals()
    assert totals.billed == totals.paid + totals.adjusted + (
        totals.patient_responsibility + totals.outstanding
    )
    assert totals.billed == D("400.00")
    child_attributes = (await child.describe()).typed_search_attributes
    assert child_attributes.get(PAYER_ID) == "AETNA"
    assert child_attributes.get(CLAIM_STATUS) == "patient_billing"

    # The secondary 837P: Medicare's adjudication in 2320/2330B and 2430, valid.
    sent = _sent_837(harness.ledger, secondary_id)
    assert x12.validate(sent).ok
    segments = _segments(sent)
    sbr = [s for s in segments if s[0] == "SBR"]
    assert [s[1] for s in sbr] == ["S", "P"]
    clm = next(s for s in segments if s[0] == "CLM")
    assert (clm[1], clm[2]) == (f"C{secondary_id}V1", "400.00")
    # 2320: Medicare as the other subscriber's payer, what it paid and left.
    other = segments[segments.index(["SBR", "P", "18", "", "", "", "", "", "", "MB"]) :]
    assert other[:3] == [
        ["SBR", "P", "18", "", "", "", "", "", "", "MB"],
        ["AMT", "D", "176.00"],
        ["AMT", "EAF", "44.00"],
    ]
    assert ["NM1", "PR", "2", "Medicare", "", "", "", "", "PI", "MEDICARE"] in other
    payer_number = next(s for s in other if s[:2] == ["REF", "F8"])
    assert payer_number[2].startswith("SIM")
    # 2430: Medicare's decision on the line, with its CAS and adjudication date.
    at = segments.index(next(s for s in segments if s[0] == "SVD"))
    assert segments[at : at + 3] == [
        ["SVD", "MEDICARE", "176.00", "HC:99214", "", "1"],
        ["CAS", "CO", "45", "180.00"],
        ["CAS", "PR", "2", "44.00"],
    ]
    assert segments[at + 3][:2] == ["DTP", "573"]

    # The patient pays; the secondary claim closes, then the primary.
    await child.signal(
        ClaimWorkflow.patient_payment,
        PatientPayment(transaction_id="portal-9", amount=D("25.00")),
    )
    secondary_result = await child.result()
    assert secondary_result.status == ClaimStatus.CLOSED
    # Its own text says what Aetna paid, and apart from it what Medicare paid.
    # (The ledger keeps the status text; a closed workflow is not queried.)
    assert harness.ledger.status_info(secondary_id).reason == (
        "Patient balance paid: billed 400.00, AETNA paid 19.00 after MEDICARE "
        "paid 176.00, adjusted 180.00, patient 25.00"
    )
    assert secondary_result.balances.payer_paid == D("19.00")
    assert harness.ledger.paid_by_claims_payer(secondary_id) == D("19.00")
    assert harness.ledger.paid_by_claims_payer(claim_id) == D("176.00")
    result = await handle.result()
    assert result.status == ClaimStatus.CLOSED
    assert (result.balances.paid, result.balances.outstanding) == (
        D("195.00"),
        D("0.00"),
    )
    assert harness.ledger.patient_due(claim_id) == D("0.00")
    assert harness.ledger.get_status(secondary_id) == ClaimStatus.CLOSED
    await harness.replay(handle, "secondary-billed-then-closed", "v3")
    await harness.replay(child, "secondary-claim-patient-paid", "v3")


async def test_without_secondary_coverage_the_patient_is_billed_as_before(
    harness: Harness,
):
    claim = _medicare_claim(await recent(harness.env))
    _roster(harness, claim, secondary=False)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(handle, status_is(ClaimStatus.PATIENT_BILLING))

    assert view.secondary_claim_id is None
    assert view.waiting_for == "Patient billing: 44.00 due from the patient"
    balance = harness.ledger.claim_balance(claim_id)
    assert (balance.paid, balance.adjusted, balance.patient_responsibility) == (
        D("176.00"),
        D("180.00"),
        D("44.00"),
    )
    assert balance.outstanding == D("0.00")
    assert harness.ledger.secondary_claims() == {}


async def test_a_primary_denial_does_not_start_the_secondary(harness: Harness):
    claim = _medicare_claim(await recent(harness.env))
    _roster(harness, claim, secondary=True)
    claim_id, handle = await _start_with_secondary(harness, claim)
    harness.scenario(claim_id, 1, "deny:CO:16")

    view = await harness.until(
        handle, lambda v: v.status == ClaimStatus.DENIED and bool(v.work_items)
    )

    assert view.denial_codes == ["CO-16"]
    assert view.secondary_claim_id is None
    assert harness.ledger.secondary_claims() == {}
    assert harness.ledger.claim_balance(claim_id).outstanding == D("400.00")
    assert harness.ledger.patient_due(claim_id) == D("0.00")


async def test_voiding_the_primary_voids_its_secondary_claim(harness: Harness):
    claim = _medicare_claim(await recent(harness.env))
    _roster(harness, claim, secondary=True)
    claim_id, handle = await _start_with_secondary(harness, claim)
    view = await harness.until(handle, status_is(ClaimStatus.SECONDARY_BILLED))
    secondary_id = view.secondary_claim_id
    child = harness.env.client.get_workflow_handle_for(
        ClaimWorkflow.run, f"claim-{secondary_id}"
    )
    harness.by_claim[secondary_id] = child
    harness.handles.append(child)
    await harness.until(child, status_is(ClaimStatus.PATIENT_BILLING))

    await handle.signal(
        ClaimWorkflow.void, VoidRequest(transaction_id="ops-3", reason="wrong patient")
    )

    secondary_result = await child.result()
    result = await handle.result()
    assert (secondary_result.status, result.status) == (
        ClaimStatus.VOIDED,
        ClaimStatus.VOIDED,
    )
    assert harness.ledger.get_status(secondary_id) == ClaimStatus.VOIDED
    # Both payers' money stays posted; nothing is left owed by a payer.
    balance = harness.ledger.claim_balance(claim_id)
    assert (balance.paid, balance.outstanding) == (D("195.00"), D("0.00"))
