"""Releasing a held 835 through the inbox workflow: the update and the CLI.

The time-skipping test server runs the real InboxWorkflow and inbox activities over
a SQLite ledger, with the payloads encrypted as in production (so the CLI, which
connects with the project's codec, can talk to it). A small stand-in takes the
place of one claim's workflow and keeps the ``remittance`` signals it is sent; the
other claim has no workflow, so its payment takes the inbox's undeliverable path
(posted by the inbox, a work item for a person).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from decimal import Decimal

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.worker import Worker

from activities.inbox import InboxActivities
from claimflow.clearinghouse import MailboxClearinghouse
from claimflow.cli import main
from claimflow.codec import data_converter
from claimflow.messages import (
    InboxInput,
    ReleaseRemittance,
    RemittanceReleased,
    RemittanceSignal,
)
from tests.ledger.ledger_builders import adj, clp, make_claim, remittance, store
from worker import INBOX_WORKFLOW_ID
from workflows.inbox import InboxWorkflow

D = Decimal


@workflow.defn(name="ClaimStandIn", sandboxed=False)  # a test double, no I/O
class ClaimStandIn:
    """Keeps the ``remittance`` signals a claim workflow would be sent."""

    def __init__(self) -> None:
        self.remits: list[RemittanceSignal] = []

    @workflow.run
    async def run(self) -> list[RemittanceSignal]:
        await workflow.wait_condition(lambda: bool(self.remits))
        return self.remits

    @workflow.signal(name="remittance")
    def remittance(self, message: RemittanceSignal) -> None:
        self.remits.append(message)


class Stack:
    """A worker with the inbox, an inbox workflow, a held 835 in the ledger."""

    def __init__(self, env, ledger, home) -> None:
        self.env, self.ledger, self.home = env, ledger, home
        self.task_queue = f"inbox-{uuid.uuid4()}"
        self.executor = concurrent.futures.ThreadPoolExecutor(4)

    async def __aenter__(self) -> Stack:
        target = self.env.client.service_client.config.target_host
        self.address = target
        self.client = await Client.connect(
            target, data_converter=data_converter(self.home)
        )
        mailbox = MailboxClearinghouse(self.home / "outbox", self.home / "inbox")
        self.mailbox = mailbox
        self.worker = Worker(
            self.client,
            task_queue=self.task_queue,
            workflows=[InboxWorkflow, ClaimStandIn],
            activities=InboxActivities(self.ledger, mailbox, self.client).all(),
            activity_executor=self.executor,
        )
        await self.worker.__aenter__()
        # Polls an empty mailbox once, then sleeps an hour of server time.
        self.inbox = await self.client.start_workflow(
            InboxWorkflow.run,
            InboxInput(poll_seconds=3600, polls_before_continue=1),
            id=INBOX_WORKFLOW_ID,
            task_queue=self.task_queue,
        )
        self.paid, self.unpaid = make_claim(self.ledger), make_claim(self.ledger)
        paid, unpaid = f"C{self.paid}V1", f"C{self.unpaid}V1"
        self.held = store(
            self.ledger,
            remittance(
                clp(paid, "1", "100.00", "90.00", [], [adj("CO-45", "10.00")]),
                # 100.00 - 70.00 = 30.00, but CO-45 says 20.00: held.
                clp(unpaid, "1", "100.00", "70.00", [], [adj("CO-45", "20.00")]),
                trace="EFT-HELD",
            ),
        )
        self.claim = await self.client.start_workflow(
            ClaimStandIn.run, id=f"claim-{self.paid}", task_queue=self.task_queue
        )
        return self

    async def __aexit__(self, *exc) -> None:
        for handle in (self.inbox, self.claim):
            try:
                await handle.terminate("test finished")
            except Exception:  # noqa: BLE001 - it may have ended already
                pass
        await self.worker.__aexit__(*exc)
        self.executor.shutdown()

    async def release(self, remittance_id: int, reason: str) -> RemittanceReleased:
        return await self.inbox.execute_update(
            InboxWorkflow.release_remittance,
            ReleaseRemittance(
                transaction_id=f"test-{uuid.uuid4()}",
                remittance_id=remittance_id,
                reason=reason,
            ),
        )


@pytest.fixture
async def stack(env, ledger, tmp_path):
    async with Stack(env, ledger, tmp_path / "home") as running:
        yield running


def _remit_ids(ledger, remittance_id):
    return [c.remit_claim_id for c in ledger.remittance_detail(remittance_id).claims]


async def test_release_update_posts_and_tells_the_claims(stack: Stack):
    ledger = stack.ledger
    held_id = stack.held.remittance_id
    assert stack.held.held is True
    first, second = _remit_ids(ledger, held_id)

    released = await stack.release(held_id, "payer confirmed by phone")

    assert released.was_held is True
    assert [
        (m.workflow_id, m.remittance.remit_claim_id, m.remittance.paid)
        for m in released.messages
    ] == [
        (f"claim-{stack.paid}", first, D("90.00")),
        (f"claim-{stack.unpaid}", second, D("70.00")),
    ]
    # The claim's workflow got the same signal reading a balanced 835 sends.
    [signal] = await stack.claim.result()
    assert (signal.transaction_id, signal.status_code, signal.paid) == (
        f"835-{first}",
        "1",
        D("90.00"),
    )
    # The claim without a workflow: posted by the inbox, a person is told.
    balance = ledger.claim_balance(stack.unpaid)
    assert (balance.paid, balance.adjusted, balance.outstanding) == (
        D("70.00"),
        D("20.00"),
        D("10.00"),
    )
    [item] = ledger.open_work_items()
    assert (item.claim_id, item.queue) == (stack.unpaid, "EDI-Support")
    assert item.title == (
        f"835 claim payment {second} arrived for a claim whose workflow has ended"
    )
    detail = ledger.remittance_detail(held_id)
    assert detail.remittance.status == "posted"
    assert detail.balance_work_item.resolution == "released: payer confirmed by phone"

    # Released again: nothing changes, the claims are told again and ignore it.
    again = await stack.release(held_id, "payer confirmed by phone")
    assert again.was_held is False
    assert [m.remittance.transaction_id for m in again.messages] == [
        f"835-{first}",
        f"835-{second}",
    ]
    assert ledger.claim_balance(stack.unpaid).paid == D("70.00")


async def test_release_refuses_a_blank_reason_and_an_unknown_835(stack: Stack):
    with pytest.raises(WorkflowUpdateFailedError) as blank:
        await stack.release(stack.held.remittance_id, "   ")
    assert "a release needs a reason" in str(blank.value.cause)

    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await stack.release(9999, "typo")
    assert unknown.value.cause.cause.type == "remittance-not-found"

    assert ledger_status(stack) == "held"


def ledger_status(stack: Stack) -> str:
    return stack.ledger.remittance_detail(stack.held.remittance_id).remittance.status


async def test_cli_lists_shows_and_releases(stack: Stack, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMFLOW_HOME", str(stack.home))
    monkeypatch.setenv("DATABASE_URL", str(stack.ledger.engine.url))
    monkeypatch.setenv("TEMPORAL_ADDRESS", stack.address)
    held_id = stack.held.remittance_id
    first, second = _remit_ids(stack.ledger, held_id)

    assert main(["remittance", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0] == "1 held 835s"
    assert listing[2].split() == [
        str(held_id),
        "held",
        listing[2].split()[2],  # the day it was received
        "EFT-HELD",
        "160.00",
        "2",
        "0",
        "Blue",
        "Cross",
        "Blue",
        "Shield",
    ]
    assert main(["remittance", "show", str(held_id)]) == 0
    shown = capsys.readouterr().out
    assert f"835 remittance {held_id}: held" in shown
    assert (
        f"  CLP 2 (C{stack.unpaid}V1): charge 100.00 less paid 70.00 is 30.00 but "
        "adjustments total 20.00, off by 10.00"
    ) in shown
    assert "Deposit 160.00: claim payments 160.00 less provider adjustments 0.00" in (
        shown
    )
    assert f'claimflow remittance release {held_id} --reason "..."' in shown
    assert main(["remittance", "show", "9999"]) == 1
    assert "no remittance 9999" in capsys.readouterr().err
    assert main(["remittance", "release", str(held_id)]) == 2

    # The CLI runs its own event loop, as it does from a shell.
    status = await asyncio.to_thread(
        main, ["remittance", "release", str(held_id), "--reason", "payer confirmed"]
    )

    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out == [
        f"835 remittance {held_id} released: payer confirmed",
        "2 claim payment(s) sent:",
        f"  claim-{stack.paid}: remittance claim {first}, CLP02 1, paid 90.00",
        f"  claim-{stack.unpaid}: remittance claim {second}, CLP02 1, paid 70.00",
    ]
    assert [s.paid for s in await stack.claim.result()] == [D("90.00")]
    assert main(["remittance", "list"]) == 0
    assert capsys.readouterr().out == "0 held 835s\n"


async def test_a_polled_835_is_read_and_its_claims_told_by_one_activity(stack: Stack):
    from datetime import datetime

    from claimflow.x12 import Envelope, build_835

    paid, unpaid = f"C{stack.paid}V1", f"C{stack.unpaid}V1"
    claims = [
        clp(number, "1", "100.00", paid_amount, [], [adj("CO-45", adjusted)])
        for number, paid_amount, adjusted in (
            (paid, "80.00", "20.00"),
            (unpaid, "60.00", "40.00"),
        )
    ]
    era = remittance(
        *(c.model_copy(update={"filing_indicator": "ZZ"}) for c in claims),
        trace="EFT-POLLED",
    ).model_copy(
        update={
            "payment_date": datetime(2026, 3, 20).date(),
            "payer_id": "BCBS1",
            "payee_npi": "1234567893",
            "payee_name": "Synthetic Family Practice",
            "payment_method": "ACH",
        }
    )
    envelope = Envelope(
        sender_id="PAYERSIM",
        receiver_id="CLAIMFLOW",
        interchange_control_number=501,
        group_control_number=51,
        transaction_control_number="0001",
        created=datetime(2026, 3, 20, 8, 0),
    )
    (stack.mailbox.inbox / "era-polled.835").write_text(build_835(era, envelope))

    # The inbox sleeps an hour of server time between polls; waiting for the
    # stand-in's result lets the test server skip to the next poll.
    [signal] = await asyncio.wait_for(stack.claim.result(), 120)
    assert (signal.status_code, signal.paid) == ("1", D("80.00"))

    history = await stack.inbox.fetch_history()
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert "read_and_deliver_inbound_file" in scheduled
    assert "read_inbound_file" not in scheduled
    signalled = [
        e for e in history.events
        if e.HasField("signal_external_workflow_execution_initiated_event_attributes")
    ]
    assert signalled == []

    # The claim without a workflow was posted by the activity and a person told;
    # the activity tells the claims in file order, so that one comes just after.
    def told() -> list:
        items = stack.ledger.open_work_items()
        return [i for i in items if i.claim_id == stack.unpaid]

    for _ in range(300):
        if told():
            break
        await asyncio.sleep(0.1)
    balance = stack.ledger.claim_balance(stack.unpaid)
    assert (balance.paid, balance.adjusted, balance.outstanding) == (
        D("60.00"),
        D("40.00"),
        D("0.00"),
    )
    [item] = told()
    assert item.queue == "EDI-Support"
    assert item.title.endswith("arrived for a claim whose workflow has ended")
