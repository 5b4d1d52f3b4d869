"""Starting claim workflows: one per ledger claim, ID ``claim-<id>``, never twice."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from claimflow.codec import data_converter
from claimflow.config import Settings
from claimflow.ledger import Ledger
from claimflow.messages import ClaimInput
from workflows.claim import ClaimWorkflow, initial_search_attributes


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.namespace,
        data_converter=data_converter(settings.home),
    )


def claim_workflow_id(claim_id: int) -> str:
    return f"claim-{claim_id}"


async def start_claim(
    client: Client, ledger: Ledger, claim_id: int, task_queue: str
) -> WorkflowHandle:
    """Start the claim's workflow, or return the one already running for it.

    The ledger row is the source of truth for "one claim, one lifecycle"; the
    workflow ID policy is the second line, so a duplicate feed is recognised.
    """
    claim = ledger.get_claim(claim_id)
    inp = ClaimInput(
        claim_id=claim_id,
        payer_id=claim.coverage.payer_id,
        billing_npi=claim.billing_provider.npi,
        service_date=claim.from_date,
        billed=claim.total_charge,
    )
    workflow_id = claim_workflow_id(claim_id)
    try:
        return await client.start_workflow(
            ClaimWorkflow.run,
            inp,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=initial_search_attributes(inp),
            static_summary=(
                f"Claim {claim_id}: {claim.coverage.payer_name}, "
                f"DOS {claim.from_date}, billed {claim.total_charge}"
            ),
            static_details=(
                f"**Claim {claim_id}** (version {claim.version})  \n"
                f"Payer: {claim.coverage.payer_name} ({claim.coverage.payer_id})  \n"
                f"Billing NPI: {claim.billing_provider.npi}  \n"
                f"Dates of service: {claim.from_date} to {claim.through_date}  \n"
                f"Lines: {len(claim.lines)}, billed {claim.total_charge}"
            ),
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id)
