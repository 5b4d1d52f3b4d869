"""Small result models returned by the ledger (plain pydantic, sandbox-safe)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from claimflow.models import Model, Money


class ControlNumbers(Model):
    """Envelope control numbers for one outbound interchange (270, 276, ...)."""

    interchange: str  # ISA13, nine digits
    group: str  # GS06
    transaction: str  # ST02, at least four digits


class SubmissionInfo(Model):
    """A claim version's slot in an outbound 837, with its control numbers."""

    submission_id: int
    claim_id: int
    version: int
    idempotency_key: str
    patient_control_number: str
    interchange_control_number: str  # ISA13, nine digits
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02, at least four digits
    status: str  # "prepared" or "sent"
    receipt_id: str | None = None
    sent_at: datetime | None = None


class InboundFileInfo(Model):
    """An inbound file as listed for people (content left out)."""

    file_id: int
    name: str
    kind: str
    sha256: str
    status: str
    quarantine_reason: str | None = None
    received_at: datetime


class RemitClaimMatch(Model):
    """One CLP of a stored remittance and the claim it matched, if any."""

    remit_claim_id: int
    patient_control_number: str
    claim_id: int | None
    version: int | None
    status_code: str


class RemittanceStored(Model):
    """What ``store_remittance`` did with one 835 transaction."""

    remittance_id: int
    duplicate: bool
    # The CLPs to post; empty while the transaction is held.
    claims: list[RemitClaimMatch] = Field(default_factory=list)
    # BPR02 = sum of CLP04 less the PLB amounts; False opens a work item.
    balanced: bool = True
    # The transaction's own figures do not balance (deposit, a CLP or a line):
    # nothing of it is posted and a ``remittance_balance`` work item names
    # every difference (also listed here).
    held: bool = False
    differences: list[str] = Field(default_factory=list)


class PostingResult(Model):
    """The money one CLP put in the journal (or had put there, on a repeat)."""

    remit_claim_id: int
    claim_id: int | None
    already_posted: bool
    status_code: str
    reversal: bool
    reverses_remit_claim_id: int | None = None  # the CLP a reversal takes back
    paid: Money
    adjusted: Money  # CO, OA, PI (and 4010 CR) adjustments that close the charge
    denied_amount: Money = Decimal("0.00")  # a denial's adjustments (a memo)
    patient_responsibility: Money  # PR adjustments (CLP05 when no PR CAS)
    denied: bool
    denied_lines: int
    carcs: list[str] = Field(default_factory=list)  # reason codes, first seen order
    adjustment_codes: list[str] = Field(default_factory=list)  # e.g. "CO-45"
    rarcs: list[str] = Field(default_factory=list)


class ProviderAdjustmentInfo(Model):
    """One PLB pair of a stored 835 and where its amount went."""

    provider_adjustment_id: int
    remittance_id: int
    sequence: int | None  # position among the transaction's PLB pairs
    provider_id: str
    reason: str  # PLB03-1, e.g. WO, FB, L6, 72, CS
    reference: str | None  # PLB03-2
    amount: Money  # as sent: positive is kept out of the deposit
    # "claim" (a recoupment of the named claim), "provider" (the provider's
    # ledger) or "suspense"; None for pairs stored before revision 0002.
    disposition: str | None
    claim_id: int | None  # the claim the reference names, when known


class ForwardBalance(Model):
    """FB pairs of one provider and reference, from the one that opened it."""

    forward_balance_id: int  # the provider adjustment id of the opening pair
    provider_id: str
    reference: str | None  # PLB03-2; None can never be settled by an 835
    opened_in_remittance_id: int
    provider_adjustment_ids: list[int]  # every pair, oldest first
    amounts: list[Money]  # their amounts, as sent
    net: Money  # zero once the payer has settled it
    open: bool


class DepositReconciliation(Model):
    """deposit (BPR02) = claim payments (CLP04) - provider adjustments + difference."""

    remittance_id: int
    deposit: Money
    claim_payments: Money
    provider_adjustments: Money
    difference: Money  # zero when the deposit reconciles

    @property
    def reconciles(self) -> bool:
        """Whether the deposit equals claim payments less PLB amounts."""
        return self.difference == 0


