"""Activities of the claim workflow: every side effect of one claim's journey.

Each activity is a method of ``ClaimActivities``, which receives the ledger, the
clearinghouse adapter and the compiled payer rules when the worker starts (so tests can
hand in their own). They are synchronous: SQLModel and pyx12 block, so the worker runs
them on a thread pool. Each is safe to retry: the ledger makes every write idempotent
by a business key, and a claim version is never transmitted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from claimflow import x12
from claimflow.clearinghouse.base import (
    Clearinghouse,
    SubmissionOutcomeUnknown,
    SubmissionReceipt,
    SubmissionRejected,
    UnsupportedTransaction,
)
from claimflow.ledger import ClaimBalance, Ledger, RemittanceHeldError
from claimflow.ledger.rules import PRIOR_PAYER_CARC
from claimflow.messages import (
    Balances,
    ClaimInput,
    CorrectionRequest,
    DecideRequest,
    PaymentRequest,
    PostingSummary,
    PriorAdjudication,
    ScrubRequest,
    ScrubResult,
    SecondaryRequest,
    StatusChange,
    StatusInquiryRequest,
    SubmitRequest,
    SubmitResult,
    WorkItemRequest,
    WriteOffRequest,
)
from claimflow.models import (
    Claim,
    EligibilityInquiry,
    EligibilityResult,
    Provider,
    RemitClaim,
    Severity,
)
from claimflow.x12.forms import FORMS, build_837
from dsl import NoRulesetError, RemitFacts, RuleRegistry, ScrubInput
from dsl.plan import Action

logger = logging.getLogger(__name__)

# Who we are on the wire: the practice's submitter ID and the clearinghouse's.
SUBMITTER_ID = "CLAIMFLOW"
CLEARINGHOUSE_ID = "CLEARINGHOUSE"
CLEARINGHOUSE_NAME = "CLAIMFLOW CLEARINGHOUSE"

# When a payer's rules name no warning, ops still hear of a deadline this early.
DEFAULT_FILING_WARNING_DAYS = 30


def balances(balance: ClaimBalance) -> Balances:
    return Balances(
        billed=balance.billed,
        paid=balance.paid,
        adjusted=balance.adjusted,
        patient_responsibility=balance.patient_responsibility,
        outstanding=balance.outstanding,
    )


def envelope_for(
    interchange: str, group: str, transaction: str, usage: str = "T"
) -> x12.Envelope:
    """Our outbound envelope with control numbers the ledger allocated."""
    return x12.Envelope(
        sender_id=SUBMITTER_ID,
        receiver_id=CLEARINGHOUSE_ID,
        interchange_control_number=int(interchange),
        group_control_number=int(group),
        transaction_control_number=transaction,
        created=datetime.now(UTC),
        usage=usage,
        contact_name="BILLING OFFICE",
        contact_phone="6175550100",
    )


def denial_codes(remit: RemitClaim) -> list[str]:
    """Group-CARC codes that denied the claim or a line.

    A line counts as ``RemitLine.is_denied`` says, the definition the ledger's
    posting and the denial routing share, so the codes a claim shows are those
    of the lines whose charge stays owed. Never PR, paid lines or CARC 23: on a
    secondary's 835 that code restates the primary's adjudication, it denies
    nothing.
    """
    found: list[str] = []
    if remit.status_code == "4":
        sources = remit.all_adjustments()
    else:
        sources = [
            a for line in remit.lines if line.is_denied() for a in line.adjustments
        ]
    for adjustment in sources:
        code = f"{adjustment.group}-{adjustment.reason}"
        if (
            adjustment.group != "PR"
            and adjustment.reason != PRIOR_PAYER_CARC
            and code not in found
        ):
            found.append(code)
    return found


@contextmanager
def realtime_only(claim_id: int, outcome: str) -> Iterator[None]:
    """A clearinghouse without a real-time channel fails the activity for good.

    Asking a mailbox again will not give it a real-time 270/271 or 276/277, so
    the failure is not retried; the workflow sees its type
    (``UnsupportedTransaction``) and goes on without the answer.
    """
    try:
        yield
    except UnsupportedTransaction as err:
        raise ApplicationError(
            f"claim {claim_id}: {outcome}: {err}",
            type="UnsupportedTransaction",
            non_retryable=True,
        ) from err


def transmit(clearinghouse: Clearinghouse, text: str, key: str) -> SubmissionReceipt:
    """Send an interchange once under ``key``; failures as Temporal sees them.

    A rejection and an unknown outcome are not retried: resending unchanged would
    be rejected again, and an unknown outcome may already be at the payer.
    """
    try:
        return clearinghouse.submit(text, key)
    except SubmissionRejected as err:
        raise ApplicationError(
            str(err), type="SubmissionRejected", non_retryable=True
        ) from err
    except SubmissionOutcomeUnknown as err:
        raise ApplicationError(
            str(err), type="SubmissionOutcomeUnknown", non_retryable=True
        ) from err


def submitter_for(claim: Claim) -> Provider:
    return claim.billing_provider


def write_837(claims: list[Claim], envelope: x12.Envelope) -> str:
    """Write claims of one kind as the 837 of that kind (837P, 837I or 837D).

    A claim the builder refuses (a value missing or out of the guide's range)
    would be refused on every retry, so it is a non-retryable ``ClaimDataError``
    naming the claims, the form and the builder's reason: the claim workflow
    holds the claim with a work item instead of retrying forever.
    """
    try:
        return build_837(
            claims,
            envelope,
            submitter=submitter_for(claims[0]),
            receiver_name=CLEARINGHOUSE_NAME,
            receiver_id=CLEARINGHOUSE_ID,
        )
    except x12.X12Error as err:
        names = ", ".join(str(claim.claim_id) for claim in claims)
        form = "/".join(sorted({FORMS[claim.kind] for claim in claims}))
        raise ApplicationError(
            f"claim {names} cannot be written on an {form}: {err}",
            type="ClaimDataError",
            non_retryable=True,
        ) from err


class ClaimActivities:
    """The claim workflow's side effects, bound to one ledger and clearinghouse."""

    def __init__(
        self, ledger: Ledger, clearinghouse: Clearinghouse, rules: RuleRegistry
    ) -> None:
        self.ledger = ledger
        self.clearinghouse = clearinghouse
        self.rules = rules

    def all(self) -> list:
        """Every activity, for ``Worker(activities=...)``."""
        return [
            self.check_eligibility,
            self.scrub_claim,
            self.submit_claim,
            self.send_status_inquiry,
            self.post_remittance,
            self.decide_after_remittance,
            self.open_work_item,
            self.close_work_item,
            self.set_claim_status,
            self.bill_patient,
            self.start_secondary_claim,
            self.claim_balances,
            self.write_off,
            self.correct_claim,
            self.record_patient_payment,
        ]

    # ------------------------------------------------------------------ eligibility

    @activity.defn(name="check_eligibility")
    def check_eligibility(self, claim_id: int) -> EligibilityResult:
        """Send a 270 for the claim's member and date of service; read the 271."""
        claim = self.ledger.get_claim(claim_id)
        numbers = self.ledger.allocate_control_numbers()
        inquiry = EligibilityInquiry(
            trace_number=f"E{claim_id}T{numbers.transaction}",
            payer_id=claim.coverage.payer_id,
            payer_name=claim.coverage.payer_name,
            provider=claim.billing_provider,
            member_id=claim.coverage.member_id,
            first_name=claim.patient.first_name,
            last_name=claim.patient.last_name,
            birth_date=claim.patient.birth_date,
            service_date=claim.from_date,
        )
        request = x12.build_270(
            inquiry,
            envelope_for(numbers.interchange, numbers.group, numbers.transaction),
        )
        with realtime_only(claim_id, "eligibility not checked"):
            response = self.clearinghouse.eligibility(request)
        results = x12.parse_271(response)
        if not results:
            raise ApplicationError(
                "the 271 answer held no eligibility result", type="X12SyntaxError"
            )
        result = results[0]
        self.ledger.record_eligibility(claim_id, result, request, response)
        activity.logger.info(
            "eligibility for claim %s: %s",
            claim_id,
            "active" if result.active else "inactive",
        )
        return result

    # ------------------------------------------------------------------ scrub

    @activity.defn(name="scrub_claim")
    def scrub_claim(self, request: ScrubRequest) -> ScrubResult:
        """Run the payer's edits on a claim version; pin the ruleset by hash."""
        claim = self.ledger.get_claim(request.claim_id, request.version)
        try:
            ruleset = (
                self.rules.by_hash(request.ruleset_hash)
                if request.ruleset_hash
                else self.rules.select(claim.coverage.payer_id, claim.from_date)
            )
        except (NoRulesetError, KeyError) as err:
            raise ApplicationError(
                str(err).strip("'\""), type="NoRuleset", non_retryable=True
            ) from err
        findings = ruleset.scrub(
            ScrubInput(
                claim=claim,
                eligibility=request.eligibility,
                eligibility_checked_on=request.eligibility_checked_on,
                as_of=request.as_of,
            )
        )
        self.ledger.record_scrub(
            request.claim_id, request.version, ruleset.hash, findings
        )
        deadline = ruleset.filing_deadline(claim)
        if request.ruleset_hash is None:  # the first scrub pins the deadline too
            self.ledger.set_filing_deadline(request.claim_id, deadline)
        return ScrubResult(
            ruleset_hash=ruleset.hash,
            findings=findings,
            blocking=any(f.severity == Severity.ERROR for f in findings),
            plan=ruleset.plan,
            filing_deadline=deadline,
            filing_warning=ruleset.filing_warning_date(claim)
            or deadline - timedelta(days=DEFAULT_FILING_WARNING_DAYS),
        )

    # ------------------------------------------------------------------ submission

    @activity.defn(name="submit_claim")
    def submit_claim(self, request: SubmitRequest) -> SubmitResult:
        """Build, validate and transmit one claim version, at most once per key."""
        claim = self.ledger.get_claim(request.claim_id, request.version)
        sub = self.ledger.prepare_submission(
            request.claim_id, request.version, request.idempotency_key
        )
        if sub.status == "sent":
            return SubmitResult(
                submission_id=sub.submission_id,
                receipt_id=sub.receipt_id or "",
                duplicate=True,
                transaction_control_number=sub.transaction_control_number,
            )
        envelope = envelope_for(
            sub.interchange_control_number,
            sub.group_control_number,
            sub.transaction_control_number,
        )
        try:
            text = write_837([claim], envelope)
        except ApplicationError as err:
            self.ledger.audit(request.claim_id, "837-unwritable", str(err))
            raise
        report = x12.validate(text)
        if not report.ok:
            detail = str(report.first_error)
            self.ledger.audit(request.claim_id, "837-invalid", f"not sent: {detail}")
            raise ApplicationError(
                f"our {FORMS[claim.kind]} failed validation and was not sent: "
                f"{detail}",
                type="X12SyntaxError",
                non_retryable=True,
            )
        receipt = transmit(self.clearinghouse, text, request.idempotency_key)
        self.ledger.mark_submission_sent(sub.submission_id, receipt.receipt_id, text)
        activity.logger.info(
            "claim %s version %s sent as ST02 %s",
            request.claim_id,
            request.version,
            sub.transaction_control_number,
        )
        return SubmitResult(
            submission_id=sub.submission_id,
            receipt_id=receipt.receipt_id,
            duplicate=receipt.duplicate,
            transaction_control_number=sub.transaction_control_number,
        )

    @activity.defn(name="send_status_inquiry")
    def send_status_inquiry(self, request: StatusInquiryRequest) -> str:
        """Send a 276 claim status inquiry; record and return the payer's answer."""
        claim = self.ledger.get_claim(request.claim_id, request.version)
        numbers = self.ledger.allocate_control_numbers()
        inquiry = x12.build_276(
            claim,
            envelope_for(numbers.interchange, numbers.group, numbers.transaction),
            receiver_name=CLEARINGHOUSE_NAME,
            receiver_id=CLEARINGHOUSE_ID,
        )
        with realtime_only(request.claim_id, "status inquiry not sent"):
            response = self.clearinghouse.claim_status(inquiry)
        answer = x12.parse_277(response)
        text = (
            "; ".join(" ".join(status.status_codes) for status in answer)
            or "no status returned"
        )
        self.ledger.audit(request.claim_id, "276", f"{request.reason}: {text}")
        return text

    # ------------------------------------------------------------------ remittance

    @activity.defn(name="post_remittance")
    def post_remittance(self, remit_claim_id: int) -> PostingSummary:
        """Post one CLP of a stored 835 to the journal (once, however often called).

        A secondary claim's CLP goes to its primary claim's account, and the
        balances answered are that account's.
        """
        try:
            posted = self.ledger.post_remittance(remit_claim_id)
        except RemittanceHeldError as err:
            # The 835 does not balance: a person releases it, then it posts.
            raise ApplicationError(
                str(err), type="RemittanceHeld", non_retryable=True
            ) from err
        if posted.claim_id is None:
            raise ApplicationError(
                f"remittance claim {remit_claim_id} matches no claim",
                type="ClaimDataError",
                non_retryable=True,
            )
        return PostingSummary(
            remit_claim_id=remit_claim_id,
            paid=posted.paid,
            adjusted=posted.adjusted,
            patient_responsibility=posted.patient_responsibility,
            denied=posted.denied,
            denied_lines=posted.denied_lines,
            adjustment_codes=posted.adjustment_codes,
            denial_codes=denial_codes(self.ledger.remit_claim(remit_claim_id)),
            balances=balances(
                self.ledger.claim_balance(self.ledger.account_claim(posted.claim_id))
            ),
        )

    @activity.defn(name="decide_after_remittance")
    def decide_after_remittance(self, request: DecideRequest) -> list[Action]:
        """Evaluate the payer's gateway (and denial table) for a posted 835 claim."""
        ruleset = self.rules.by_hash(request.ruleset_hash)
        claim = self.ledger.get_claim(request.claim_id, request.version)
        remit = self.ledger.remit_claim(request.remit_claim_id)
        actions = ruleset.after_remittance(
            RemitFacts(claim=claim, remit=remit), request.gateway
        )
        self.ledger.audit(
            request.claim_id,
            "route",
            f"gateway {request.gateway}: "
            + ", ".join(f"{a.do} {' '.join(a.args)}".strip() for a in actions),
        )
        return actions

    # ----------------------------------------------------------------- people and money

    @activity.defn(name="open_work_item")
    def open_work_item(self, request: WorkItemRequest) -> int:
        return self.ledger.create_work_item(
            request.claim_id,
            request.queue,
            request.title,
            request.reason,
            request.due,
            request.key,
        )

    @activity.defn(name="close_work_item")
    def close_work_item(self, work_item_id: int, resolution: str) -> None:
        self.ledger.resolve_work_item(work_item_id, resolution)

    @activity.defn(name="set_claim_status")
    def set_claim_status(self, change: StatusChange) -> None:
        self.ledger.set_status(change.claim_id, change.status, change.reason)

    def _owed(self, claim_id: int) -> Balances:
        """The balances of the claim's account, with what the patient owes.

        A secondary claim shares its primary's account, whose ``paid`` is both
        payers' money: ``payer_paid`` then says what this claim's payer paid.
        """
        account = self.ledger.account_claim(claim_id)
        result = balances(self.ledger.claim_balance(account))
        result.patient_responsibility = self.ledger.patient_due(account)
        if account != claim_id:
            result.payer_paid = self.ledger.paid_by_claims_payer(claim_id)
        return result

    @activity.defn(name="bill_patient")
    def bill_patient(self, claim_id: int) -> Balances:
        """Move patient responsibility to the patient; answer with the balances.

        On a secondary claim, the primary claim's account is billed: it holds
        the PR both payers assessed, less what went on to the secondary.
        """
        self.ledger.bill_patient(self.ledger.account_claim(claim_id))
        return self._owed(claim_id)

    @activity.defn(name="claim_balances")
    def claim_balances(self, claim_id: int) -> Balances:
        """The balances of the claim's account, with what the patient owes."""
        return self._owed(claim_id)

    @activity.defn(name="start_secondary_claim")
    def start_secondary_claim(self, request: SecondaryRequest) -> ClaimInput | None:
        """Move the primary's PR to the secondary payer and make that claim.

        Answers the secondary claim's workflow input, with the primary's
        adjudication, or None when there is no secondary to bill (no active
        coverage one priority down, no PR left, or a denial).
        """
        try:
            started = self.ledger.start_secondary(request.claim_id, on=request.on)
        except x12.X12BuildError as err:
            raise ApplicationError(
                f"claim {request.claim_id}: the secondary claim cannot be built: "
                f"{err}",
                type="ClaimDataError",
                non_retryable=True,
            ) from err
        if started is None:
            return None
        activity.logger.info(
            "claim %s: %s moved to %s on secondary claim %s",
            request.claim_id,
            started.transferred,
            started.payer_id,
            started.claim_id,
        )
        return ClaimInput(
            claim_id=started.claim_id,
            payer_id=started.payer_id,
            billing_npi=started.billing_npi,
            service_date=started.service_date,
            billed=started.billed,
            prior=PriorAdjudication(
                claim_id=started.primary_claim_id,
                payer_id=started.primary_payer_id,
                paid=started.primary_paid,
                adjusted=started.primary_adjusted,
                patient_responsibility=started.transferred,
                payer_claim_number=started.primary_payer_claim_number,
            ),
        )

    @activity.defn(name="record_patient_payment")
    def record_patient_payment(self, request: PaymentRequest) -> Balances:
        claim = self.ledger.get_claim(request.claim_id)
        account = self.ledger.account_claim(request.claim_id)
        self.ledger.record_patient_payment(
            claim.patient.patient_id,
            request.payment.amount,
            request.payment.transaction_id,
            claim_id=account,
        )
        return self._owed(request.claim_id)

    @activity.defn(name="write_off")
    def write_off(self, request: WriteOffRequest) -> Balances:
        """Write off what is still owed on the claim's account."""
        account = self.ledger.account_claim(request.claim_id)
        self.ledger.write_off(account, request.reason)
        return balances(self.ledger.claim_balance(account))

    @activity.defn(name="correct_claim")
    def correct_claim(self, request: CorrectionRequest) -> int:
        """Make a new claim version with the corrections; answer its number."""
        current = self.ledger.get_claim(request.claim_id)
        lines = None
        if request.correction.lines:
            changes = {c.line_number: c for c in request.correction.lines}
            unknown = sorted(
                set(changes) - {line.line_number for line in current.lines}
            )
            if unknown:
                raise ApplicationError(
                    f"claim {request.claim_id} has no line(s) {unknown}",
                    type="ClaimDataError",
                    non_retryable=True,
                )
            lines = []
            for line in current.lines:
                change = changes.get(line.line_number)
                if change is not None:
                    line = line.model_copy(
                        update={
                            k: v
                            for k, v in {
                                "procedure": change.procedure,
                                "modifiers": change.modifiers,
                                "units": change.units,
                            }.items()
                            if v is not None
                        }
                    )
                lines.append(line)
        claim = self.ledger.new_version(
            request.claim_id,
            lines=lines,
            diagnoses=request.correction.diagnoses,
            frequency_code=request.frequency_code,
            original_payer_claim_number=request.original_payer_claim_number,
        )
        self.ledger.audit(
            request.claim_id,
            "corrected",
            f"version {claim.version}: {request.correction.note}".strip(),
        )
        return claim.version
