"""InboxWorkflow: reads what the clearinghouse sends back and tells each claim.

One long-running workflow per clearinghouse. Each poll lists the inbox, stores and reads
every file in an activity (999, 277CA and 835), signals the claim workflows the file
concerns, and only then acknowledges the file at the clearinghouse: a crash in between
reads the file again, and the claims ignore the repeated messages by transaction ID.
It continues as new after a bounded number of polls so its history stays small, and
the signals to the claims go from the activity that read the file, not from the
workflow, so a file of hundreds of claims is one activity, not hundreds of events.

An 835 whose own figures do not balance is held in the ledger and tells no claim. Ops
staff release it with the ``release_remittance`` update (from the Web UI, or
``claimflow remittance release``): the ledger posts its provider-level adjustments and
the claims it pays get their ``remittance`` signals exactly as if the file had just
been read, so each claim posts its own payment.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from claimflow.messages import (
        ClaimMessage,
        FileOutcome,
        InboxInput,
        ReleaseRemittance,
        RemittanceReleased,
    )

# Reading a file and signalling its claims happen in one activity (see
# activities.inbox.read_and_deliver_inbound_file); before this patch the workflow
# sent the signals itself.
DELIVERY_PATCH = "inbox-delivers-in-activity"

ACTIVITY = dict(
    start_to_close_timeout=timedelta(minutes=5),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=5),
    ),
)


@workflow.defn
class InboxWorkflow:
    """Polls the clearinghouse inbox; ID ``inbox-<clearinghouse>``."""

    @workflow.run
    async def run(self, inp: InboxInput) -> None:
        for _ in range(inp.polls_before_continue):
            names = await workflow.execute_activity(
                "list_inbox", result_type=list[str], summary="List inbox", **ACTIVITY
            )
            # Files are read side by side; a claim copes with its 999, 277CA and
            # 835 arriving in any order.
            if workflow.patched(DELIVERY_PATCH):
                await asyncio.gather(
                    *(
                        workflow.execute_activity(
                            "read_and_deliver_inbound_file",
                            name,
                            result_type=FileOutcome,
                            summary=f"Read {name} and tell its claims",
                            heartbeat_timeout=timedelta(minutes=1),
                            **ACTIVITY,
                        )
                        for name in names
                    )
                )
            else:
                outcomes = await asyncio.gather(
                    *(
                        workflow.execute_activity(
                            "read_inbound_file",
                            name,
                            result_type=FileOutcome,
                            summary=f"Read {name}",
                            **ACTIVITY,
                        )
                        for name in names
                    )
                )
                await asyncio.gather(
                    *(
                        self._deliver(m)
                        for outcome in outcomes
                        for m in outcome.messages
                    )
                )
            await asyncio.gather(
                *(
                    workflow.execute_activity(
                        "acknowledge_inbound_file",
                        name,
                        summary=f"Acknowledge {name}",
                        **ACTIVITY,
                    )
                    for name in names
                )
            )
            await workflow.sleep(
                timedelta(seconds=inp.poll_seconds), summary="next inbox poll"
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(inp)

    @workflow.update(
        description="Release a held 835 (see `claimflow remittance list`): it "
        "posts as it is and its claims are told, as when a file is read."
    )
    async def release_remittance(
        self, request: ReleaseRemittance
    ) -> RemittanceReleased:
        released = await workflow.execute_activity(
            "release_remittance",
            request,
            result_type=RemittanceReleased,
            summary=f"Release 835 {request.remittance_id}",
            **ACTIVITY,
        )
        await asyncio.gather(*(self._deliver(m) for m in released.messages))
        return released

    @release_remittance.validator
    def _check_release(self, request: ReleaseRemittance) -> None:
        # Refused before it enters the history: a release needs a person's why.
        if not request.reason.strip():
            raise ValueError("a release needs a reason (why it may post as it is)")

    async def _deliver(self, message: ClaimMessage) -> None:
        handle = workflow.get_external_workflow_handle(message.workflow_id)
        signal, payload = message.as_signal()
        try:
            await handle.signal(signal, payload)
        except Exception as err:  # the claim's workflow has ended or never existed
            await workflow.execute_activity(
                "undeliverable",
                args=[message, str(err)],
                summary=f"Undeliverable {signal} for {message.workflow_id}",
                **ACTIVITY,
            )
