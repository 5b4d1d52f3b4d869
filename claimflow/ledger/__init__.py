"""The ledger: claims, exchanges with payers, and the money journal."""

from claimflow.ledger.errors import LedgerError, NotFoundError
from claimflow.ledger.ledger import Ledger
from claimflow.ledger.results import (
    ClaimBalance,
    ControlNumbers,
    InboundFileInfo,
    PostingResult,
    RemitClaimMatch,
    RemittanceStored,
    StatusInfo,
    SubmissionInfo,
    WorkItem,
)
from claimflow.ledger.tables import metadata

__all__ = [
    "ClaimBalance",
    "ControlNumbers",
    "InboundFileInfo",
    "Ledger",
    "LedgerError",
    "NotFoundError",
    "PostingResult",
    "RemitClaimMatch",
    "RemittanceStored",
    "StatusInfo",
    "SubmissionInfo",
    "WorkItem",
    "metadata",
]
