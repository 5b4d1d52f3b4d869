"""The clearinghouse interface every adapter implements, and its errors.

The errors split on the one question a caller's retry policy must answer: may the
same request be sent again? ``ClearinghouseUnavailable`` says nothing was accepted,
so retrying is safe. ``SubmissionRejected`` says the clearinghouse looked at the
request and refused it, so sending it again changes nothing.
``SubmissionOutcomeUnknown`` says the bytes may have arrived: resend only with the
same idempotency key, which lets the clearinghouse recognise the copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class ClearinghouseError(Exception):
    """Base class of everything an adapter raises on purpose."""


class ClearinghouseUnavailable(ClearinghouseError):
    """The clearinghouse could not be reached or failed; retrying is safe."""


class SubmissionRejected(ClearinghouseError):
    """The clearinghouse refused the request; resending it unchanged will not help.

    Attributes:
        reason: the clearinghouse's explanation, free of PHI.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SubmissionOutcomeUnknown(ClearinghouseError):
    """The request may have been received; resend only with the same idempotency key."""


class InboxFileNotFound(ClearinghouseError):
    """The named inbox file does not exist (never delivered, or acknowledged)."""


class UnsupportedTransaction(ClearinghouseError):
    """The adapter has no channel for this transaction (e.g. real time over SFTP)."""


@dataclass(frozen=True)
class SubmissionReceipt:
    """What the clearinghouse returns for an accepted interchange.

    Attributes:
        receipt_id: the clearinghouse's reference for the submission.
        duplicate: True when the idempotency key had been seen before, in which case
            ``receipt_id`` is the first submission's and nothing was queued again.
    """

    receipt_id: str
    duplicate: bool


@dataclass(frozen=True)
class InboxEntry:
    """One file waiting in the inbox.

    Attributes:
        name: the file's name, used with ``fetch`` and ``acknowledge``.
        kind: the transaction it carries, as ``claimflow.x12.detect`` names it
            (``999``, ``277CA``, ``835``, ...), or ``unknown``.
    """

    name: str
    kind: str


@runtime_checkable
class Clearinghouse(Protocol):
    """A channel to payers: submit 837s, ask real-time questions, read the inbox."""

    def submit(self, interchange: str, idempotency_key: str) -> SubmissionReceipt:
        """Send one 837 interchange; the same key never queues it twice."""
        ...

    def eligibility(self, x270: str) -> str:
        """Send a 270 inquiry and return the 271 response text."""
        ...

    def claim_status(self, x276: str) -> str:
        """Send a 276 inquiry and return the 277 response text."""
        ...

    def list_inbox(self) -> list[InboxEntry]:
        """Return the files waiting in the inbox, oldest first."""
        ...

    def fetch(self, name: str) -> bytes:
        """Return the bytes of one inbox file."""
        ...

    def acknowledge(self, name: str) -> None:
        """Mark one inbox file as processed; acknowledging twice is harmless."""
        ...
