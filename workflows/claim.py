"""ClaimWorkflow: one durable workflow per claim, from captured charges to zero balance.

The journey (see ../DESIGN.md): eligibility, scrub against the payer's pinned ruleset,
submission, then the payer's own after-submission flow (waits for 999, 277CA and 835
with follow-up cycles and escalations), posting, routing by the payer's gateway and
denial table, and the timely-filing watch beside all of it.

The workflow holds no payer-specific logic: what to wait for, for how long, what to do
on a timeout and where a denial goes all arrive as plain data (``dsl.plan.FlowPlan``)
from the scrub activity, which compiles the rule file outside the sandbox. Every side
effect is an activity; the ledger is the source of truth for money, and the workflow
keeps only what it needs to decide its next step.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import (
    RawValue,
    RetryPolicy,
    SearchAttributePair,
    TypedSearchAttributes,
)
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from claimflow.eligibility import reject_reason
    from claimflow.messages import (
        AcknowledgmentSignal,
        Balances,
        BatchEntry,
        ClaimInput,
        ClaimResult,
        ClaimStatusView,
        CorrectClaim,
        CorrectionRequest,
        CorrectionResult,
        CoverageUpdated,
        DecideRequest,
        EntryOutcome,
        HistoryEntry,
        JoinBatch,
        OpenWorkItem,
        PatientBalanceSettled,
        PatientPayment,
        PaymentOutcome,
        PaymentRequest,
        PostingSummary,
        RefusedMessage,
        RemittanceSignal,
        ResolveWorkItem,
        ScrubRequest,
        ScrubResult,
        SecondaryRequest,
        StatusChange,
        StatusInquiryRequest,
        SubmitRequest,
        SubmittedSignal,
        VoidRequest,
        WorkItemRequest,
        WorkItemResolution,
        WriteOffRequest,
    )
    from claimflow.models import (
        FINAL_STATUSES,
        AckKind,
        ClaimStatus,
        EligibilityResult,
        Severity,
    )
    from dsl.plan import (
        TERMINAL_ACTIONS,
        Action,
        FlowPlan,
        Route,
        Task,
        WaitStep,
        add_duration,
    )
    from workflows import search_attributes as sa

M = TypeVar("M", bound="BaseModel")

# The signals a claim reads; any other name is refused with a suggestion.
SIGNALS = (
    "acknowledgment",
    "remittance",
    "coverage_updated",
    "patient_payment",
    "patient_balance_settled",
    "void",
    "submitted",
)

# Ledger and rule work is local and quick; the clearinghouse may be slow or down.
LEDGER = dict(
    start_to_close_timeout=timedelta(seconds=60),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=30),
        non_retryable_error_types=["ClaimDataError", "NoRuleset", "RulesetError"],
    ),
)
CLEARINGHOUSE = dict(
    start_to_close_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=10),
        non_retryable_error_types=[
            "SubmissionRejected",
            "SubmissionOutcomeUnknown",
            "X12SyntaxError",
            "ClaimDataError",
        ],
    ),
)

# Where escalations land when the payer's ruleset names no queue of its own.
TIMELY_FILING_QUEUE = "AR-Timely-Filing"
ELIGIBILITY_QUEUE = "Eligibility"
SCRUB_QUEUE = "Billing-Corrections"
RULES_QUEUE = "Payer-Setup"

# The patch that lets a claim's patient share go on to the secondary payer.
COB_PATCH = "cob-secondary-claims"
# The patch that records a patient payment with the activity that also tells the
# patient's other claims its credit paid them off, and lets a claim so told read
# its balances again.
CREDIT_PATCH = "patient-credit-settles"
# The patch that, after billing the patient, tells the patient's other claims that
# credit from this claim's overpayment (a reversal lowered a paid share) paid them.
OVERPAYMENT_PATCH = "overpayment-credit-settles"
# The patch that lets a claim go on without a real-time 271 when the
# clearinghouse has no channel for one (a mailbox): the scrub then judges it
# with eligibility unknown.
NO_REALTIME_ELIGIBILITY_PATCH = "eligibility-without-realtime-271"
# What the activity's failure is called when the clearinghouse cannot answer a
# 270 or a 276 in real time.
NO_REALTIME = "UnsupportedTransaction"
# The patch that hands a 276 the clearinghouse cannot send (a mailbox has no
# real-time 276/277) to a person, instead of retrying it without end.
NO_REALTIME_STATUS_PATCH = "status-inquiry-without-realtime-277"
# Where that person's work goes when the payer's flow escalates to no queue.
STATUS_INQUIRY_QUEUE = "AR-Follow-up"

# How long a claim waits for its batch to report before a person is told.
BATCH_PATIENCE = timedelta(days=1)
EDI_QUEUE = "EDI-Support"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class _FlowEnd(Exception):
    """Raised inside the flow interpreter when an action hands the claim elsewhere."""

    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


@workflow.defn
class ClaimWorkflow:
    """One claim's lifecycle. ID: ``claim-<surrogate id>``; never patient data."""

    @workflow.init
    def __init__(self, inp: ClaimInput) -> None:
        self.claim_id = inp.claim_id
        self.input = inp
        self.status = ClaimStatus.INTAKE
        self.waiting_for = "starting"
        self.version = 1
        self.submitted_version: int | None = None
        self.submission_seq = 0
        self.seen: set[str] = set()
        self.acks: list[AcknowledgmentSignal] = []
        self.remits: list[RemittanceSignal] = []
        self.handled_remits: set[int] = set()
        self.coverage_updates = 0
        self.payments: list[PatientPayment] = []
        self.credit_notices: list[PatientBalanceSettled] = []
        self.void_request: VoidRequest | None = None
        self.resolutions: dict[int, ResolveWorkItem] = {}
        self.open_items: dict[int, OpenWorkItem] = {}
        self.findings = []
        self.ruleset_hash: str | None = None
        self.plan: FlowPlan | None = None
        self.filing_deadline: date | None = None
        self.filing_warning: date | None = None
        self.balances = Balances(billed=inp.billed, outstanding=inp.billed)
        self.patient_due = Balances().paid
        self.denial_codes: list[str] = []
        self.adjustment_codes: list[str] = []
        self.history: list[HistoryEntry] = []
        self.refused: list[RefusedMessage] = []
        self.payer_claim_number: str | None = None
        self.accepted_by_payer = False
        self.corrected_since_submission = False
        self.last_correction: CorrectionResult | None = None
        self.last_remit: RemittanceSignal | None = None
        self.eligibility: EligibilityResult | None = None
        self.eligibility_checked_on: date | None = None
        self.applied_decisions: set[int] = set()
        self.batch_outcomes: dict[int, EntryOutcome] = {}
        self.secondary: ClaimInput | None = None
        self.inquiry_item: int | None = None
        self.lock = asyncio.Lock()

    # ------------------------------------------------------------------ run

    @workflow.run
    async def run(self, inp: ClaimInput) -> ClaimResult:
        self._note("Claim captured from the encounter")

        # Eligibility: hold until coverage is active on the date of service.
        await self._eligibility()
        if self._stopped():
            return await self._finish()

        # Scrub against the payer's ruleset for the date of service, pinned by hash.
        await self._scrub_until_clean()
        if self._stopped():
            return await self._finish()

        # Timely filing runs beside everything else from here on.
        watcher = asyncio.create_task(self._watch_filing_deadline())

        # Submit, then follow the payer's flow. Whatever the flow leaves open (a
        # rejection, a reviewed denial, a filed appeal) goes to a person, whose
        # decision picks the next step; the claim only ends closed, written off or
        # voided.
        outcome = await self._submit_and_follow()
        while True:
            if outcome == "resubmit":
                await self._prepare_resubmission()
                if self._stopped():
                    break
                outcome = await self._submit_and_follow()
                continue
            if outcome == "patient_billing":
                await self._await_patient_balance()
            if self._stopped():
                break
            outcome = await self._human_decides(
                "AR-Follow-up",
                "Decide the claim's next step",
                f"Balance {self.balances.outstanding} open. {self.waiting_for}",
                f"next-{len(self.history)}",
            )

        watcher.cancel()
        return await self._finish()

    # ------------------------------------------------------------------ messages

    @workflow.signal(description="A 999 or 277CA outcome for this claim.")
    def acknowledgment(self, raw: RawValue) -> None:
        message = self._read("acknowledgment", raw, AcknowledgmentSignal)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.acks.append(message)
            self._note(
                f"{message.ack.kind} "
                f"{'accepted' if message.ack.accepted else 'rejected'}"
                f" (version {message.claim_version})"
            )

    @workflow.signal(description="This claim's part of an 835, stored in the ledger.")
    def remittance(self, raw: RawValue) -> None:
        message = self._read("remittance", raw, RemittanceSignal)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.remits.append(message)
            self._note(
                f"835 received: CLP02 {message.status_code}, paid {message.paid}"
            )

    @workflow.signal(
        description="Coverage was fixed in the EHR; check eligibility again."
    )
    def coverage_updated(self, raw: RawValue) -> None:
        message = self._read("coverage_updated", raw, CoverageUpdated)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.coverage_updates += 1
            self._note("Coverage updated")

    @workflow.signal(description="A patient payment toward this claim's balance.")
    def patient_payment(self, raw: RawValue) -> None:
        message = self._read("patient_payment", raw, PatientPayment)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.payments.append(message)

    @workflow.signal(
        description="The patient's credit paid off this claim's patient balance."
    )
    def patient_balance_settled(self, raw: RawValue) -> None:
        message = self._read("patient_balance_settled", raw, PatientBalanceSettled)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.credit_notices.append(message)
            self._note("Patient credit paid off the patient balance")

    @workflow.signal(description="Void the claim: it should not be billed.")
    def void(self, raw: RawValue) -> None:
        message = self._read("void", raw, VoidRequest)
        if message is None:
            return
        if self._first_time(message.transaction_id) and not self.void_request:
            self.void_request = message
            self._note(f"Void requested: {message.reason}")

    @workflow.update(
        description="Correct codes or lines; answers with the new scrub findings."
    )
    async def correct_claim(self, request: CorrectClaim) -> CorrectionResult:
        if request.transaction_id in self.seen and self.last_correction:
            return self.last_correction
        self.seen.add(request.transaction_id)
        async with self.lock:
            frequency = "7" if self.payer_claim_number else "1"
            self.version = await workflow.execute_activity(
                "correct_claim",
                CorrectionRequest(
                    claim_id=self.claim_id,
                    correction=request,
                    frequency_code=frequency,
                    original_payer_claim_number=self.payer_claim_number,
                ),
                result_type=int,
                summary="New claim version with the corrections",
                **LEDGER,
            )
            self.corrected_since_submission = True
            try:
                result = await self._scrub_once()
            except ActivityError as err:
                raise ApplicationError(
                    f"version {self.version} saved, but the scrub failed: {err.cause}"
                ) from err
            self._note(f"Corrected: version {self.version}")
            self.last_correction = CorrectionResult(
                version=self.version, findings=result.findings, blocking=result.blocking
            )
            return self.last_correction

    @correct_claim.validator
    def _validate_correction(self, request: CorrectClaim) -> None:
        if self.status in FINAL_STATUSES:
            raise ValueError(
                f"claim {self.claim_id} is {self.status}; nothing to correct"
            )
        if self.status in (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED):
            raise ValueError(
                "the claim is with the payer: wait for the 835, or void it first"
            )
        if not request.diagnoses and not request.lines:
            raise ValueError("a correction needs changed diagnoses or lines")

    @workflow.update(
        description="A person's decision on one of this claim's work items."
    )
    async def resolve_work_item(self, request: ResolveWorkItem) -> WorkItemResolution:
        if request.transaction_id not in self.seen:
            self.seen.add(request.transaction_id)
            await workflow.execute_activity(
                "close_work_item",
                args=[request.work_item_id, f"{request.decision}: {request.note}"],
                summary=f"Close work item {request.work_item_id}",
                **LEDGER,
            )
            self.open_items.pop(request.work_item_id, None)
            self.resolutions[request.work_item_id] = request
            self._note(f"Work item {request.work_item_id} resolved: {request.decision}")
            await self._refresh_attention()
        return WorkItemResolution(
            work_item_id=request.work_item_id,
            decision=request.decision,
            status=self.status,
        )

    @resolve_work_item.validator
    def _validate_resolution(self, request: ResolveWorkItem) -> None:
        if request.transaction_id in self.seen:
            return
        if request.work_item_id not in self.open_items:
            open_ids = ", ".join(str(i) for i in sorted(self.open_items)) or "none"
            raise ValueError(
                f"work item {request.work_item_id} is not open on claim "
                f"{self.claim_id} (open: {open_ids})"
            )

    @workflow.signal(dynamic=True, description="A signal this workflow does not know.")
    def unknown_signal(self, name: str, args: Sequence[RawValue]) -> None:
        close = difflib.get_close_matches(name, SIGNALS, n=1)
        self._refuse(
            name,
            f"no signal of that name; did you mean `{close[0]}`?"
            if close
            else "no signal of that name (signals: " + ", ".join(SIGNALS) + ")",
        )

    @workflow.query(description="Stage, balances, findings, deadlines and history.")
    def status_view(self) -> ClaimStatusView:
        return ClaimStatusView(
            claim_id=self.claim_id,
            status=self.status,
            waiting_for=self.waiting_for,
            version=self.version,
            ruleset_hash=self.ruleset_hash,
            filing_deadline=self.filing_deadline,
            balances=self.balances,
            findings=self.findings,
            denial_codes=self.denial_codes,
            adjustment_codes=self.adjustment_codes,
            work_items=list(self.open_items.values()),
            history=self.history,
            secondary_claim_id=self.secondary.claim_id if self.secondary else None,
            primary_claim_id=self.input.prior.claim_id if self.input.prior else None,
            refused_messages=self.refused,
        )

    # ------------------------------------------------------------------ eligibility

    def _stopped(self) -> bool:
        return self.status in FINAL_STATUSES or self.void_request is not None

    async def _eligibility(self) -> None:
        while True:
            try:
                result = await workflow.execute_activity(
                    "check_eligibility",
                    self.claim_id,
                    result_type=EligibilityResult,
                    summary="270/271 eligibility check",
                    **CLEARINGHOUSE,
                )
            except ActivityError as err:
                # A mailbox clearinghouse has no real-time 270/271: the claim
                # goes on with eligibility unknown, and the scrub's eligibility
                # requirements become warnings a person sees (dsl.scrub).
                if not _no_realtime(err) or not workflow.patched(
                    NO_REALTIME_ELIGIBILITY_PATCH
                ):
                    raise
                self.eligibility = None
                self._note(
                    "Eligibility not checked: the clearinghouse has no "
                    "real-time 270/271"
                )
                return
            self.eligibility = result
            self.eligibility_checked_on = workflow.now().date()
            if result.active:
                self._note("Coverage active on the date of service")
                return
            title, reason = _eligibility_hold_text(result)
            await self._set_status(ClaimStatus.ELIGIBILITY_HOLD, reason)
            item = await self._open_work_item(
                ELIGIBILITY_QUEUE,
                title,
                reason,
                None,
                f"eligibility-{self.coverage_updates}",
            )
            seen = self.coverage_updates
            self.waiting_for = (
                f"Waiting for coverage_updated (work item {item} in "
                f"{ELIGIBILITY_QUEUE}): {reason}"
            )
            await workflow.wait_condition(
                lambda seen=seen, item=item: (
                    self.coverage_updates > seen
                    or self.void_request is not None
                    or item in self.resolutions
                )
            )
            if self.void_request:
                return
            if item in self.resolutions and self.coverage_updates == seen:
                if self.resolutions[item].decision == "write_off":
                    await self._write_off("Coverage could not be verified")
                    return

    # ------------------------------------------------------------------ scrub

    async def _scrub_once(self) -> ScrubResult:
        result = await workflow.execute_activity(
            "scrub_claim",
            ScrubRequest(
                claim_id=self.claim_id,
                version=self.version,
                eligibility=self.eligibility,
                eligibility_checked_on=self.eligibility_checked_on,
                as_of=workflow.now().date(),
                ruleset_hash=self.ruleset_hash,
            ),
            result_type=ScrubResult,
            summary="Scrub against the payer's rules",
            **LEDGER,
        )
        self.findings = result.findings
        if self.ruleset_hash is None:
            self.ruleset_hash = result.ruleset_hash
            self.plan = result.plan
            self.filing_deadline = result.filing_deadline
            self.filing_warning = result.filing_warning
            workflow.upsert_search_attributes(
                [
                    sa.RULESET_HASH.value_set(result.ruleset_hash[:16]),
                    sa.FILING_DEADLINE.value_set(_day_start(result.filing_deadline)),
                ]
            )
        return result

    async def _scrub_or_hold(self) -> ScrubResult | None:
        """Scrub; while no ruleset covers the claim, hold it for a person.

        Returns:
            The scrub result, or ``None`` when the claim was voided or written off
            while it waited.
        """
        attempt = 0
        while True:
            try:
                return await self._scrub_once()
            except ActivityError as err:
                cause = err.cause
                if not (
                    isinstance(cause, ApplicationError) and cause.type == "NoRuleset"
                ):
                    raise
            attempt += 1
            await self._set_status(ClaimStatus.SCRUB_HOLD, cause.message)
            item = await self._open_work_item(
                RULES_QUEUE,
                "No payer rules cover this claim",
                cause.message,
                None,
                f"no-rules-{attempt}",
            )
            self.waiting_for = (
                f"Waiting for payer rules (work item {item} in {RULES_QUEUE}): "
                + cause.message
            )
            await workflow.wait_condition(
                lambda item=item: (
                    item in self.resolutions or self.void_request is not None
                )
            )
            if self.void_request:
                return None
            if self.resolutions[item].decision == "write_off":
                await self._write_off("No payer rules for the claim")
                return None
            # "done": the rules were published; scrub again.

    async def _scrub_until_clean(self) -> None:
        result = await self._scrub_or_hold()
        if result is None:
            return
        while result.blocking:
            errors = [f for f in result.findings if f.severity == Severity.ERROR]
            summary = "; ".join(f"{f.edit_id}: {f.message}" for f in errors)
            await self._set_status(ClaimStatus.SCRUB_HOLD, summary)
            item = await self._open_work_item(
                SCRUB_QUEUE,
                f"Scrub: {len(errors)} error(s) block submission",
                summary,
                None,
                f"scrub-v{self.version}",
            )
            version = self.version
            self.waiting_for = (
                f"Waiting for correct_claim (work item {item} in {SCRUB_QUEUE}): "
                + summary
            )
            await workflow.wait_condition(
                lambda version=version, item=item: (
                    self.version > version
                    or self.void_request is not None
                    or item in self.resolutions
                )
            )
            if self.void_request:
                return
            if item in self.resolutions and self.version == version:
                if self.resolutions[item].decision == "write_off":
                    await self._write_off("Claim could not be made billable")
                    return
                # "done" without a correction: the scrub runs again (rules may differ).
            result = await self._scrub_or_hold()
            if result is None:
                return
        warnings = [f for f in result.findings if f.severity == Severity.WARNING]
        for finding in warnings:
            await self._open_work_item(
                SCRUB_QUEUE,
                f"Scrub warning {finding.edit_id}",
                finding.message,
                None,
                f"warning-{finding.edit_id}-{finding.line_number}-v{self.version}",
            )
        await self._set_status(ClaimStatus.READY, "Scrubbed clean; ready to submit")

    # ------------------------------------------------------------------ submission

    async def _submit_and_follow(self) -> str:
        """Submit the current version and run the payer's after-submission flow.

        Returns:
            ``"resubmit"``, ``"patient_billing"`` or ``"final"``.
        """
        self.submission_seq += 1
        key = f"claim-{self.claim_id}-v{self.version}-s{self.submission_seq}"
        if workflow.patched("submission-batches"):
            kind, detail = await self._send_in_batch(key)
        else:
            kind, detail = await self._send_alone(key)
        if kind not in ("sent", "SubmissionOutcomeUnknown"):
            await self._set_status(ClaimStatus.REJECTED, detail)
            return await self._human_decides(
                EDI_QUEUE, "Submission failed", detail, "submit"
            )
        if kind == "SubmissionOutcomeUnknown":
            # The bytes may have left: wait for the acknowledgments, never resend.
            await self._open_work_item(
                EDI_QUEUE, "Submission outcome unknown", detail, None, f"unknown-{key}"
            )
        self.submitted_version = self.version
        self.corrected_since_submission = False
        await self._set_status(
            ClaimStatus.SUBMITTED, f"837 version {self.version} sent ({key})"
        )
        assert self.plan is not None
        try:
            for step in self.plan.after_submission:
                await self._run_wait(step)
            # The flow ran out with the claim still open: keep waiting for the 835.
            await self._await_late_remittance()
        except _FlowEnd as end:
            return end.action
        return "final"

    async def _send_alone(self, key: str) -> tuple[str, str]:
        """The first version's submission: one claim, one 837 (kept for replay)."""
        try:
            await workflow.execute_activity(
                "submit_claim",
                SubmitRequest(
                    claim_id=self.claim_id, version=self.version, idempotency_key=key
                ),
                summary=f"Send 837, version {self.version}",
                **CLEARINGHOUSE,
            )
        except ActivityError as err:
            cause = err.cause
            kind = cause.type if isinstance(cause, ApplicationError) else "error"
            return kind, str(cause)
        return "sent", key

    async def _send_in_batch(self, key: str) -> tuple[str, str]:
        """Join the payer's submission batch and wait until it has gone out."""
        version = self.version
        batch = await workflow.execute_activity(
            "join_batch",
            JoinBatch(
                payer_id=self.input.payer_id,
                entry=BatchEntry(
                    claim_id=self.claim_id,
                    version=version,
                    idempotency_key=key,
                    workflow_id=workflow.info().workflow_id,
                ),
            ),
            result_type=str,
            summary=f"Join the {self.input.payer_id} submission batch",
            **LEDGER,
        )
        self.waiting_for = f"Waiting for submission batch {batch} to be sent"
        workflow.set_current_details(self.waiting_for)
        try:
            await workflow.wait_condition(
                lambda: version in self.batch_outcomes,
                timeout=BATCH_PATIENCE,
                timeout_summary=f"batch {batch} sent",
            )
        except TimeoutError:
            await self._open_work_item(
                EDI_QUEUE,
                "Claim not sent by its submission batch",
                f"{batch} has not reported within {BATCH_PATIENCE}",
                None,
                f"batch-late-{key}",
            )
            await workflow.wait_condition(lambda: version in self.batch_outcomes)
        outcome = self.batch_outcomes[version]
        if outcome.sent:
            return "sent", f"{key} in {batch}"
        return outcome.error_type or "error", outcome.error or "not sent"

    @workflow.signal(description="The submission batch reports this claim sent.")
    def submitted(self, raw: RawValue) -> None:
        message = self._read("submitted", raw, SubmittedSignal)
        if message is None:
            return
        if self._first_time(message.transaction_id):
            self.batch_outcomes[message.outcome.version] = message.outcome
            self._note(
                f"Batch {message.batch_key}: version {message.outcome.version} "
                + (
                    "sent"
                    if message.outcome.sent
                    else f"not sent ({message.outcome.error})"
                )
            )

    async def _prepare_resubmission(self) -> None:
        if not self.corrected_since_submission:
            frequency = "7" if self.payer_claim_number else "1"
            self.version = await workflow.execute_activity(
                "correct_claim",
                CorrectionRequest(
                    claim_id=self.claim_id,
                    correction=CorrectClaim(
                        transaction_id=f"resubmit-{self.submission_seq}",
                        note="resubmitted without changes",
                    ),
                    frequency_code=frequency,
                    original_payer_claim_number=self.payer_claim_number,
                ),
                result_type=int,
                summary="New claim version for resubmission",
                **LEDGER,
            )
        await self._scrub_until_clean()

    # ------------------------------------------------------------------ waits

    def _acks_for(self, kind: AckKind) -> list[AcknowledgmentSignal]:
        return [
            a
            for a in self.acks
            if a.ack.kind == kind and a.claim_version == self.submitted_version
        ]

    def _new_remits(self) -> list[RemittanceSignal]:
        return [
            r
            for r in self.remits
            if r.remit_claim_id not in self.handled_remits
            and r.claim_version in (None, self.submitted_version)
        ]

    def _outcome(self, step: WaitStep) -> str | None:
        """The outcome of a wait, if its event (or later evidence) has arrived."""
        if step.wait_for == "835":
            return "received" if self._new_remits() else None
        kind = AckKind.FILE_999 if step.wait_for == "999" else AckKind.CLAIM_277CA
        acks = self._acks_for(kind)
        if acks:
            return "accepted" if acks[-1].ack.accepted else "rejected"
        later = self._new_remits() or (
            kind == AckKind.FILE_999 and self._acks_for(AckKind.CLAIM_277CA)
        )
        return "accepted" if later else None

    async def _run_wait(self, step: WaitStep) -> None:
        plan = self.plan
        assert plan is not None
        started = workflow.now()
        start_day = started.date()
        deadline = _day_start(add_duration(start_day, step.timeout, plan.holidays))
        if step.timeout.unit == "hour":
            deadline = started + timedelta(hours=step.timeout.n)
        cycles = [
            (_day_start(add_duration(start_day, c.every, plan.holidays)), c)
            for c in step.every
        ]
        self.waiting_for = (
            f"Waiting for {step.wait_for} from {plan.payer_name} since {start_day}"
            f" (up to {step.timeout}, until {deadline.date()})"
        )
        if cycles:
            self.waiting_for += (
                f"; status inquiry on {min(c[0] for c in cycles).date()}"
            )
        workflow.set_current_details(self.waiting_for)
        while True:
            outcome = self._outcome(step)
            if outcome is None and workflow.now() >= deadline:
                outcome = "timeout"
            if outcome is not None:
                break
            wake = min([deadline] + [at for at, _ in cycles])
            try:
                await workflow.wait_condition(
                    lambda: self._outcome(step) is not None,
                    timeout=max(wake - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=f"{step.wait_for} wait ({step.timeout})",
                )
            except TimeoutError:
                now = workflow.now()
                if now >= deadline:
                    continue  # the wait is over: no follow-up on the deadline itself
                due = [(at, c) for at, c in cycles if at <= now]
                for _, cycle in due:
                    await self._run_actions(cycle.actions, f"every {cycle.every}")
                cycles = [
                    (
                        _day_start(add_duration(at.date(), c.every, plan.holidays))
                        if at <= now
                        else at,
                        c,
                    )
                    for at, c in cycles
                ]
        self._note(f"{step.wait_for}: {outcome}")
        if step.wait_for == "277CA" and outcome == "accepted":
            self._take_payer_claim_number()
            self.accepted_by_payer = True
            await self._set_status(
                ClaimStatus.ACCEPTED, "Accepted by the payer (277CA)"
            )
        if outcome == "rejected":
            await self._set_status(
                ClaimStatus.REJECTED, f"{step.wait_for} rejected the claim"
            )
        if step.wait_for == "835" and outcome == "received":
            await self._post_new_remits()
        await self._run_actions(step.on.get(outcome, []), f"{step.wait_for} {outcome}")

    def _take_payer_claim_number(self) -> None:
        for ack in self._acks_for(AckKind.CLAIM_277CA):
            if ack.ack.payer_claim_number:
                self.payer_claim_number = ack.ack.payer_claim_number

    async def _await_late_remittance(self) -> None:
        """After the flow's last step: wait for a late 835 or a person's decision."""
        assert self.plan is not None
        self.waiting_for = (
            f"Waiting for 835 from {self.plan.payer_name} past the follow-up "
            "timeline; escalated for A/R follow-up"
        )
        workflow.set_current_details(self.waiting_for)
        await workflow.wait_condition(
            lambda: (
                bool(self._new_remits())
                or self._pending_decision() is not None
                or self.void_request is not None
            )
        )
        if self.void_request:
            raise _FlowEnd("final")
        decision = self._pending_decision()
        if decision is not None:
            await self._apply_decision(decision)
        await self._post_new_remits()
        await self._run_actions(
            [Action(do="goto", args=[self._gateway_name()])], "late 835"
        )

    def _gateway_name(self) -> str:
        assert self.plan is not None
        for step in self.plan.after_submission:
            for action in step.on.get("received", []):
                if action.do == "goto":
                    return action.args[0]
        return "after_835"

    # ------------------------------------------------------------------ remittance

    async def _post_new_remits(self) -> None:
        for remit in self._new_remits():
            posted = await workflow.execute_activity(
                "post_remittance",
                remit.remit_claim_id,
                result_type=PostingSummary,
                summary=f"Post 835 claim payment {remit.remit_claim_id}",
                **LEDGER,
            )
            self.handled_remits.add(remit.remit_claim_id)
            self.last_remit = remit
            self.balances = posted.balances
            if remit.payer_claim_number:
                self.payer_claim_number = remit.payer_claim_number
            self.accepted_by_payer = True
            self.denial_codes = sorted(
                set(self.denial_codes) | set(posted.denial_codes)
            )
            self.adjustment_codes = sorted(
                set(self.adjustment_codes) | set(posted.adjustment_codes)
            )
            if posted.denied:
                status, text = ClaimStatus.DENIED, "Denied by the payer"
            elif posted.denied_lines:
                status = ClaimStatus.PARTIALLY_PAID
                text = f"Paid {posted.paid}; {posted.denied_lines} line(s) denied"
            else:
                status, text = ClaimStatus.PAID, f"Paid {posted.paid}"
            if posted.adjustment_codes:
                text += f" ({', '.join(posted.adjustment_codes)})"
            await self._set_status(status, text)

    # ------------------------------------------------------------------ actions

    async def _run_actions(self, actions: list[Action], context: str) -> None:
        """Carry out a list of plan actions; terminal ones end the flow."""
        for action in actions:
            await self._run_action(action, context)

    async def _run_action(self, action: Action, context: str) -> None:
        plan = self.plan
        assert plan is not None
        do = action.do
        if do == "continue":
            return
        if do == "escalate":
            due = (
                add_duration(workflow.now().date(), action.within, plan.holidays)
                if action.within
                else None
            )
            await self._open_work_item(
                action.args[0],
                f"Escalation: {context}",
                self.waiting_for,
                due,
                f"escalate-{action.args[0]}-{context}-s{self.submission_seq}",
            )
            return
        if do == "send":
            try:
                await workflow.execute_activity(
                    "send_status_inquiry",
                    StatusInquiryRequest(
                        claim_id=self.claim_id,
                        version=self.submitted_version or self.version,
                        reason=context,
                    ),
                    summary=f"276 status inquiry ({context})",
                    **CLEARINGHOUSE,
                )
            except ActivityError as err:
                if not _no_realtime(err) or not workflow.patched(
                    NO_REALTIME_STATUS_PATCH
                ):
                    raise
                await self._status_inquiry_by_hand(context)
                return
            self._note(f"276 status inquiry sent ({context})")
            return
        if do == "goto":
            decided = await workflow.execute_activity(
                "decide_after_remittance",
                DecideRequest(
                    ruleset_hash=self.ruleset_hash or "",
                    claim_id=self.claim_id,
                    version=self.submitted_version or self.version,
                    remit_claim_id=self.last_remit.remit_claim_id,
                    gateway=action.args[0],
                ),
                result_type=list[Action],
                summary=f"Gateway {action.args[0]}",
                **LEDGER,
            )
            await self._run_actions(decided, f"gateway {action.args[0]}")
            raise _FlowEnd("final")
        if do == "route":
            await self._run_route(plan.routes[action.args[0]])
            raise _FlowEnd("final")
        if do in ("resubmit", "bill_patient", "write_off", "close", "appeal", "stop"):
            await self._apply_terminal(action)
        if do in TERMINAL_ACTIONS:
            raise _FlowEnd("final")

    async def _status_inquiry_by_hand(self, context: str) -> None:
        """A 276 the clearinghouse cannot send becomes a person's follow-up.

        A mailbox has no real-time 276/277, so nobody learns from the payer
        where the claim stands unless a person asks (the payer's portal or
        phone). The work item goes where the payer's flow escalates a claim
        whose inquiries got no answer, due as that escalation says; the wait
        goes on and an 835 still ends it. While the item is open, a later
        cycle adds a line to the history, not a second item; once a person has
        resolved it, the next cycle asks again. Each cycle still tries the
        clearinghouse, so a worker moved to one with a real-time channel sends
        the 276 again.
        """
        plan = self.plan
        assert plan is not None
        self._note(
            "Status inquiry not sent: the clearinghouse has no real-time 276/277"
        )
        if self.inquiry_item in self.open_items:
            return
        escalation = _no_answer_escalation(plan)
        queue = escalation.args[0] if escalation else STATUS_INQUIRY_QUEUE
        due = (
            add_duration(workflow.now().date(), escalation.within, plan.holidays)
            if escalation and escalation.within
            else None
        )
        self.inquiry_item = await self._open_work_item(
            queue,
            "Ask the payer for the claim's status (no real-time 276/277)",
            f"The 276 to {plan.payer_name} ({context}) was not sent: the "
            f"clearinghouse has no real-time 276/277. {self.waiting_for}",
            due,
            f"status-inquiry-{len(self.history)}-s{self.submission_seq}",
        )

    async def _apply_terminal(self, action: Action) -> None:
        do = action.do
        if do == "resubmit":
            raise _FlowEnd("resubmit")
        if do == "bill_patient":
            if workflow.patched(COB_PATCH):
                await self._bill_secondary_payer()
            billed = await workflow.execute_activity(
                "bill_patient",
                self.claim_id,
                result_type=Balances,
                summary="Move patient responsibility to patient billing",
                **LEDGER,
            )
            self.balances = billed
            self.patient_due = billed.patient_responsibility
            if workflow.patched(OVERPAYMENT_PATCH):
                await workflow.execute_activity(
                    "tell_claims_overpayment_settled",
                    self.claim_id,
                    result_type=list[int],
                    summary="Tell the claims this claim's overpaid credit paid off",
                    **LEDGER,
                )
            if billed.outstanding == 0 and self.patient_due == 0:
                await self._close("Paid in full")
                raise _FlowEnd("final")
            await self._set_status(
                ClaimStatus.PATIENT_BILLING,
                f"Patient owes {billed.patient_responsibility}",
            )
            raise _FlowEnd("patient_billing")
        if do == "write_off":
            await self._write_off(action.reason or "Write-off by payer rule")
            raise _FlowEnd("final")
        if do == "close":
            await self._close("Closed by the payer's flow")
            raise _FlowEnd("final")
        if do == "appeal":
            assert self.plan is not None
            due = (
                add_duration(workflow.now().date(), action.within, self.plan.holidays)
                if action.within
                else None
            )
            await self._set_status(ClaimStatus.APPEALED, "Appeal opened")
            decision = await self._human_decides(
                "Appeals",
                "Prepare and file the appeal",
                self.waiting_for,
                "appeal",
                due,
            )
            raise _FlowEnd(decision)
        if do == "stop":
            raise _FlowEnd("final")

    async def _run_route(self, route: Route) -> None:
        self._note(f"Route {route.name}: {route.title}")
        for step in route.steps:
            if isinstance(step, Task):
                await self._run_task(step, route)
            else:
                await self._run_action(step, f"route {route.name}")

    async def _run_task(self, task: Task, route: Route) -> None:
        assert self.plan is not None
        today = workflow.now().date()
        due = add_duration(today, task.due, self.plan.holidays) if task.due else None
        item = await self._open_work_item(
            task.queue,
            task.title,
            f"{route.title}. {self.waiting_for}",
            due,
            f"task-{route.name}-{task.title}-s{self.submission_seq}",
        )
        self.waiting_for = (
            f"Waiting for '{task.title}' (work item {item} in queue {task.queue}"
            + (f", due {due}" if due else "")
            + ")"
            + (f" after {', '.join(self.denial_codes)}" if self.denial_codes else "")
        )
        workflow.set_current_details(self.waiting_for)
        if due is not None:
            try:
                await workflow.wait_condition(
                    lambda: item in self.resolutions or bool(self._new_remits()),
                    timeout=max(_day_start(due) - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=f"'{task.title}' due {due}",
                )
            except TimeoutError:
                self._note(f"'{task.title}' overdue")
                await self._run_actions(task.on_overdue, f"{task.title} overdue")
        await workflow.wait_condition(
            lambda: item in self.resolutions or bool(self._new_remits())
        )
        if item not in self.resolutions:
            # A new 835 overtook the task (a reprocessed claim): route it afresh.
            await self._post_new_remits()
            await self._run_actions(
                [Action(do="goto", args=[self._gateway_name()])], "new 835"
            )
        decision = self.resolutions[item].decision
        if decision == "done":
            await self._run_actions(task.on_done, f"{task.title} done")
            return
        await self._apply_decision(self.resolutions[item])

    def _pending_decision(self) -> ResolveWorkItem | None:
        for item_id, resolution in self.resolutions.items():
            if item_id not in self.applied_decisions and resolution.decision != "done":
                return resolution
        return None

    async def _apply_decision(self, resolution: ResolveWorkItem) -> None:
        self.applied_decisions.add(resolution.work_item_id)
        if resolution.decision == "done":
            return
        await self._apply_terminal(
            Action(do=resolution.decision, reason=resolution.note or None)
        )

    async def _human_decides(
        self,
        queue: str,
        title: str,
        reason: str,
        key: str,
        due: date | None = None,
    ) -> str:
        """Open a work item and let a person's decision choose what comes next."""
        item = await self._open_work_item(
            queue, title, reason, due, f"{key}-s{self.submission_seq}"
        )
        self.waiting_for = (
            f"Waiting for a decision on '{title}' (work item {item} in {queue}): "
            + reason[:300]
        )
        workflow.set_current_details(self.waiting_for)
        await workflow.wait_condition(
            lambda: item in self.resolutions or self.void_request is not None
        )
        if self.void_request:
            return "final"
        resolution = self.resolutions[item]
        if resolution.decision == "done":
            # Done without a decision: the work goes on in the payer's hands (a filed
            # appeal, a fixed submission); wait for what the payer sends next.
            self.applied_decisions.add(item)
            try:
                await self._await_late_remittance()
            except _FlowEnd as end:
                return end.action
            return "final"
        try:
            await self._apply_decision(resolution)
        except _FlowEnd as end:
            return end.action
        return "final"

    # ------------------------------------------------------------ money after the payer

    async def _bill_secondary_payer(self) -> None:
        """Send the patient's share to the secondary payer, when there is one.

        The ledger moves the PR this payer assessed to the secondary payer (an
        explicit transfer; the patient owes none of it yet) and makes the
        secondary claim, which runs as a child workflow ``claim-<its id>`` from
        eligibility to posting, then bills the patient what the secondary
        leaves. This claim waits for it and closes when the account is settled.
        Without secondary coverage, with no PR or after a denial it returns at
        once and the patient is billed as before.

        The secondary claim is a claim of its own: it outlives this workflow
        (parent close policy abandon) and takes corrections and payments by its
        own messages. Voiding this claim while it waits voids the secondary
        claim too.

        Raises:
            _FlowEnd: The secondary claim has run to its end.
        """
        secondary = await workflow.execute_activity(
            "start_secondary_claim",
            SecondaryRequest(claim_id=self.claim_id, on=workflow.now().date()),
            result_type=ClaimInput | None,
            summary="Move the patient share to the secondary payer",
            **LEDGER,
        )
        if secondary is None:
            return
        self.secondary = secondary
        assert secondary.prior is not None
        moved = secondary.prior.patient_responsibility
        child_id = f"claim-{secondary.claim_id}"
        await self._set_status(
            ClaimStatus.SECONDARY_BILLED,
            f"{moved} moved to the secondary payer {secondary.payer_id}: "
            f"claim {secondary.claim_id} ({child_id})",
        )
        child = await workflow.start_child_workflow(
            ClaimWorkflow.run,
            secondary,
            id=child_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=initial_search_attributes(secondary),
            static_summary=(
                f"Secondary claim {secondary.claim_id} to {secondary.payer_id} "
                f"for claim {self.claim_id}: {moved} after the primary"
            ),
        )
        await workflow.wait_condition(
            lambda: child.done() or self.void_request is not None
        )
        if not child.done() and self.void_request is not None:
            await child.signal(
                ClaimWorkflow.void,
                VoidRequest(
                    transaction_id=f"void-of-claim-{self.claim_id}",
                    reason=f"claim {self.claim_id} voided: "
                    + self.void_request.reason,
                ),
            )
        result = await child
        self.balances = await workflow.execute_activity(
            "claim_balances",
            self.claim_id,
            result_type=Balances,
            summary="Balances after the secondary claim",
            **LEDGER,
        )
        self.patient_due = self.balances.patient_responsibility
        self._note(f"Secondary claim {secondary.claim_id} ended {result.status}")
        if self.void_request is None:
            await self._close(f"Settled with secondary claim {secondary.claim_id}")
        raise _FlowEnd("final")

    async def _await_patient_balance(self) -> None:
        """Wait until the patient's share is paid, by payments or by credit.

        A payment is recorded on the claim's account. Credit from a payment on
        another of the patient's claims can pay this one off too: the activity
        that recorded that payment tells this claim (``patient_balance_settled``)
        and the claim reads its balances again.
        """
        while self.patient_due > 0:
            self.waiting_for = (
                f"Patient billing: {self.patient_due} due from the patient"
            )
            workflow.set_current_details(self.waiting_for)
            handled = len(self.payments)
            noticed = len(self.credit_notices)
            await workflow.wait_condition(
                lambda handled=handled, noticed=noticed: (
                    len(self.payments) > handled
                    or len(self.credit_notices) > noticed
                    or self.void_request is not None
                )
            )
            if self.void_request:
                return
            for payment in self.payments[handled:]:
                await self._take_payment(payment)
            if len(self.credit_notices) > noticed and workflow.patched(CREDIT_PATCH):
                self.balances = await workflow.execute_activity(
                    "claim_balances",
                    self.claim_id,
                    result_type=Balances,
                    summary="Balances after patient credit",
                    **LEDGER,
                )
                self.patient_due = self.balances.patient_responsibility
                self._note(f"Balances read again; {self.patient_due} left")
        if self.balances.outstanding == 0:
            await self._close("Patient balance paid")

    async def _take_payment(self, payment: PatientPayment) -> None:
        request = PaymentRequest(claim_id=self.claim_id, payment=payment)
        summary = f"Patient payment {payment.amount}"
        if workflow.patched(CREDIT_PATCH):
            outcome = await workflow.execute_activity(
                "take_patient_payment",
                request,
                result_type=PaymentOutcome,
                summary=summary,
                **LEDGER,
            )
            due = outcome.balances
            if outcome.settled_by_credit:
                self._note(
                    "Credit from this payment paid off claim(s) "
                    + ", ".join(str(c) for c in outcome.settled_by_credit)
                )
        else:
            due = await workflow.execute_activity(
                "record_patient_payment",
                request,
                result_type=Balances,
                summary=summary,
                **LEDGER,
            )
        self.patient_due = due.patient_responsibility
        self._note(f"Patient paid {payment.amount}; {self.patient_due} left")

    async def _write_off(self, reason: str) -> str:
        self.balances = await workflow.execute_activity(
            "write_off",
            WriteOffRequest(claim_id=self.claim_id, reason=reason),
            result_type=Balances,
            summary=f"Write off: {reason}",
            **LEDGER,
        )
        await self._set_status(ClaimStatus.WRITTEN_OFF, reason)
        return reason

    async def _close(self, reason: str) -> None:
        if self.balances.outstanding != 0:
            # Closing would hide money still owed: a person decides instead.
            self.waiting_for = (
                f"{reason}, but {self.balances.outstanding} is still outstanding"
            )
            return
        b = self.balances
        await self._set_status(
            ClaimStatus.CLOSED,
            f"{reason}: billed {b.billed}, {self._paid_text()}, "
            f"adjusted {b.adjusted}, patient {b.patient_responsibility}",
        )

    def _paid_text(self) -> str:
        """What was paid, payer by payer on a secondary claim.

        A secondary claim's balances are its primary's account, where ``paid``
        is both payers' money: the text names what each of them paid, so that
        nobody reads the sum as this payer's payment.
        """
        b, prior = self.balances, self.input.prior
        if prior is None or b.payer_paid is None:
            return f"paid {b.paid}"
        return (
            f"{self.input.payer_id} paid {b.payer_paid} after "
            f"{prior.payer_id} paid {b.paid - b.payer_paid}"
        )

    async def _finish(self) -> ClaimResult:
        if self.void_request and self.status not in FINAL_STATUSES:
            self.balances = await workflow.execute_activity(
                "write_off",
                WriteOffRequest(
                    claim_id=self.claim_id, reason=f"Voided: {self.void_request.reason}"
                ),
                result_type=Balances,
                summary="Void: write off what is still owed",
                **LEDGER,
            )
            await self._set_status(ClaimStatus.VOIDED, self.void_request.reason)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ClaimResult(
            claim_id=self.claim_id, status=self.status, balances=self.balances
        )

    # ------------------------------------------------------------------ timely filing

    async def _watch_filing_deadline(self) -> None:
        """Alert before the payer's filing deadline; escalate when it is reached."""
        if self.filing_deadline is None or self.plan is None:
            return

        def settled() -> bool:
            return self.accepted_by_payer or self.status in FINAL_STATUSES

        deadline = _day_start(self.filing_deadline)
        if self.filing_warning:
            warning = _day_start(self.filing_warning)
            if workflow.now() < warning:
                try:
                    await workflow.wait_condition(
                        settled,
                        timeout=warning - workflow.now(),
                        timeout_summary=(
                            f"timely filing warning: {self.plan.payer_name} "
                            f"deadline {self.filing_deadline}"
                        ),
                    )
                    return
                except TimeoutError:
                    pass
            if not settled():
                await self._open_work_item(
                    "AR-Follow-up",
                    f"Timely filing: deadline {self.filing_deadline} is near",
                    f"Not yet accepted by {self.plan.payer_name}; {self.waiting_for}",
                    self.filing_deadline,
                    "filing-warning",
                )
        if not settled() and workflow.now() < deadline:
            try:
                await workflow.wait_condition(
                    settled,
                    timeout=deadline - workflow.now(),
                    timeout_summary=(
                        f"timely filing: {self.plan.payer_name} "
                        f"{self.plan.timely_filing.limits.get('new claim', '')}"
                    ),
                )
                return
            except TimeoutError:
                pass
        if settled():
            return
        self._note(f"Filing deadline {self.filing_deadline} reached without acceptance")
        route = self.plan.timely_filing.exceptions_route
        await self._open_work_item(
            TIMELY_FILING_QUEUE,
            f"Filing deadline {self.filing_deadline} reached",
            f"Not accepted by {self.plan.payer_name}"
            + (f"; payer route: {route}" if route else "")
            + f". {self.waiting_for}",
            self.filing_deadline,
            "filing-deadline",
        )

    # ------------------------------------------------------------------ helpers

    def _first_time(self, transaction_id: str) -> bool:
        if transaction_id in self.seen:
            return False
        self.seen.add(transaction_id)
        return True

    def _note(self, event: str) -> None:
        self.history.append(HistoryEntry(at=workflow.now(), event=event))

    def _read(self, name: str, raw: RawValue, model: type[M]) -> M | None:
        """The signal's message, or ``None`` when it cannot be one.

        The SDK would drop a signal whose payload does not fit its type with
        only a worker log line; reading it here keeps the refusal on the claim,
        in its history and status view, with what was wrong. Nothing is sent
        anywhere (no command), so replaying a history stays deterministic.
        """
        try:
            return workflow.payload_converter().from_payload(raw.payload, model)
        except ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in err['loc']) or 'message'}: {err['msg']}"
                for err in exc.errors()
            ]
            self._refuse(name, "; ".join(problems))
        except Exception as exc:  # noqa: BLE001 - not JSON, wrong shape
            self._refuse(name, f"not a {model.__name__} ({type(exc).__name__})")
        return None

    def _refuse(self, name: str, reason: str) -> None:
        self.refused.append(RefusedMessage(at=workflow.now(), name=name, reason=reason))
        self._note(f"Signal {name} refused: {reason}")
        workflow.logger.warning("Signal %s refused: %s", name, reason)

    async def _open_work_item(
        self, queue: str, title: str, reason: str, due: date | None, key: str
    ) -> int:
        item = await workflow.execute_activity(
            "open_work_item",
            WorkItemRequest(
                claim_id=self.claim_id,
                queue=queue,
                title=title,
                reason=reason,
                due=due,
                key=f"claim-{self.claim_id}-{key}",
            ),
            result_type=int,
            summary=f"Work item in {queue}: {title}"[:200],
            **LEDGER,
        )
        self.open_items[item] = OpenWorkItem(
            work_item_id=item, queue=queue, title=title, due=due
        )
        self._note(f"Work item {item} in {queue}: {title}")
        await self._refresh_attention()
        return item

    async def _refresh_attention(self) -> None:
        workflow.upsert_search_attributes(
            [sa.NEEDS_ATTENTION.value_set(bool(self.open_items))]
        )

    async def _set_status(self, status: ClaimStatus, reason: str) -> None:
        self.status = status
        self.waiting_for = reason
        self._note(f"{status}: {reason}")
        updates = [
            sa.CLAIM_STATUS.value_set(status.value),
            sa.BALANCE_CENTS.value_set(int(self.balances.outstanding * 100)),
            sa.NEEDS_ATTENTION.value_set(bool(self.open_items)),
        ]
        if self.denial_codes:
            updates.append(sa.DENIAL_CODES.value_set(self.denial_codes))
        workflow.upsert_search_attributes(updates)
        workflow.set_current_details(f"**{status.value}**: {reason}")
        await workflow.execute_activity(
            "set_claim_status",
            StatusChange(claim_id=self.claim_id, status=status, reason=reason[:500]),
            summary=f"Status {status.value}",
            **LEDGER,
        )


