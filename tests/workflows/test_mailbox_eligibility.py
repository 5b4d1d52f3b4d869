"""A mailbox clearinghouse has no real-time 270/271: the claim goes on without one.

On the time-skipping server with the real activities and the mailbox adapter: the
eligibility activity fails once, without retries, the claim records that eligibility
was not checked, the payer's eligibility requirement becomes a warning for a person
instead of an error, and the claim is sent as an 837 file in the outbox.
"""

from __future__ import annotations

import pytest

from activities.claims import ClaimActivities
from activities.inbox import InboxActivities
from claimflow.clearinghouse import open_clearinghouse
from claimflow.models import ClaimStatus, Severity
from tests.factories import make_claim
from tests.workflows.test_claim_workflow import Harness, recent, status_is


@pytest.fixture
async def mailbox_harness(env, ledger, simulator, rules, tmp_path):
    harness = Harness(env, ledger, simulator, rules)
    mailbox = open_clearinghouse(f"mailbox://{tmp_path / 'mailbox'}")
    harness.clearinghouse = mailbox
    harness.claims = ClaimActivities(ledger, mailbox, rules)
    harness.inbox = InboxActivities(ledger, mailbox)
    async with harness as running:
        yield running, tmp_path / "mailbox"


async def test_without_real_time_eligibility_the_claim_is_sent_with_a_warning(
    mailbox_harness,
):
    harness, folder = mailbox_harness
    claim = make_claim(payer_id="MEDICAID", service_date=await recent(harness.env))
    claim_id, handle = await harness.start(claim)

    view = await harness.until(
        handle, status_is(ClaimStatus.SUBMITTED), pump=False, seconds=60
    )

    events = [entry.event for entry in view.history]
    assert (
        "Eligibility not checked: the clearinghouse has no real-time 270/271"
        in events
    )
    assert not any(event.startswith("eligibility_hold") for event in events)
    [elig] = [f for f in view.findings if f.edit_id == "ELIG-01"]
    assert elig.severity == Severity.WARNING
    assert elig.message.startswith(
        "Eligibility not checked (no real-time 271 from the clearinghouse): "
    )
    assert [w.title for w in view.work_items] == ["Scrub warning ELIG-01"]
    # One attempt, not retried: a mailbox never gains a real-time channel.
    history = await handle.fetch_history()
    failed = [
        e for e in history.events if e.HasField("activity_task_failed_event_attributes")
    ]
    assert len(failed) == 1
    failure = failed[0].activity_task_failed_event_attributes.failure
    assert failure.application_failure_info.type == "UnsupportedTransaction"
    assert failure.application_failure_info.non_retryable
    # The 837 went to the outbox, with this claim in it.
    [sent] = list((folder / "outbox").glob("*.x12"))
    assert f"CLM*C{claim_id}V1*" in sent.read_text()
    assert harness.ledger.latest_eligibility(claim_id) is None
    await harness.replay(handle, "mailbox-no-realtime-eligibility", "v6")
