"""The integration contract: every message a claim workflow takes or gives.

Signals, updates, the status query and the activity inputs and results are pydantic
models, so each has a JSON schema (`claimflow schema NAME` prints it). Every message an
outside system sends carries the sender's ``transaction_id``: a repeated message is
recognised and ignored. Nothing here imports more than pydantic and our models, so the
workflow sandbox can load it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimflow.models import (
    ClaimAcknowledgment,
    ClaimStatus,
    EligibilityResult,
    Finding,
    Money,
)
from dsl.plan import Action, FlowPlan


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------- workflow input


class PriorAdjudication(Message):
    """What the payer billed before decided, carried to the secondary claim.

    The amounts are that payer's on the whole claim; ``patient_responsibility``
    is what it left to the patient, moved to this claim's payer instead.
    """

    claim_id: int  # the claim billed to that payer (its workflow started this one)
    payer_id: str
    paid: Money
    adjusted: Money
    patient_responsibility: Money
    payer_claim_number: str | None = None


class ClaimInput(Message):
    """How a claim workflow starts: the ledger row exists first."""

    claim_id: int
    payer_id: str
    billing_npi: str
    service_date: date
    billed: Money
    # A secondary claim: the primary's adjudication (its money is on the
    # primary claim's account).
    prior: PriorAdjudication | None = None


class ClaimResult(Message):
    claim_id: int
    status: ClaimStatus
    balances: Balances


# --------------------------------------------------------------------------- signals


class AcknowledgmentSignal(Message):
    """A 999 or 277CA outcome for this claim, from the acknowledgment intake."""

    transaction_id: str
    claim_version: int
    ack: ClaimAcknowledgment


class RemittanceSignal(Message):
    """This claim's CLP of an 835, already stored in the ledger by the 835 intake."""

    transaction_id: str
    remit_claim_id: int
    claim_version: int | None = None
    status_code: str
    paid: Money
    patient_responsibility: Money
    payer_claim_number: str | None = None


class CoverageUpdated(Message):
    transaction_id: str
    note: str = ""


class PatientPayment(Message):
    transaction_id: str
    # A payment takes money in; a refund or correction is another entry.
    amount: Money = Field(gt=0)
    reference: str = ""


class PatientBalanceSettled(Message):
    """The patient's credit paid off the balance of this claim's account.

    Sent by the activity that applied the credit (a payment on another claim
    of the same patient); the claim reads its balances again and closes.
    """

    transaction_id: str
    account_claim_id: int


class VoidRequest(Message):
    transaction_id: str
    reason: str


# --------------------------------------------------------------------------- updates


class LineCorrection(Message):
    """A changed service line: codes, modifiers or units (matched by line number)."""

    line_number: int
    procedure: str | None = None
    modifiers: list[str] | None = None
    units: Decimal | None = None


class CorrectClaim(Message):
    """Changed codes or lines; the answer is the new version's scrub findings."""

    transaction_id: str
    diagnoses: list[str] | None = None
    lines: list[LineCorrection] = Field(default_factory=list)
    note: str = ""


class CorrectionResult(Message):
    version: int
    findings: list[Finding]
    blocking: bool


Decision = Literal["done", "resubmit", "appeal", "write_off", "bill_patient", "close"]


class ResolveWorkItem(Message):
    """A person's decision on a work item of this claim."""

    transaction_id: str
    work_item_id: int
    decision: Decision = "done"
    note: str = ""


class WorkItemResolution(Message):
    work_item_id: int
    decision: Decision
    status: ClaimStatus


# --------------------------------------------------------------------------- query


class Balances(Message):
    billed: Money = Decimal("0.00")
    paid: Money = Decimal("0.00")
    adjusted: Money = Decimal("0.00")
    patient_responsibility: Money = Decimal("0.00")
    outstanding: Money = Decimal("0.00")
    # On a secondary claim: what its own payer paid. ``paid`` is the whole
    # account's (the primary payer's money too); None on a claim of its own.
    payer_paid: Money | None = None


class HistoryEntry(Message):
    at: datetime
    event: str


class RefusedMessage(Message):
    """A signal the claim could not read, kept where ops staff look.

    The payload itself stays in the workflow's event history (encrypted); only
    the signal's name and what was wrong with it are repeated here, never the
    values, which may name a patient.
    """

    at: datetime
    name: str
    reason: str


class OpenWorkItem(Message):
    work_item_id: int
    queue: str
    title: str
    due: date | None = None


class ClaimStatusView(Message):
    claim_id: int
    status: ClaimStatus
    waiting_for: str
    version: int
    ruleset_hash: str | None
    filing_deadline: date | None
    balances: Balances
    findings: list[Finding]
    denial_codes: list[str]
    adjustment_codes: list[str] = Field(default_factory=list)
    work_items: list[OpenWorkItem]
    history: list[HistoryEntry]
    # Coordination of benefits: the claim this one's balance went on to, and
    # on a secondary claim, the claim billed before it.
    secondary_claim_id: int | None = None
    primary_claim_id: int | None = None
    refused_messages: list[RefusedMessage] = Field(default_factory=list)


