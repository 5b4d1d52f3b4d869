"""SubmissionBatchWorkflow: a payer's submission window, one 837 per batch.

Claims that are ready join the batch of their payer's current window (the
``join_batch`` activity signals-with-start it). When the window closes the batch
transmits every claim it holds as one interchange, then tells each claim what
happened to it; claims that join while a transmission is under way go out in a
follow-up transmission of the same run. Every transmission has its own idempotency
key, so a retried activity never sends a claim twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from claimflow.messages import (
        BatchEntry,
        BatchInput,
        BatchTransmit,
        EntryOutcome,
        SubmittedSignal,
    )

TRANSMIT = dict(
    start_to_close_timeout=timedelta(minutes=5),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=10),
        non_retryable_error_types=["SubmissionOutcomeUnknown"],
    ),
)


@workflow.defn
class SubmissionBatchWorkflow:
    """ID ``batch-<payer>-<window>``; holds claim references, never claim data."""

    @workflow.init
    def __init__(self, inp: BatchInput) -> None:
        self.entries: list[BatchEntry] = []
        self.keys: set[str] = set()

    @workflow.signal(description="A ready claim version joins this batch.")
    def add_claim(self, entry: BatchEntry) -> None:
        if entry.idempotency_key not in self.keys:
            self.keys.add(entry.idempotency_key)
            self.entries.append(entry)

    @workflow.query(description="The claims in this batch so far.")
    def claims(self) -> list[BatchEntry]:
        return self.entries

    @workflow.run
    async def run(self, inp: BatchInput) -> int:
        closes = f"{inp.closes_at:%Y-%m-%d %H:%M:%S} UTC"
        workflow.set_current_details(f"Collecting {inp.payer_id} claims until {closes}")
        wait = inp.closes_at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"{inp.payer_id} submission window")
        sent = 0
        transmissions = 0
        while sent < len(self.entries):
            batch = self.entries[sent:]
            transmissions += 1
            outcomes = await workflow.execute_activity(
                "transmit_batch",
                BatchTransmit(
                    batch_key=f"{inp.batch_id}-t{transmissions}", entries=batch
                ),
                result_type=list[EntryOutcome],
                summary=f"Send {len(batch)} claim(s) to {inp.payer_id} in one 837",
                **TRANSMIT,
            )
            for outcome in outcomes:
                await workflow.get_external_workflow_handle(outcome.workflow_id).signal(
                    "submitted",
                    SubmittedSignal(
                        transaction_id=f"{inp.batch_id}-t{transmissions}"
                        f"-{outcome.claim_id}-v{outcome.version}",
                        batch_key=f"{inp.batch_id}-t{transmissions}",
                        outcome=outcome,
                    ),
                )
            sent += len(batch)
            workflow.set_current_details(
                f"Sent {sent} claim(s) in {transmissions} transmission(s)"
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return sent


__all__ = ["SubmissionBatchWorkflow", "EntryOutcome"]
