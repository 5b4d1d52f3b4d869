"""A line denied inside a paid claim goes to a person and stays owed until then.

Medicaid allows 45 %: 99213 100.00 is paid 45.00 with CO-45 55.00; 81002
28.00 is denied CO-97 (scenario ``deny_line:2:CO:97``). The denial table
routes CO-97 to "Review coding"; the 28.00 stays outstanding (a memo) until
the coder decides to write it off, which writes off exactly 28.00.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger.tables import LedgerEntryRow
from claimflow.messages import ResolveWorkItem
from claimflow.models import ClaimStatus
from tests.factories import make_claim
from tests.workflows.test_claim_workflow import Harness, harness, recent
from workflows.claim import ClaimWorkflow

__all__ = ["harness"]  # the fixture, imported for the test below

D = Decimal


def _balance(harness: Harness, claim_id: int) -> tuple:
    b = harness.ledger.claim_balance(claim_id)
    return b.billed, b.paid, b.adjusted, b.patient_responsibility, b.outstanding


async def test_denied_line_waits_for_coding_then_is_written_off(harness: Harness):
    claim = make_claim(
        payer_id="MEDICAID",
        service_date=await recent(harness.env),
        lines=[("99213", "100.00"), ("81002", "28.00")],
    )
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)
    harness.scenario(claim_id, 1, "deny_line:2:CO:97")

    view = await harness.until(
        handle,
        lambda v: v.status == ClaimStatus.PARTIALLY_PAID and bool(v.work_items),
    )
    [task] = view.work_items
    assert (task.queue, task.title) == ("Coding", "Review coding")
    assert view.denial_codes == ["CO-97"]
    # billed, paid, adjusted, patient, outstanding: the 28.00 is still owed.
    assert _balance(harness, claim_id) == (
        D("128.00"),
        D("45.00"),
        D("55.00"),
        D("0.00"),
        D("28.00"),
    )

    await handle.execute_update(
        ClaimWorkflow.resolve_work_item,
        ResolveWorkItem(
            transaction_id="coder-1",
            work_item_id=task.work_item_id,
            decision="write_off",
            note="81002 bundled into the visit",
        ),
    )

    result = await handle.result()
    assert result.status == ClaimStatus.WRITTEN_OFF
    assert _balance(harness, claim_id) == (
        D("128.00"),
        D("45.00"),
        D("83.00"),
        D("0.00"),
        D("0.00"),
    )
    with Session(harness.ledger.engine) as session:
        written = session.exec(
            select(LedgerEntryRow.amount, LedgerEntryRow.reason).where(
                LedgerEntryRow.claim_id == claim_id,
                LedgerEntryRow.kind == "write_off",
            )
        ).all()
    assert written == [(D("28.00"), "81002 bundled into the visit")]
