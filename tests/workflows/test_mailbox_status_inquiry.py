"""A mailbox clearinghouse has no real-time 276/277: a person asks the payer instead.

On the time-skipping server with the real activities and the mailbox adapter, a
Medicaid claim is sent as an 837 file and nothing comes back. Medicaid's flow
sends a 276 when the 277CA is late and every 20 days of the 60-day wait for the
835, and escalates to "AR-Follow-up" within 3 business days when the 835 never
comes. Each 276 fails once, without retries; the claim records that the status
inquiry was not sent and gives the follow-up to a person in that queue, one
open item at a time, until the wait ends in the flow's own escalation.
"""

from __future__ import annotations

from datetime import timedelta

from claimflow.messages import ResolveWorkItem
from claimflow.models import ClaimStatus
from dsl.plan import Duration, add_duration
from tests.factories import make_claim
from tests.workflows.test_claim_workflow import recent, status_is
from tests.workflows.test_mailbox_eligibility import mailbox_harness
from workflows.claim import ClaimWorkflow

__all__ = ["mailbox_harness"]  # the fixture, imported for the test below

NOT_SENT = "Status inquiry not sent: the clearinghouse has no real-time 276/277"
ASK = "Ask the payer for the claim's status (no real-time 276/277)"


def _not_sent(view) -> int:
    return sum(entry.event == NOT_SENT for entry in view.history)


def _asked(times: int):
    """The view once the ``times``-th 276 was not sent and a person has the item."""
    return lambda view: _not_sent(view) == times and any(
        item.title == ASK for item in view.work_items
    )


def _items(view) -> list[tuple[str, str]]:
    return sorted((item.queue, item.title) for item in view.work_items)


async def _days_until(harness, handle, check, most: int):
    """Skip the server's clock a day at a time until the claim's view passes."""
    for _ in range(most):
        await harness.env.sleep(timedelta(days=1))
        view = await harness.until(handle, lambda _: True, pump=False)
        if check(view):
            return view
    raise AssertionError(f"not there after {most} days; last view: {view}")


async def _failed_276s(handle) -> list:
    """The failures of the 276 activity in the claim's event history."""
    history = await handle.fetch_history()
    scheduled = {
        e.event_id
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name
        == "send_status_inquiry"
    }
    return [
        e.activity_task_failed_event_attributes.failure
        for e in history.events
        if e.HasField("activity_task_failed_event_attributes")
        and e.activity_task_failed_event_attributes.scheduled_event_id in scheduled
    ]


async def test_status_inquiries_go_to_a_person_until_the_835_wait_escalates(
    mailbox_harness, rules
):
    harness, folder = mailbox_harness
    service_date = await recent(harness.env)
    claim = make_claim(payer_id="MEDICAID", service_date=service_date)
    claim_id, handle = await harness.start(claim)
    await harness.until(handle, status_is(ClaimStatus.SUBMITTED), pump=False)
    [sent] = list((folder / "outbox").glob("*.x12"))
    assert f"CLM*C{claim_id}V1*" in sent.read_text()

    # No 999 (1 business day), no 277CA (5 business days): the 276 the 277CA's
    # timeout sends cannot go, and a person in AR-Follow-up asks instead.
    view = await _days_until(harness, handle, _asked(1), 12)
    assert _items(view) == [
        ("AR-Follow-up", ASK),
        ("Billing-Corrections", "Scrub warning ELIG-01"),
        ("EDI-Support", "Escalation: 999 timeout"),
    ]
    [ask] = [item for item in view.work_items if item.title == ASK]
    [noted] = [entry for entry in view.history if entry.event == NOT_SENT]
    holidays = rules.select("MEDICAID", service_date).plan.holidays
    three_business_days = Duration(n=3, unit="business_day")
    assert ask.due == add_duration(noted.at.date(), three_business_days, holidays)
    assert view.status == ClaimStatus.SUBMITTED
    assert not any(e.event.startswith("276 status inquiry sent") for e in view.history)
    [failure] = await _failed_276s(handle)
    assert failure.application_failure_info.type == "UnsupportedTransaction"
    assert failure.application_failure_info.non_retryable
    [stored] = [
        row for row in harness.ledger.open_work_items(claim_id) if row.title == ASK
    ]
    assert (stored.work_item_id, stored.queue, stored.due) == (
        ask.work_item_id,
        "AR-Follow-up",
        ask.due,
    )
    assert stored.reason.startswith(
        "The 276 to Medicaid (277CA timeout) was not sent: the clearinghouse has "
        "no real-time 276/277. "
    )

    # Day 20 of the 835 wait: the item is still open, so no second one.
    view = await _days_until(harness, handle, _asked(2), 21)
    assert [item.title for item in view.work_items].count(ASK) == 1
    assert len(await _failed_276s(handle)) == 2

    # The biller asked the payer and closed the item: day 40 asks again.
    await handle.execute_update(
        ClaimWorkflow.resolve_work_item,
        ResolveWorkItem(
            transaction_id="asked-on-portal",
            work_item_id=ask.work_item_id,
            note="payer portal: claim in process",
        ),
    )
    view = await _days_until(harness, handle, _asked(3), 21)
    [again] = [item for item in view.work_items if item.title == ASK]
    assert again.work_item_id != ask.work_item_id
    assert again.queue == "AR-Follow-up"

    # Day 60: the flow's own escalation, and the claim waits for a late 835.
    view = await _days_until(
        harness, handle, lambda v: "past the follow-up timeline" in v.waiting_for, 21
    )
    assert ("AR-Follow-up", "Escalation: 835 timeout") in _items(view)
    assert _not_sent(view) == 3
    assert view.status == ClaimStatus.SUBMITTED
    assert view.balances.outstanding == claim.total_charge
    await harness.replay(handle, "mailbox-status-inquiry-by-hand", "v7")
