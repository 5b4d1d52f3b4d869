"""ClaimWorkflow on the time-skipping test server, with the real activities.

The ledger is a SQLite file per test, the payer is the simulator on loopback, the rules
are the shipped rule files. The test plays the inbox itself (read each file the
simulator queued, signal the claim), so it decides when the payer's answers arrive and
can skip weeks of waiting in between.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer, Worker

from activities.batches import BatchActivities
from activities.claims import ClaimActivities
from activities.inbox import InboxActivities
from activities.patients import PatientActivities
from claimflow.clearinghouse import open_clearinghouse
from claimflow.messages import (
    ClaimInput,
    ClaimStatusView,
    CorrectClaim,
    CoverageUpdated,
    PatientPayment,
    ResolveWorkItem,
)
from claimflow.models import ClaimStatus, patient_control_number
from tests.conftest import put_json
from tests.factories import make_claim, store_claim
from workflows.batch import SubmissionBatchWorkflow
from workflows.claim import ClaimWorkflow, initial_search_attributes
from workflows.search_attributes import CLAIM_STATUS, PAYER_ID

HISTORIES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"
# v1: claims sent alone; v2: claims sent in submission batches.
CORPUS_VERSION = "v2"


class Harness:
    """A worker on its own task queue, plus the test's hand on the inbox."""

    def __init__(self, env, ledger, simulator, rules) -> None:
        self.env = env
        self.ledger = ledger
        self.simulator = simulator
        self.clearinghouse = open_clearinghouse(simulator.url)
        self.claims = ClaimActivities(ledger, self.clearinghouse, rules)
        self.inbox = InboxActivities(ledger, self.clearinghouse)
        self.task_queue = f"claims-{uuid.uuid4()}"
        self.executor = concurrent.futures.ThreadPoolExecutor(8)
        self.handles: list[WorkflowHandle] = []
        self.by_claim: dict[int, WorkflowHandle] = {}

    async def __aenter__(self) -> Harness:
        batches = BatchActivities(
            self.ledger,
            self.clearinghouse,
            self.env.client,
            self.task_queue,
            window_seconds=1,
        )
        self.patients = PatientActivities(self.ledger, self.env.client)
        self.worker = Worker(
            self.env.client,
            task_queue=self.task_queue,
            workflows=[ClaimWorkflow, SubmissionBatchWorkflow],
            activities=self.claims.all() + batches.all() + self.patients.all(),
            activity_executor=self.executor,
            workflow_failure_exception_types=[Exception],
        )
        await self.worker.__aenter__()
        return self

    async def __aexit__(self, *exc) -> None:
        # Leave no running claim behind: its timers would let the shared
        # time-skipping server jump ahead for the next test.
        for handle in self.handles:
            with contextlib.suppress(Exception):
                await handle.terminate("test finished")
        await self.worker.__aexit__(*exc)
        self.executor.shutdown()

    def roster(self, claim, active: bool = True) -> None:
        coverage = claim.coverage
        put_json(
            f"{self.simulator.url}/v1/roster",
            [
                {
                    "member_id": coverage.member_id,
                    "payer_id": coverage.payer_id,
                    "start": str(coverage.start),
                    "end": str(coverage.end if active else coverage.start),
                    "plan_type": coverage.plan_type,
                }
            ],
        )

    def scenario(self, claim_id: int, version: int, behaviour: str) -> None:
        put_json(
            f"{self.simulator.url}/v1/scenarios",
            {patient_control_number(claim_id, version): behaviour},
        )

    async def start(
        self, claim, key: str | None = None, exact_id: bool = False
    ) -> tuple[int, WorkflowHandle]:
        """Store and start the claim; ``exact_id``: as ``claim-<id>``, the ID
        activities signal, else with a suffix kept apart from other tests."""
        claim_id = store_claim(self.ledger, claim, key or f"test-{uuid.uuid4()}")
        stored = self.ledger.get_claim(claim_id)
        inp = ClaimInput(
            claim_id=claim_id,
            payer_id=stored.coverage.payer_id,
            billing_npi=stored.billing_provider.npi,
            service_date=stored.from_date,
            billed=stored.total_charge,
        )
        handle = await self.env.client.start_workflow(
            ClaimWorkflow.run,
            inp,
            id=f"claim-{claim_id}"
            + ("" if exact_id else f"-{uuid.uuid4().hex[:8]}"),
            task_queue=self.task_queue,
            search_attributes=initial_search_attributes(inp),
        )
        self.handles.append(handle)
        self.by_claim[claim_id] = handle
        return claim_id, handle

    async def replay(
        self, handle: WorkflowHandle, name: str, version: str = CORPUS_VERSION
    ) -> None:
        """Replay the claim's history now; keep it in the corpus when asked to.

        ``CLAIMFLOW_RECORD_HISTORIES=1`` writes the history to
        ``tests/fixtures/histories/<version>-<name>.json`` so later changes are
        replayed against it (``test_replay.py``).
        """
        history = await handle.fetch_history()
        await Replayer(
            workflows=[ClaimWorkflow], data_converter=pydantic_data_converter
        ).replay_workflow(history)
        if os.environ.get("CLAIMFLOW_RECORD_HISTORIES") == "1":
            HISTORIES.mkdir(parents=True, exist_ok=True)
            (HISTORIES / f"{version}-{name}.json").write_text(history.to_json())

    async def view(self, handle: WorkflowHandle) -> ClaimStatusView:
        return await handle.query(ClaimWorkflow.status_view)

    async def until(
        self,
        handle: WorkflowHandle,
        check: Callable[[ClaimStatusView], bool],
        pump: bool = True,
        seconds: float = 120,
    ) -> ClaimStatusView:
        """Play the inbox until the claim's status view satisfies ``check``."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while True:
            view = await self.view(handle)
            if check(view):
                return view
            if loop.time() > end:
                raise AssertionError(f"claim never got there; last view: {view}")
            if pump:
                await self.pump()
            await asyncio.sleep(0.2)

    async def pump(self) -> int:
        """Deliver every file in the simulator's inbox to the claims it names."""
        delivered = 0
        activity_env = ActivityEnvironment()
        for name in await asyncio.to_thread(activity_env.run, self.inbox.list_inbox):
            outcome = await asyncio.to_thread(
                activity_env.run, self.inbox.read_inbound_file, name
            )
            for message in outcome.messages:
                # Messages name ``claim-<id>``; test workflows have a suffix.
                claim_id = int(message.workflow_id.removeprefix("claim-"))
                handle = self.by_claim[claim_id]
                if message.acknowledgment is not None:
                    await handle.signal(
                        ClaimWorkflow.acknowledgment, message.acknowledgment
                    )
                else:
                    await handle.signal(ClaimWorkflow.remittance, message.remittance)
                delivered += 1
            await asyncio.to_thread(
                activity_env.run, self.inbox.acknowledge_inbound_file, name
            )
        return delivered