def _no_realtime(err: ActivityError) -> bool:
    """Whether the activity failed because the clearinghouse has no real-time
    channel for it (a 270/271 or a 276/277)."""
    cause = err.cause
    return isinstance(cause, ApplicationError) and cause.type == NO_REALTIME


def _no_answer_escalation(plan: FlowPlan) -> Action | None:
    """The escalation the payer's flow runs when its status inquiries get no answer.

    That is the timeout escalation of the first wait that sends an inquiry on a
    follow-up cycle (``every 20 days: send 276`` ... ``on timeout: escalate``),
    or ``None`` when the flow has no such wait.
    """
    for step in plan.after_submission:
        inquires = any(
            action.do == "send" for cycle in step.every for action in cycle.actions
        )
        escalations = [a for a in step.on.get("timeout", []) if a.do == "escalate"]
        if inquires and escalations:
            return escalations[0]
    return None


def _eligibility_hold_text(result: EligibilityResult) -> tuple[str, str]:
    """The eligibility hold's work item title and reason, as the 271 said it.

    An AAA rejection means the payer could not answer the inquiry (an unknown
    member ID, a name that does not match, the payer being down), which is not
    coverage found inactive: the title says which, in words, with the code.
    """
    said = f"; the payer says: {result.message}" if result.message else ""
    if result.rejection_code:
        why = reject_reason(result.rejection_code)
        return (
            f"Eligibility inquiry rejected: {why}",
            f"The 271 for {result.service_date} rejected the inquiry: {why}{said}",
        )
    return (
        "Coverage not active on the date of service",
        f"Coverage not active on {result.service_date}{said}",
    )


def initial_search_attributes(inp: ClaimInput) -> TypedSearchAttributes:
    """The search attributes a claim starts with; none identifies a patient."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CLAIM_STATUS, ClaimStatus.INTAKE.value),
            SearchAttributePair(sa.PAYER_ID, inp.payer_id),
            SearchAttributePair(sa.BILLING_NPI, inp.billing_npi),
            SearchAttributePair(sa.SERVICE_DATE, _day_start(inp.service_date)),
            SearchAttributePair(sa.BILLED_CENTS, int(inp.billed * 100)),
            SearchAttributePair(sa.BALANCE_CENTS, int(inp.billed * 100)),
            SearchAttributePair(sa.NEEDS_ATTENTION, False),
        ]
    )


__all__ = ["ClaimWorkflow", "initial_search_attributes"]
