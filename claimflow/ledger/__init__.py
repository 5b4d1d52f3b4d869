"""The ledger: claims, exchanges with payers, and the money journal."""

from claimflow.ledger.errors import LedgerError, NotFoundError, RemittanceHeldError
from claimflow.ledger.ledger import Ledger
from claimflow.ledger.results import (
    ClaimBalance,
    ControlNumbers,
    DepositReconciliation,
    ForwardBalance,
    InboundFileInfo,
    PatientStatement,
    PostingResult,
    ProviderAdjustmentInfo,
    RemitClaimMatch,
    RemitClaimView,
    RemittanceDetail,
    RemittanceInfo,
    RemittanceStored,
    SecondaryClaim,
    StatementLine,
    StatusInfo,
    SubmissionInfo,
    WorkItem,
)
from claimflow.ledger.tables import metadata

__all__ = [
    "ClaimBalance",
    "ControlNumbers",
    "DepositReconciliation",
    "ForwardBalance",
    "InboundFileInfo",
    "Ledger",
    "LedgerError",
    "NotFoundError",
    "PatientStatement",
    "PostingResult",
    "ProviderAdjustmentInfo",
    "RemitClaimMatch",
    "RemitClaimView",
    "RemittanceDetail",
    "RemittanceHeldError",
    "RemittanceInfo",
    "RemittanceStored",
    "SecondaryClaim",
    "StatementLine",
    "StatusInfo",
    "SubmissionInfo",
    "WorkItem",
    "metadata",
]