@pytest.fixture
async def harness(env, ledger, simulator, rules):
    async with Harness(env, ledger, simulator, rules) as running:
        yield running


async def server_today(env) -> date:
    """Today on the test server's clock, which time skipping moves ahead."""
    return (await env.get_current_time()).date()


async def recent(env, days: int = 10) -> date:
    return await server_today(env) - timedelta(days=days)


def status_is(*statuses: ClaimStatus) -> Callable[[ClaimStatusView], bool]:
    return lambda view: view.status in statuses


async def test_paid_in_full_closes_with_contractual_adjustment(harness: Harness):
    claim = make_claim(payer_id="MEDICAID", service_date=await recent(harness.env))
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(handle, status_is(ClaimStatus.CLOSED))

    # Medicaid allows 45% of 150.00: paid 67.50, CO-45 82.50, nothing to the patient.
    balance = harness.ledger.claim_balance(claim_id)
    assert (balance.billed, balance.paid, balance.adjusted) == (
        Decimal("150.00"),
        Decimal("67.50"),
        Decimal("82.50"),
    )
    assert balance.patient_responsibility == Decimal("0.00")
    assert balance.outstanding == Decimal("0.00")
    assert view.adjustment_codes == ["CO-45"]
    assert view.denial_codes == []
    result = await handle.result()
    assert result.status == ClaimStatus.CLOSED
    await harness.replay(handle, "paid-in-full")
    described = await handle.describe()
    attributes = described.typed_search_attributes
    assert attributes.get(CLAIM_STATUS) == "closed"
    assert attributes.get(PAYER_ID) == "MEDICAID"


async def test_coinsurance_goes_to_patient_billing_then_closes_on_payment(
    harness: Harness,
):
    claim = make_claim(
        payer_id="MEDICARE",
        member_id="1EG4TE5MK73",
        service_date=await recent(harness.env),
        lines=[("99214", "200.00")],
        birth_date=date(1950, 3, 2),
    )
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(handle, status_is(ClaimStatus.PATIENT_BILLING))

    # Medicare allows 55% of 200.00 = 110.00; 20% coinsurance (PR-2) is 22.00.
    balance = harness.ledger.claim_balance(claim_id)
    assert balance.paid == Decimal("88.00")
    assert balance.adjusted == Decimal("90.00")
    assert balance.patient_responsibility == Decimal("22.00")
    assert balance.outstanding == Decimal("0.00")
    assert view.waiting_for == "Patient billing: 22.00 due from the patient"

    await handle.signal(
        ClaimWorkflow.patient_payment,
        PatientPayment(transaction_id="portal-1", amount=Decimal("22.00")),
    )
    # The same payment sent twice is recognised and ignored.
    await handle.signal(
        ClaimWorkflow.patient_payment,
        PatientPayment(transaction_id="portal-1", amount=Decimal("22.00")),
    )
    result = await handle.result()
    assert result.status == ClaimStatus.CLOSED
    assert harness.ledger.patient_due(claim_id) == Decimal("0.00")
    await harness.replay(handle, "coinsurance-patient-paid")


