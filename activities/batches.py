"""Activities of submission batches: joining a payer's window, sending one 837.

``join_batch`` signals-with-start the ``SubmissionBatchWorkflow`` of the claim's
payer and form (837P, 837I or 837D: one transaction set carries one kind of claim)
for the current window. ``transmit_batch`` sends the batch's claims as one
interchange: the ledger gives them shared control numbers under the batch key
once, the 837 is built and validated, a claim that cannot be written or fails
validation alone is left out (and told why) so it cannot hold back the others,
and the interchange goes to the clearinghouse under the batch key, so a retry
never sends it twice.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.claims import transmit, write_837
from claimflow import x12
from claimflow.clearinghouse.base import Clearinghouse
from claimflow.ledger import Ledger
from claimflow.messages import (
    BatchEntry,
    BatchInput,
    BatchTransmit,
    EntryOutcome,
    JoinBatch,
)
from claimflow.models import Claim
from claimflow.x12.forms import FORMS

CLEARINGHOUSE_ID = "CLEARINGHOUSE"


def batch_window(
    payer_id: str, now: datetime, window_seconds: float, form: str = "837P"
) -> tuple[str, datetime]:
    """The batch a claim ready at ``now`` joins, and when that batch is sent.

    Windows are whole multiples of ``window_seconds`` since the epoch (UTC): a
    day-long window closes at midnight UTC. Professional batches keep the ID
    they had before other forms were sent (``batch-<payer>-<window>``); 837I and
    837D batches name their form (``batch-<payer>-837I-<window>``).
    """
    window = math.floor(now.timestamp() / window_seconds)
    closes = datetime.fromtimestamp((window + 1) * window_seconds, UTC)
    named = payer_id if form == "837P" else f"{payer_id}-{form}"
    return f"batch-{named}-{window}", closes


class BatchActivities:
    """Batches of one clearinghouse, bound to the ledger and a Temporal client."""

    def __init__(
        self,
        ledger: Ledger,
        clearinghouse: Clearinghouse,
        client: Client,
        task_queue: str,
        window_seconds: float,
    ) -> None:
        self.ledger = ledger
        self.clearinghouse = clearinghouse
        self.client = client
        self.task_queue = task_queue
        self.window_seconds = window_seconds

    def all(self) -> list:
        return [self.join_batch, self.transmit_batch]

    @activity.defn(name="join_batch")
    async def join_batch(self, request: JoinBatch) -> str:
        """Put a ready claim version in its payer's current batch; return its ID."""
        from workflows.batch import SubmissionBatchWorkflow

        entry = request.entry
        form = FORMS[self.ledger.get_claim(entry.claim_id, entry.version).kind]
        identifier, closes = batch_window(
            request.payer_id, datetime.now(UTC), self.window_seconds, form
        )
        await self.client.start_workflow(
            SubmissionBatchWorkflow.run,
            BatchInput(
                batch_id=identifier, payer_id=request.payer_id, closes_at=closes
            ),
            id=identifier,
            task_queue=self.task_queue,
            start_signal="add_claim",
            start_signal_args=[request.entry],
            static_summary=f"{request.payer_id} {form} batch",
        )
        return identifier

    @activity.defn(name="transmit_batch")
    def transmit_batch(self, request: BatchTransmit) -> list[EntryOutcome]:
        """Send the batch's claims as one 837 interchange, at most once."""
        subs = self.ledger.prepare_batch_submission(
            request.batch_key,
            [(e.claim_id, e.version, e.idempotency_key) for e in request.entries],
        )
        by_claim = {(e.claim_id, e.version): e for e in request.entries}
        if all(sub.status in ("sent", "left_out") for sub in subs):
            # Sent already (a retry after the clearinghouse took it): report again.
            return [self._outcome(by_claim, sub, sub.status == "sent") for sub in subs]
        claims = [self.ledger.get_claim(s.claim_id, s.version) for s in subs]
        first = subs[0]
        envelope = x12.Envelope(
            sender_id="CLAIMFLOW",
            receiver_id=CLEARINGHOUSE_ID,
            interchange_control_number=int(first.interchange_control_number),
            group_control_number=int(first.group_control_number),
            transaction_control_number=first.transaction_control_number,
            created=datetime.now(UTC),
            contact_name="BILLING OFFICE",
            contact_phone="6175550100",
        )

        # A batch holds one form; a claim of another (a batch joined before
        # batches were kept per form) is left out, never sent on the wrong guide.
        form = claims[0].kind
        rejected: dict[int, tuple[str, str]] = {
            c.claim_id: (
                "ClaimDataError",
                f"a {FORMS[c.kind]} claim cannot go in a {FORMS[form]} batch",
            )
            for c in claims
            if c.kind != form
        }
        claims = [c for c in claims if c.claim_id not in rejected]
        # A claim that cannot be written or fails validation on its own is
        # left out of the batch; the others go.
        text, problem = _attempt(claims, envelope)
        if problem is not None:
            for claim in claims:
                _, problem = _attempt([claim], envelope)
                if problem is not None:
                    rejected[claim.claim_id] = problem
            claims = [c for c in claims if c.claim_id not in rejected]
            text = write_837(claims, envelope) if claims else ""
        for sub in subs:
            if sub.claim_id in rejected:
                reason = rejected[sub.claim_id][1]
                self.ledger.leave_out_of_batch(sub.submission_id, reason)
                self.ledger.audit(sub.claim_id, "837-invalid", reason)
        outcomes = []
        if claims:
            receipt = transmit(self.clearinghouse, text, request.batch_key)
            self.ledger.mark_batch_sent(request.batch_key, receipt.receipt_id, text)
            for sub in subs:
                if sub.claim_id not in rejected:
                    outcome = self._outcome(by_claim, sub, True)
                    outcome.receipt_id = receipt.receipt_id
                    outcomes.append(outcome)
        for sub in subs:
            if sub.claim_id in rejected:
                outcome = self._outcome(by_claim, sub, False)
                outcome.error_type, reason = rejected[sub.claim_id]
                outcome.error = f"left out of batch {request.batch_key}: {reason}"
                outcomes.append(outcome)
        activity.logger.info(
            "batch %s: %d sent, %d left out",
            request.batch_key,
            len(outcomes) - len(rejected),
            len(rejected),
        )
        return outcomes

    @staticmethod
    def _outcome(
        by_claim: dict[tuple[int, int], BatchEntry], sub, sent: bool
    ) -> EntryOutcome:
        entry = by_claim[(sub.claim_id, sub.version)]
        return EntryOutcome(
            claim_id=sub.claim_id,
            version=sub.version,
            workflow_id=entry.workflow_id,
            sent=sent,
            transaction_control_number=sub.transaction_control_number,
            receipt_id=sub.receipt_id,
        )


def _attempt(
    claims: list[Claim], envelope: x12.Envelope
) -> tuple[str, tuple[str, str] | None]:
    """Write and validate claims as one 837: the text, or what was wrong.

    The problem is ``(error type, reason)``: ``ClaimDataError`` when the builder
    refused a claim, ``X12SyntaxError`` when pyx12 refused the file.
    """
    try:
        text = write_837(claims, envelope)
    except ApplicationError as err:
        return "", ("ClaimDataError", err.message)
    report = x12.validate(text)
    if not report.ok:
        return "", ("X12SyntaxError", str(report.first_error))
    return text, None