class RemittanceInfo(Model):
    """One stored 835 transaction as listed for people."""

    remittance_id: int
    status: str  # "posted", or "held" (its figures do not balance)
    file_name: str  # the inbound file it came in
    received_at: datetime
    trace_number: str  # TRN02
    transaction_control_number: str  # ST02
    payer_name: str
    payment_amount: Money  # BPR02, the deposit
    payment_date: date | None  # BPR16
    claims: int  # CLPs
    provider_adjustments: int  # PLB pairs


class RemitClaimView(Model):
    """One CLP of a stored 835: what it says and whether it posted."""

    remit_claim_id: int
    sequence: int
    patient_control_number: str
    claim_id: int | None  # None: it matched no claim (a work item says so)
    status_code: str  # CLP02
    charge: Money
    paid: Money
    patient_responsibility: Money
    posted: bool


class RemittanceDetail(Model):
    """One stored 835 in full, for a person deciding whether to release it."""

    remittance: RemittanceInfo
    reconciliation: DepositReconciliation
    # Where its own figures fail to balance (empty when they do not).
    differences: list[str] = Field(default_factory=list)
    claims: list[RemitClaimView] = Field(default_factory=list)
    provider_adjustments: list[ProviderAdjustmentInfo] = Field(default_factory=list)
    # The remittance_balance item opened when it was held (open or resolved).
    balance_work_item: WorkItem | None = None


class StatementLine(Model):
    """One claim on a patient statement."""

    claim_id: int
    service_date: date
    billed: Money
    payer_paid: Money  # payer payments less recoupments
    adjusted: Money  # adjustments and write-offs
    patient_responsibility: Money  # moved to the patient
    patient_paid: Money  # patient payments made against this claim
    credit_applied: Money = Decimal("0.00")  # patient credit applied to it
    due: Money  # patient_responsibility - patient_paid - credit_applied


class PatientStatement(Model):
    """What a patient owes, claim by claim."""

    patient_id: int
    lines: list[StatementLine] = Field(default_factory=list)
    # Patient credit not applied to any claim yet (nothing left open to pay).
    unapplied_payments: Money = Decimal("0.00")
    total_due: Money  # sum of the lines' due less unapplied payments


class ClaimBalance(Model):
    """billed = paid + adjusted + patient_responsibility + outstanding."""

    billed: Money
    paid: Money  # payer payments less PLB WO recoupments of the claim
    adjusted: Money
    patient_responsibility: Money
    outstanding: Money


class WorkItem(Model):
    """A task for a person: a queue, a plain reason, a due date."""

    work_item_id: int
    key: str
    claim_id: int | None
    queue: str
    title: str
    reason: str
    due: date | None
    status: str  # "open" or "resolved"
    resolution: str | None = None
    note: str = ""


class StatusInfo(Model):
    """A claim's current status and why it is there."""

    claim_id: int
    status: str
    reason: str | None = None
    latest_version: int
    filing_deadline: date | None = None  # set by ``set_filing_deadline``


class SecondaryClaim(Model):
    """A claim for the next payer, made from the primary's posted adjudication.

    The ``primary_*`` amounts are the adjudication of the payer billed before;
    the money of both claims is on one account (the first claim's):
    ``transferred`` is the patient share that now waits for this payer.
    """

    claim_id: int  # the secondary claim (its own versions, status, workflow)
    primary_claim_id: int  # the claim billed to the payer before it
    account_claim_id: int  # holds the charge and every payer's money
    payer_id: str  # the secondary payer
    payer_name: str
    billing_npi: str
    service_date: date
    billed: Money  # the charge billed again to the secondary payer
    transferred: Money  # the primary's PR moved to the secondary payer
    primary_payer_id: str
    primary_paid: Money
    primary_adjusted: Money  # the primary's CO/OA/PI adjustments
    primary_payer_claim_number: str | None = None


__all__ = [
    "ClaimBalance",
    "ControlNumbers",
    "DepositReconciliation",
    "ForwardBalance",
    "InboundFileInfo",
    "PatientStatement",
    "PostingResult",
    "ProviderAdjustmentInfo",
    "RemitClaimMatch",
    "RemitClaimView",
    "RemittanceDetail",
    "RemittanceInfo",
    "RemittanceStored",
    "SecondaryClaim",
    "StatementLine",
    "StatusInfo",
    "SubmissionInfo",
    "WorkItem",
]

