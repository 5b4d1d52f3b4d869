"""Activities of the inbox: files the clearinghouse sends back (999, 277CA, 835).

Each inbound file is stored in the ledger before anything else (content and hash), so
nothing is ever lost: a file that cannot be read is quarantined with its reason and a
work item, and the good transactions beside a bad one still go through. Reading is
idempotent: the same file read twice yields the same messages with the same
transaction IDs, which the claim workflows recognise and ignore.
"""

from __future__ import annotations

import asyncio
import hashlib

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from claimflow import x12
from claimflow.clearinghouse.base import Clearinghouse
from claimflow.ledger import Ledger, NotFoundError, RemitClaimMatch
from claimflow.messages import (
    AcknowledgmentSignal,
    ClaimMessage,
    FileOutcome,
    ReleaseRemittance,
    RemittanceReleased,
    RemittanceSignal,
)
from claimflow.models import ClaimAcknowledgment, RemitClaim

QUARANTINE_QUEUE = "EDI-Support"


def claim_workflow_id(claim_id: int) -> str:
    return f"claim-{claim_id}"


class InboxActivities:
    """Reads the clearinghouse inbox into the ledger and into claim messages."""

    def __init__(
        self,
        ledger: Ledger,
        clearinghouse: Clearinghouse,
        client: Client | None = None,
    ) -> None:
        self.ledger = ledger
        self.clearinghouse = clearinghouse
        # Signals the claims from ``read_and_deliver_inbound_file``.
        self.client = client

    def all(self) -> list:
        return [
            self.list_inbox,
            self.read_inbound_file,
            self.read_and_deliver_inbound_file,
            self.acknowledge_inbound_file,
            self.undeliverable,
            self.release_remittance,
        ]

    @activity.defn(name="undeliverable")
    def undeliverable(self, message: ClaimMessage, error: str) -> None:
        """A message whose claim workflow has ended: post it and tell a person."""
        claim_id = int(message.workflow_id.removeprefix("claim-"))
        what = "acknowledgment"
        if message.remittance is not None:
            what = f"835 claim payment {message.remittance.remit_claim_id}"
            self.ledger.post_remittance(message.remittance.remit_claim_id)
        self.ledger.create_work_item(
            claim_id,
            QUARANTINE_QUEUE,
            f"{what} arrived for a claim whose workflow has ended",
            error[:500],
            None,
            f"undeliverable-{message.workflow_id}-{what}",
        )

    @activity.defn(name="list_inbox")
    def list_inbox(self) -> list[str]:
        return [entry.name for entry in self.clearinghouse.list_inbox()]

    @activity.defn(name="acknowledge_inbound_file")
    def acknowledge_inbound_file(self, name: str) -> None:
        self.clearinghouse.acknowledge(name)

    @activity.defn(name="read_inbound_file")
    def read_inbound_file(self, name: str) -> FileOutcome:
        """Store one inbound file, read it, and say which claims to tell what."""
        content = self.clearinghouse.fetch(name)
        text = content.decode("utf-8", errors="replace")
        try:
            kind = x12.detect(text)
        except x12.X12Error as err:
            kind = "unknown"
            file_id, duplicate = self.ledger.store_inbound_file(name, kind, content)
            return self._quarantine(name, kind, file_id, duplicate, str(err))
        file_id, duplicate = self.ledger.store_inbound_file(name, kind, content)
        digest = hashlib.sha256(content).hexdigest()[:16]
        try:
            if kind == "999":
                messages = self._read_999(text, file_id, digest)
            elif kind == "277CA":
                messages = self._read_277ca(text, file_id, digest)
            elif kind == "835":
                messages = self._read_835(text, file_id)
            else:
                return self._quarantine(
                    name, kind, file_id, duplicate, f"unexpected {kind} in the inbox"
                )
        except x12.X12Error as err:
            return self._quarantine(name, kind, file_id, duplicate, str(err))
        activity.logger.info(
            "inbound %s %s: %d claim message(s)", kind, name, len(messages)
        )
        return FileOutcome(
            name=name,
            kind=kind,
            file_id=file_id,
            duplicate=duplicate,
            messages=messages,
        )

    @activity.defn(name="read_and_deliver_inbound_file")
    async def read_and_deliver_inbound_file(self, name: str) -> FileOutcome:
        """Read one inbound file as ``read_inbound_file`` does, then tell its claims.

        The signals go from here rather than from the inbox workflow: an 835 for
        hundreds of claims is hundreds of signals, and sending them from the
        workflow put them all in one of its tasks and in its history, which a busy
        worker could not finish in time. A retry reads the file again (the ledger
        knows it) and signals again; the claims ignore what they have seen.
        """
        if self.client is None:
            raise ApplicationError(
                "the inbox activities were built without a Temporal client",
                type="NoClient",
                non_retryable=True,
            )
        outcome = await asyncio.to_thread(self.read_inbound_file, name)
        for number, message in enumerate(outcome.messages, 1):
            await self._signal(message)
            activity.heartbeat(number)
        return outcome.model_copy(
            update={"messages": [], "delivered": len(outcome.messages)}
        )

    async def _signal(self, message: ClaimMessage) -> None:
        handle = self.client.get_workflow_handle(message.workflow_id)
        signal, payload = message.as_signal()
        try:
            await handle.signal(signal, payload)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            # The claim's workflow has ended (or never ran): post and tell a person.
            await asyncio.to_thread(self.undeliverable, message, str(err))

    def _quarantine(
        self, name: str, kind: str, file_id: int, duplicate: bool, reason: str
    ) -> FileOutcome:
        self.ledger.quarantine_file(file_id, reason)
        self.ledger.create_work_item(
            None,
            QUARANTINE_QUEUE,
            f"Inbound file {name} quarantined",
            reason,
            None,
            f"quarantine-{file_id}",
        )
        return FileOutcome(
            name=name,
            kind=kind,
            file_id=file_id,
            duplicate=duplicate,
            messages=[],
            problem=reason,
        )

    def _read_999(self, text: str, file_id: int, digest: str) -> list[ClaimMessage]:
        messages = []
        for ack in x12.parse_999(text):
            found = self.ledger.submissions_for_transaction(
                ack.transaction_control_number or ""
            )
            for sub in found:
                self.ledger.record_acknowledgment(sub.claim_id, ack, file_id)
                messages.append(
                    self._ack_message(sub.claim_id, sub.version, ack, digest)
                )
            if not found:
                self._unmatched(file_id, ack, "999 for an unknown transaction")
        return messages

    def _read_277ca(self, text: str, file_id: int, digest: str) -> list[ClaimMessage]:
        messages = []
        for ack in x12.parse_277ca(text):
            match = self.ledger.find_claim_by_pcn(ack.patient_control_number or "")
            if match is None:
                self._unmatched(file_id, ack, "277CA for an unknown claim")
                continue
            claim_id, version = match
            self.ledger.record_acknowledgment(claim_id, ack, file_id)
            messages.append(self._ack_message(claim_id, version, ack, digest))
        return messages

    def _ack_message(
        self, claim_id: int, version: int, ack: ClaimAcknowledgment, digest: str
    ) -> ClaimMessage:
        reference = ack.transaction_control_number or ack.patient_control_number
        return ClaimMessage(
            workflow_id=claim_workflow_id(claim_id),
            acknowledgment=AcknowledgmentSignal(
                transaction_id=f"{ack.kind}-{digest}-{reference}",
                claim_version=version,
                ack=ack,
            ),
        )

    def _unmatched(self, file_id: int, ack: ClaimAcknowledgment, what: str) -> None:
        reference = ack.transaction_control_number or ack.patient_control_number
        self.ledger.record_acknowledgment(None, ack, file_id)
        self.ledger.create_work_item(
            None,
            QUARANTINE_QUEUE,
            f"{what} ({reference})",
            f"file {file_id}: {ack.message or ack.status_codes}",
            None,
            f"unmatched-ack-{file_id}-{reference}",
        )

    def _read_835(self, text: str, file_id: int) -> list[ClaimMessage]:
        messages = []
        for remittance in x12.parse_835(text):
            stored = self.ledger.store_remittance(file_id, remittance)
            # The stored CLPs come in the transaction's order (a held 835 lists
            # none); matching by position keeps a reversal and its correction,
            # which share a patient control number, apart.
            for match, clp in zip(stored.claims, remittance.claims, strict=False):
                messages.extend(_remittance_message(match, clp))
        return messages

    @activity.defn(name="release_remittance")
    def release_remittance(self, request: ReleaseRemittance) -> RemittanceReleased:
        """Let a held 835 post; say which claims to tell, as reading it would.

        Raises:
            ApplicationError: ``remittance-not-found`` (not retried) when no
                835 has the id.
        """
        try:
            before = self.ledger.remittance_detail(request.remittance_id)
            stored = self.ledger.release_remittance(
                request.remittance_id, request.reason
            )
        except NotFoundError as err:
            raise ApplicationError(
                str(err), type="remittance-not-found", non_retryable=True
            ) from err
        messages = []
        for match in stored.claims:
            clp = self.ledger.remit_claim(match.remit_claim_id)
            messages.extend(_remittance_message(match, clp))
        activity.logger.info(
            "835 %s released: %d claim message(s)", stored.remittance_id, len(messages)
        )
        return RemittanceReleased(
            remittance_id=stored.remittance_id,
            was_held=before.remittance.status == "held",
            messages=messages,
        )


def _remittance_message(match: RemitClaimMatch, clp: RemitClaim) -> list[ClaimMessage]:
    """The ``remittance`` signal for one stored CLP (none when it has no claim).

    The transaction ID is the stored CLP's, so a claim told twice (a file read
    again, a release repeated) recognises the second message.
    """
    if match.claim_id is None:
        return []  # the ledger opened an unmatched-remittance work item
    return [
        ClaimMessage(
            workflow_id=claim_workflow_id(match.claim_id),
            remittance=RemittanceSignal(
                transaction_id=f"835-{match.remit_claim_id}",
                remit_claim_id=match.remit_claim_id,
                claim_version=match.version,
                status_code=match.status_code,
                paid=clp.paid,
                patient_responsibility=clp.patient_responsibility,
                payer_claim_number=clp.payer_claim_number,
            ),
        )
    ]


__all__ = ["InboxActivities", "claim_workflow_id"]