# --------------------------------------------------------------------------- activities


class ScrubRequest(Message):
    claim_id: int
    version: int
    eligibility: EligibilityResult | None
    eligibility_checked_on: date | None
    as_of: date
    ruleset_hash: str | None = None  # pinned after the first scrub


class ScrubResult(Message):
    ruleset_hash: str
    findings: list[Finding]
    blocking: bool
    plan: FlowPlan
    filing_deadline: date
    filing_warning: date | None


class SubmitRequest(Message):
    claim_id: int
    version: int
    idempotency_key: str


class SubmitResult(Message):
    submission_id: int
    receipt_id: str
    duplicate: bool
    transaction_control_number: str


class BatchEntry(Message):
    """One claim version waiting for its payer's next 837 batch."""

    claim_id: int
    version: int
    idempotency_key: str
    workflow_id: str  # the claim workflow to tell when the batch has gone


class JoinBatch(Message):
    payer_id: str
    entry: BatchEntry


class BatchInput(Message):
    """A payer's submission window: claims that join it go out in one 837."""

    batch_id: str
    payer_id: str
    closes_at: datetime


class BatchTransmit(Message):
    batch_key: str
    entries: list[BatchEntry]


class EntryOutcome(Message):
    """What happened to one claim of a transmitted batch."""

    claim_id: int
    version: int
    workflow_id: str
    sent: bool
    error_type: str | None = None  # X12SyntaxError, SubmissionRejected, ...
    error: str | None = None
    transaction_control_number: str | None = None
    receipt_id: str | None = None


class SubmittedSignal(Message):
    """Sent by the batch to each claim once its 837 left (or could not)."""

    transaction_id: str
    batch_key: str
    outcome: EntryOutcome


class StatusInquiryRequest(Message):
    claim_id: int
    version: int
    reason: str


class DecideRequest(Message):
    ruleset_hash: str
    claim_id: int
    version: int
    remit_claim_id: int
    gateway: str


class WorkItemRequest(Message):
    claim_id: int
    queue: str
    title: str
    reason: str
    due: date | None
    key: str


class StatusChange(Message):
    claim_id: int
    status: ClaimStatus
    reason: str | None = None


class SecondaryRequest(Message):
    """Start the next payer's claim from this claim's posted adjudication."""

    claim_id: int
    on: date  # the business date of the balance transfer


class WriteOffRequest(Message):
    claim_id: int
    reason: str


class CorrectionRequest(Message):
    claim_id: int
    correction: CorrectClaim
    frequency_code: Literal["1", "7"]
    original_payer_claim_number: str | None = None


class PaymentRequest(Message):
    claim_id: int
    payment: PatientPayment


class PaymentOutcome(Message):
    """A patient payment recorded: the account's balances, and the other
    claims (their accounts) whose patient balance its credit paid off."""

    balances: Balances
    settled_by_credit: list[int] = []


class PostingSummary(Message):
    remit_claim_id: int
    paid: Money
    adjusted: Money
    patient_responsibility: Money
    denied: bool
    denied_lines: int
    adjustment_codes: list[str]  # every group-CARC pair, e.g. "CO-45", "PR-2"
    denial_codes: list[str]  # the non-patient codes of denied claims or lines
    balances: Balances


class ClaimMessage(Message):
    """A signal for one claim workflow, produced by reading an inbound file."""

    workflow_id: str
    acknowledgment: AcknowledgmentSignal | None = None
    remittance: RemittanceSignal | None = None

    def as_signal(self) -> tuple[str, Message]:
        """The claim workflow's signal name and the message to send with it."""
        if self.acknowledgment is not None:
            return "acknowledgment", self.acknowledgment
        return "remittance", self.remittance


class FileOutcome(Message):
    name: str
    kind: str
    file_id: int
    duplicate: bool
    messages: list[ClaimMessage]
    problem: str | None = None
    # Messages already signalled to their claims by the activity that read the
    # file (``messages`` is then empty).
    delivered: int = 0


class InboxInput(Message):
    poll_seconds: float = 60
    polls_before_continue: int = 500


class ReleaseRemittance(Message):
    """Ops release a held 835 (one whose figures do not balance) to post it.

    Sent to the inbox workflow (update ``release_remittance``) from the Web UI
    or ``claimflow remittance release``.
    """

    transaction_id: str
    remittance_id: int  # from ``claimflow remittance list``
    reason: str  # why it may post as it is, e.g. "payer confirmed by phone"


class RemittanceReleased(Message):
    """What releasing a held 835 did."""

    remittance_id: int
    # False when it was not held (released before, or it balanced): nothing
    # changed in the ledger, and the claims are told again (they ignore it).
    was_held: bool
    # The remittance signals sent, one per CLP that matched a claim.
    messages: list[ClaimMessage]


class DecideResult(Message):
    actions: list[Action]
    explanation: str = ""


ClaimResult.model_rebuild()
