"""The ledger's tables.

The tables live in their own SQLAlchemy registry (``metadata`` below), so that
``Ledger.create_all`` and migrations touch only what the ledger owns. Every column
type is portable between SQLite and PostgreSQL: money is ``Numeric(12, 2)``, free
structures are ``JSON``, timestamps carry a time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Index, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time in UTC (bookkeeping timestamps only)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timestamp that comes back time-zone aware (UTC) on SQLite as well."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def _money(**kwargs: Any) -> Any:
    return Field(max_digits=12, decimal_places=2, **kwargs)


def _stamp() -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime)


class LedgerTable(SQLModel, registry=registry()):
    """Base class of every ledger table (a registry of its own)."""


metadata = LedgerTable.metadata


# ----------------------------------------------------------------- parties


class PayerRow(LedgerTable, table=True):
    __tablename__ = "payers"

    payer_id: str = Field(primary_key=True, max_length=20)
    name: str
    x12_payer_id: str = Field(max_length=80)
    plan_type: str = Field(max_length=2)


class ProviderRow(LedgerTable, table=True):
    __tablename__ = "providers"

    npi: str = Field(primary_key=True, max_length=10)
    name: str
    tax_id: str | None = None
    taxonomy: str | None = None
    is_organization: bool = False
    address: dict | None = Field(default=None, sa_type=JSON)


class PatientRow(LedgerTable, table=True):
    __tablename__ = "patients"

    id: int | None = Field(default=None, primary_key=True)
    external_key: str = Field(unique=True, max_length=80)
    first_name: str
    last_name: str
    birth_date: date
    sex: str = Field(max_length=1)
    address: dict = Field(sa_type=JSON)


class CoverageRow(LedgerTable, table=True):
    __tablename__ = "coverages"
    __table_args__ = (
        UniqueConstraint("patient_id", "payer_id", "member_id", "priority", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    payer_id: str = Field(foreign_key="payers.payer_id")
    member_id: str
    group_number: str | None = None
    relationship: str = "18"
    plan_type: str = Field(max_length=2)
    priority: str = "primary"
    start: date | None = None
    end: date | None = None


# ----------------------------------------------------------------- claims


class EncounterRow(LedgerTable, table=True):
    __tablename__ = "encounters"

    id: int | None = Field(default=None, primary_key=True)
    encounter_key: str = Field(unique=True, max_length=120)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    service_date: date
    created_at: datetime = _stamp()


class ClaimRow(LedgerTable, table=True):
    __tablename__ = "claims"

    id: int | None = Field(default=None, primary_key=True)
    encounter_id: int = Field(foreign_key="encounters.id", unique=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    payer_id: str = Field(max_length=20, index=True)
    billing_npi: str = Field(max_length=10)
    status: str = Field(default="intake", max_length=30, index=True)
    status_reason: str | None = None
    latest_version: int = 1
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()
    # The last day the payer accepts the claim (timely filing), when known.
    filing_deadline: date | None = None
    # On a secondary claim: the claim billed before it, whose account holds the
    # money (not a foreign key: SQLite cannot add one to a table in place).
    primary_claim_id: int | None = Field(default=None, index=True)
    # The coverage the claim goes on to after its payer, when the encounter
    # named one (else the patient's coverage one priority down, by date).
    next_coverage_id: int | None = None


class ClaimVersionRow(LedgerTable, table=True):
    __tablename__ = "claim_versions"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    version: int
    patient_control_number: str = Field(unique=True, max_length=17)
    frequency_code: str = Field(max_length=1)
    original_payer_claim_number: str | None = None
    total_charge: Decimal = _money()
    diagnoses: list = Field(sa_type=JSON)
    # Everything else of models.Claim (parties, coverage, kind, ...) as sent.
    header: dict = Field(sa_type=JSON)
    created_at: datetime = _stamp()


class ClaimLineRow(LedgerTable, table=True):
    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_version_id", "line_number"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_version_id: int = Field(foreign_key="claim_versions.id", index=True)
    line_number: int
    procedure: str = Field(max_length=5)
    modifiers: list = Field(sa_type=JSON)
    units: Decimal = Field(max_digits=10, decimal_places=3)
    charge: Decimal = _money()
    service_date: date
    place_of_service: str = Field(max_length=2)
    diagnosis_pointers: list = Field(sa_type=JSON)
    line_control_number: str = Field(unique=True, max_length=30)
    # 837 loop 2430: earlier payers' decisions on the line (secondary claims).
    adjudications: list | None = Field(default=None, sa_type=JSON)
    # What an 837I or 837D line says beyond its procedure: the revenue code
    # (SV201), the teeth with their surfaces (TOO), the oral cavity areas
    # (SV304) and the prosthesis flag (SV305). A new version of the claim is
    # built from these rows, so they are kept as sent.
    revenue_code: str | None = Field(default=None, max_length=4)
    teeth: list | None = Field(default=None, sa_type=JSON)
    oral_cavity: list | None = Field(default=None, sa_type=JSON)
    prosthesis: str | None = Field(default=None, max_length=1)


# ----------------------------------------------------------------- checks


class EligibilityCheckRow(LedgerTable, table=True):
    __tablename__ = "eligibility_checks"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    active: bool
    payer_id: str
    service_date: date
    result: dict = Field(sa_type=JSON)
    request_x12: str = Field(sa_type=Text)
    response_x12: str = Field(sa_type=Text)
    checked_at: datetime = _stamp()


class ScrubResultRow(LedgerTable, table=True):
    __tablename__ = "scrub_results"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    version: int
    ruleset_hash: str = Field(max_length=128)
    error_count: int
    findings: list = Field(sa_type=JSON)
    created_at: datetime = _stamp()


# ----------------------------------------------------------------- submissions


class ControlCounterRow(LedgerTable, table=True):
    __tablename__ = "control_counters"

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class SubmissionRow(LedgerTable, table=True):
    __tablename__ = "submissions"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claims.id", index=True)
    version: int
    idempotency_key: str = Field(unique=True, max_length=200)
    interchange_control_number: str = Field(unique=True, max_length=9)
    group_control_number: str = Field(unique=True, max_length=9)
    transaction_control_number: str = Field(unique=True, max_length=9)
    status: str = Field(default="prepared", max_length=20)
    receipt_id: str | None = None
    content: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _stamp()
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The batch this claim version went out in; the interchange's control
    # numbers are the batch's (the row's own stay reserved, never reused).
    batch_id: int | None = Field(default=None, index=True)


class SubmissionBatchRow(LedgerTable, table=True):
    """One 837 interchange carrying several claim versions to one payer."""

    __tablename__ = "submission_batches"

    id: int | None = Field(default=None, primary_key=True)
    batch_key: str = Field(unique=True, max_length=200)
    interchange_control_number: str = Field(unique=True, max_length=9)
    group_control_number: str = Field(unique=True, max_length=9)
    transaction_control_number: str = Field(unique=True, max_length=9)
    status: str = Field(default="prepared", max_length=20)
    receipt_id: str | None = None
    content: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _stamp()
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


# ----------------------------------------------------------------- inbound


class InboundFileRow(LedgerTable, table=True):
    __tablename__ = "inbound_files"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(max_length=20)
    sha256: str = Field(unique=True, max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    status: str = Field(default="received", max_length=20)
    quarantine_reason: str | None = None
    received_at: datetime = _stamp()


class AcknowledgmentRow(LedgerTable, table=True):
    __tablename__ = "acknowledgments"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int | None = Field(default=None, foreign_key="claims.id", index=True)
    file_id: int = Field(foreign_key="inbound_files.id", index=True)
    kind: str = Field(max_length=10)
    accepted: bool
    patient_control_number: str | None = None
    transaction_control_number: str | None = None
    payer_claim_number: str | None = None
    status_codes: list = Field(sa_type=JSON)
    message: str = ""
    created_at: datetime = _stamp()


class RemittanceRow(LedgerTable, table=True):
    __tablename__ = "remittances"
    __table_args__ = (
        UniqueConstraint(
            "interchange_control_number",
            "group_control_number",
            "transaction_control_number",
            "trace_number",
            "content_hash",
        ),
        # The same payment reissued in a new envelope: same trace, same body.
        Index("ux_remittances_trace_body", "trace_number", "body_hash", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="inbound_files.id", index=True)
    # Absent envelope numbers are stored as "" so the unique key holds on both
    # databases (NULLs never collide in a unique constraint).
    interchange_control_number: str = Field(max_length=9)
    group_control_number: str = Field(max_length=9)
    transaction_control_number: str = Field(max_length=9)
    trace_number: str = Field(max_length=80)
    content_hash: str = Field(max_length=64)
    payer_name: str
    payer_id: str | None = None
    payment_amount: Decimal = _money()
    credit_debit: str = Field(max_length=1)
    payment_date: date | None = None
    created_at: datetime = _stamp()
    # SHA-256 of the transaction without its envelope control numbers (None on
    # rows stored before revision 0002).
    body_hash: str | None = Field(default=None, max_length=64)
    # "posted" (its claims may post) or "held" (its own totals do not balance);
    # None on rows stored before revision 0002, which were never held.
    status: str | None = Field(default=None, max_length=20)


class RemitClaimRow(LedgerTable, table=True):
    __tablename__ = "remittance_claims"

    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(foreign_key="remittances.id", index=True)
    sequence: int
    claim_id: int | None = Field(default=None, foreign_key="claims.id", index=True)
    version: int | None = None
    patient_control_number: str = Field(max_length=38)
    status_code: str = Field(max_length=2)
    charge: Decimal = _money()
    paid: Decimal = _money()
    patient_responsibility: Decimal = _money()
    payer_claim_number: str | None = Field(default=None, max_length=50, index=True)
    reverses_id: int | None = Field(default=None, foreign_key="remittance_claims.id")
    remarks: list = Field(sa_type=JSON)
    # The CLP loop as parsed (models.RemitClaim), for rebuilding it as received.
    content: dict = Field(sa_type=JSON)
    posted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class RemitLineRow(LedgerTable, table=True):
    __tablename__ = "remittance_lines"

    id: int | None = Field(default=None, primary_key=True)
    remit_claim_id: int = Field(foreign_key="remittance_claims.id", index=True)
    sequence: int
    procedure: str = Field(max_length=48)
    modifiers: list = Field(sa_type=JSON)
    charge: Decimal = _money()
    paid: Decimal = _money()
    line_control_number: str | None = Field(default=None, max_length=50)
    claim_line_id: int | None = Field(default=None, foreign_key="claim_lines.id")
    remarks: list = Field(sa_type=JSON)


class AdjustmentRow(LedgerTable, table=True):
    __tablename__ = "adjustments"

    id: int | None = Field(default=None, primary_key=True)
    remit_claim_id: int = Field(foreign_key="remittance_claims.id", index=True)
    remit_line_id: int | None = Field(default=None, foreign_key="remittance_lines.id")
    level: str = Field(max_length=5)  # "claim" or "line"
    group_code: str = Field(max_length=2)
    reason: str = Field(max_length=5)
    amount: Decimal = _money()
    quantity: Decimal | None = Field(default=None, max_digits=10, decimal_places=3)


class ProviderAdjustmentRow(LedgerTable, table=True):
    __tablename__ = "provider_adjustments"

    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(foreign_key="remittances.id", index=True)
    provider_id: str
    fiscal_period: date | None = None
    reason: str = Field(max_length=5)
    reference: str | None = None
    amount: Decimal = _money()
    # Position of the pair in the transaction's PLB segments, from 1.
    sequence: int | None = None
    # Where the amount went: "claim" (the claim it names), "provider" (the
    # provider's own ledger) or "suspense" (names no known claim). None on rows
    # stored before revision 0002, which were never posted. The claim is not a
    # foreign key: SQLite cannot add one to an existing table in place.
    disposition: str | None = Field(default=None, max_length=20)
    claim_id: int | None = Field(default=None, index=True)


# ----------------------------------------------------------------- money


class LedgerEntryRow(LedgerTable, table=True):
    """One line of the money journal; amounts are signed as they affect A/R."""

    __tablename__ = "ledger_entries"

    id: int | None = Field(default=None, primary_key=True)
    # Natural key of the event that produced the entry; posting twice collides.
    entry_key: str = Field(unique=True, max_length=200)
    claim_id: int | None = Field(default=None, foreign_key="claims.id", index=True)
    patient_id: int | None = Field(default=None, foreign_key="patients.id", index=True)
    kind: str = Field(max_length=30)
    amount: Decimal = _money()
    group_code: str | None = Field(default=None, max_length=2)
    reason: str | None = None
    remit_claim_id: int | None = Field(default=None, foreign_key="remittance_claims.id")
    created_at: datetime = _stamp()
    # The business date of the entry: date of service for charges, the 835's
    # payment date for payer money, the day received for patient payments.
    effective_date: date | None = Field(default=None, index=True)
    # The PLB pair a provider-level entry comes from.
    provider_adjustment_id: int | None = None


class PatientStatementRow(LedgerTable, table=True):
    __tablename__ = "patient_statements"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    claim_id: int = Field(foreign_key="claims.id", unique=True)
    amount: Decimal = _money()
    status: str = Field(default="open", max_length=20)
    updated_at: datetime = _stamp()


class WorkItemRow(LedgerTable, table=True):
    __tablename__ = "work_items"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    claim_id: int | None = Field(default=None, foreign_key="claims.id", index=True)
    queue: str = Field(max_length=40, index=True)
    title: str
    reason: str
    due: date | None = None
    status: str = Field(default="open", max_length=20)
    resolution: str | None = None
    note: str = ""
    created_at: datetime = _stamp()
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuditEventRow(LedgerTable, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int | None = Field(default=None, foreign_key="claims.id", index=True)
    event: str = Field(max_length=60)
    detail: str = Field(default="", sa_type=Text)
    created_at: datetime = _stamp()
