"""The figures of the ledger report, as plain pydantic models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from claimflow.models import Model, Money

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "over 120")


class MonthCollections(Model):
    """What became of the charges of one month of service, and the month's cash.

    Payments and adjustments count on the month their claim was served in,
    whenever they were posted (up to the report date), so each rate is that
    month's charges' own and stays at or below 100 % but for an overpayment.
    """

    month: str  # "YYYY-MM", the month of service
    charges: Money  # charges and charge changes of the claims served that month
    payer_payments: Money  # payer payments on those claims, less recoupments
    patient_payments: Money  # patient money on those claims (paid or credit applied)
    adjustments: Money  # contractual and other adjustments and write-offs on them
    collections: Money  # payer_payments + patient_payments
    # collections / charges, a percentage to one place; None without charges
    collection_rate: Decimal | None
    # (collections + adjustments) / charges: the share settled; None likewise
    settled_rate: Decimal | None
    # payer and patient money received in the calendar month, for any service
    cash_in_month: Money


class DaysInAR(Model):
    """A/R at the date over the average daily charges of the window before it."""

    ar_balance: Money  # charges - payments - adjustments - patient payments
    window_days: int
    window_charges: Money  # charges dated in the window, the as-of date included
    days: Decimal | None  # one decimal place; None when the window has no charges


class AgingRow(Model):
    """What payers still owe, by age from the date of service, for one payer."""

    payer_id: str  # "ALL" on the totals row
    buckets: dict[str, Money]  # keys are BUCKETS
    total: Money


class ReasonCount(Model):
    """A group-reason code (e.g. ``CO-50``) among denials, with its amount."""

    code: str
    count: int
    amount: Money


class DenialRate(Model):
    """Denied adjudications among all adjudications of one payer/provider/code."""

    key: str
    adjudicated: int
    denied: int
    rate: Decimal  # percentage to one place
    top_reasons: list[ReasonCount] = Field(default_factory=list)


class PatientBalanceRow(Model):
    """What one patient owes (by ledger patient id; no names in reports)."""

    patient_id: int
    owed: Money


class OutstandingClaim(Model):
    """A claim payers still owe on, with its timely-filing deadline."""

    claim_id: int
    payer_id: str
    status: str
    service_date: date
    outstanding: Money
    filing_deadline: date | None
    days_to_deadline: int | None  # negative once the deadline has passed


class Report(Model):
    """Every figure of ``claimflow report`` as of one date."""

    as_of: date
    collections_by_month: list[MonthCollections]
    days_in_ar: DaysInAR
    aging_by_payer: list[AgingRow]  # one row per payer, then the "ALL" row
    denials_by_payer: list[DenialRate]
    denials_by_provider: list[DenialRate]
    denials_by_procedure: list[DenialRate]
    patient_balances: list[PatientBalanceRow]
    outstanding_claims: list[OutstandingClaim]