async def test_denied_then_corrected_resubmitted_and_paid(harness: Harness):
    claim = make_claim(payer_id="MEDICAID", service_date=await recent(harness.env))
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)
    harness.scenario(claim_id, 1, "deny:CO:16")

    view = await harness.until(
        handle, lambda v: v.status == ClaimStatus.DENIED and bool(v.work_items)
    )
    assert view.denial_codes == ["CO-16"]
    [task] = view.work_items
    assert task.queue == "Billing-Corrections"
    # A denial does not write anything off: the charge stays owed until resolved.
    assert harness.ledger.claim_balance(claim_id).outstanding == Decimal("150.00")

    corrected = await handle.execute_update(
        ClaimWorkflow.correct_claim,
        CorrectClaim(transaction_id="ehr-7", diagnoses=["J02.0"], note="dx fixed"),
    )
    assert corrected.version == 2
    assert corrected.blocking is False
    await handle.execute_update(
        ClaimWorkflow.resolve_work_item,
        ResolveWorkItem(transaction_id="ops-1", work_item_id=task.work_item_id),
    )

    await harness.until(handle, status_is(ClaimStatus.CLOSED))
    await handle.result()
    await harness.replay(handle, "denied-corrected-resubmitted-paid")
    version2 = harness.ledger.get_claim(claim_id, 2)
    assert version2.frequency_code == "7"
    assert version2.original_payer_claim_number
    assert version2.diagnoses == ["J02.0"]
    balance = harness.ledger.claim_balance(claim_id)
    assert (balance.paid, balance.adjusted, balance.outstanding) == (
        Decimal("67.50"),
        Decimal("82.50"),
        Decimal("0.00"),
    )


async def test_no_remittance_sends_status_inquiries_then_escalates(
    harness: Harness, rules
):
    claim = make_claim(payer_id="MEDICAID", service_date=await recent(harness.env))
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)
    harness.scenario(claim_id, 1, "no_response")
    await harness.until(handle, status_is(ClaimStatus.ACCEPTED))

    wait_835 = rules.select("MEDICAID", claim.from_date).plan.after_submission[-1]
    assert wait_835.wait_for == "835"
    days = wait_835.timeout.n
    every = wait_835.every[0].every.n
    await harness.env.sleep(timedelta(days=days + 1))

    view = await harness.until(
        handle,
        lambda v: any(w.queue == "AR-Follow-up" for w in v.work_items),
        pump=False,
    )
    inquiries = [h for h in view.history if h.event.startswith("276 status inquiry")]
    assert len(inquiries) == (days - 1) // every
    assert view.status == ClaimStatus.ACCEPTED
    await harness.replay(handle, "no-remittance-escalated")
    assert view.waiting_for.startswith("Waiting for 835 from")


async def test_timely_filing_escalates_when_the_deadline_passes(
    harness: Harness, rules
):
    today = await server_today(harness.env)
    claim = make_claim(payer_id="MEDICAID", service_date=today - timedelta(360))
    deadline = rules.select("MEDICAID", claim.from_date).filing_deadline(claim)
    assert today < deadline < today + timedelta(10)
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)
    harness.scenario(claim_id, 1, "no_ack")
    await harness.until(handle, status_is(ClaimStatus.SUBMITTED), pump=False)
    view = await harness.view(handle)
    assert view.filing_deadline == deadline
    assert harness.ledger.status_info(claim_id).filing_deadline == deadline

    await harness.env.sleep(timedelta(days=12))
    view = await harness.until(
        handle,
        lambda v: any(w.title.startswith("Filing deadline") for w in v.work_items),
        pump=False,
    )
    escalation = next(w for w in view.work_items if w.title.startswith("Filing"))
    assert escalation.queue == "AR-Timely-Filing"
    assert escalation.title == f"Filing deadline {deadline} reached"
    warning = [w for w in view.work_items if w.title.startswith("Timely filing")]
    assert warning and warning[0].due == deadline


