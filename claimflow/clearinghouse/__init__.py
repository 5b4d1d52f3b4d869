"""Clearinghouse adapters (HTTP, mailbox) and the payer simulator.

Activities talk to a clearinghouse only through the ``Clearinghouse`` protocol;
``open_clearinghouse(url)`` picks the adapter from the URL. The simulator lives in
``claimflow.clearinghouse.simulator`` and is not imported here.
"""

from claimflow.clearinghouse.base import (
    Clearinghouse,
    ClearinghouseError,
    ClearinghouseUnavailable,
    InboxEntry,
    InboxFileNotFound,
    SubmissionOutcomeUnknown,
    SubmissionReceipt,
    SubmissionRejected,
    UnsupportedTransaction,
)
from claimflow.clearinghouse.factory import open_clearinghouse
from claimflow.clearinghouse.http_adapter import HttpClearinghouse
from claimflow.clearinghouse.mailbox_adapter import MailboxClearinghouse

__all__ = [
    "Clearinghouse",
    "ClearinghouseError",
    "ClearinghouseUnavailable",
    "HttpClearinghouse",
    "InboxEntry",
    "InboxFileNotFound",
    "MailboxClearinghouse",
    "SubmissionOutcomeUnknown",
    "SubmissionReceipt",
    "SubmissionRejected",
    "UnsupportedTransaction",
    "open_clearinghouse",
]
