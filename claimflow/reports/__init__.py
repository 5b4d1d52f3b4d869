"""Reports on the ledger: collections, days in A/R, aging, denials, balances."""

from claimflow.reports.cli import report_command
from claimflow.reports.figures import build_report
from claimflow.reports.models import (
    BUCKETS,
    AgingRow,
    DaysInAR,
    DenialRate,
    MonthCollections,
    OutstandingClaim,
    PatientBalanceRow,
    ReasonCount,
    Report,
)
from claimflow.reports.render import to_csv, to_json, to_text

__all__ = [
    "BUCKETS",
    "AgingRow",
    "DaysInAR",
    "DenialRate",
    "MonthCollections",
    "OutstandingClaim",
    "PatientBalanceRow",
    "ReasonCount",
    "Report",
    "build_report",
    "report_command",
    "to_csv",
    "to_json",
    "to_text",
]