async def test_inactive_coverage_holds_until_coverage_is_updated(harness: Harness):
    claim = make_claim(payer_id="MEDICAID", service_date=await recent(harness.env))
    harness.roster(claim, active=False)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(
        handle, status_is(ClaimStatus.ELIGIBILITY_HOLD), pump=False
    )
    [item] = view.work_items
    assert item.queue == "Eligibility"
    assert view.waiting_for.startswith("Waiting for coverage_updated")

    harness.roster(claim, active=True)
    await handle.signal(
        ClaimWorkflow.coverage_updated, CoverageUpdated(transaction_id="ehr-cov-1")
    )
    await harness.until(handle, status_is(ClaimStatus.CLOSED))
    assert harness.ledger.claim_balance(claim_id).paid == Decimal("67.50")


async def test_a_rejected_inquiry_holds_with_the_271s_reason_in_words(
    harness: Harness,
):
    served = await recent(harness.env)
    claim = make_claim(payer_id="MEDICAID", service_date=served)
    # The payer knows another member only: its 271 answers AAA*N**72*C.
    stranger = make_claim(
        payer_id="MEDICAID", member_id="SYN999999", service_date=served
    )
    harness.roster(stranger)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(
        handle, status_is(ClaimStatus.ELIGIBILITY_HOLD), pump=False
    )

    [item] = view.work_items
    assert (item.queue, item.title) == (
        "Eligibility",
        "Eligibility inquiry rejected: invalid or missing member ID (AAA 72)",
    )
    reason = harness.ledger.status_info(claim_id).reason
    assert reason.startswith(
        f"The 271 for {served} rejected the inquiry: "
        "invalid or missing member ID (AAA 72)"
    )
    assert "not active" not in reason
    assert view.waiting_for.startswith("Waiting for coverage_updated")


async def test_scrub_error_holds_until_the_claim_is_corrected(harness: Harness):
    # M54.5 stopped being a billable ICD-10-CM code (it has children since 2021).
    claim = make_claim(
        payer_id="MEDICAID", service_date=await recent(harness.env), diagnoses=["M54.5"]
    )
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(handle, status_is(ClaimStatus.SCRUB_HOLD), pump=False)
    errors = [f for f in view.findings if f.severity == "error"]
    assert [f.edit_id for f in errors] == ["basics.DX-02"]
    assert "M54.5" in errors[0].message

    corrected = await handle.execute_update(
        ClaimWorkflow.correct_claim,
        CorrectClaim(transaction_id="coder-1", diagnoses=["M54.50"]),
    )
    assert (corrected.version, corrected.blocking) == (2, False)
    await harness.until(handle, status_is(ClaimStatus.CLOSED))
    # Never sent before, so version 2 is an original claim, not a replacement.
    assert harness.ledger.get_claim(claim_id, 2).frequency_code == "1"


async def test_a_claim_no_ruleset_covers_waits_for_payer_setup(harness: Harness):
    claim = make_claim(payer_id="MEDICAID", service_date=date(2024, 6, 3))
    harness.roster(claim)
    _, handle = await harness.start(claim)

    view = await harness.until(handle, status_is(ClaimStatus.SCRUB_HOLD), pump=False)
    [item] = view.work_items
    assert item.queue == "Payer-Setup"
    assert "MEDICAID" in view.waiting_for and "2024-06-03" in view.waiting_for


async def test_claims_of_one_payer_go_out_in_one_837(harness: Harness):
    service_date = await recent(harness.env)
    claims = [
        make_claim(
            payer_id="MEDICAID",
            member_id=f"SYN00000{n}",
            service_date=service_date,
            lines=[("99213", charge)],
        )
        for n, charge in enumerate(["150.00", "110.00", "95.00"], start=1)
    ]
    put_json(
        f"{harness.simulator.url}/v1/roster",
        [
            {
                "member_id": c.coverage.member_id,
                "payer_id": "MEDICAID",
                "start": str(c.coverage.start),
                "end": str(c.coverage.end),
                "plan_type": "MC",
            }
            for c in claims
        ],
    )
    started = [await harness.start(claim) for claim in claims]
    for _, handle in started:
        await harness.until(handle, status_is(ClaimStatus.SUBMITTED), pump=False)

    stats = httpx.get(f"{harness.simulator.url}/v1/stats").json()
    assert (stats["submissions"], stats["claims_received"]) == (1, 3)
    subs = [harness.ledger.submission_for(claim_id, 1) for claim_id, _ in started]
    assert len({s.transaction_control_number for s in subs}) == 1
    assert len({s.receipt_id for s in subs}) == 1

    # The one 999 answers all three; then each claim closes on its own 835.
    for _, handle in started:
        await harness.until(handle, status_is(ClaimStatus.CLOSED))
    paid = [harness.ledger.claim_balance(claim_id).paid for claim_id, _ in started]
    assert paid == [Decimal("67.50"), Decimal("49.50"), Decimal("42.75")]
