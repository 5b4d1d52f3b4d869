"""``claimflow remittance``: list stored 835s, show one, release a held one.

An 835 whose own figures do not balance is held: nothing of it posts until a
person has looked at it. ``list`` and ``show`` read the ledger; ``release``
goes through the inbox workflow (update ``release_remittance``), so the
claims the 835 pays are told and post their payments exactly as when a file
is read. That needs Temporal and a worker; the ledger alone is never changed
behind the claims' backs.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from temporalio.client import WorkflowUpdateFailedError

from claimflow.config import Settings
from claimflow.ledger import Ledger, NotFoundError
from claimflow.ledger.results import RemittanceDetail
from claimflow.messages import ReleaseRemittance, RemittanceReleased


def list_command(database_url: str, status: str | None) -> int:
    """Print stored 835 transactions, oldest first (only ``status`` if given)."""
    ledger = Ledger(database_url)
    try:
        found = ledger.remittances(status)
    finally:
        ledger.engine.dispose()
    what = f"{status} 835s" if status else "835s"
    print(f"{len(found)} {what}")
    if not found:
        return 0
    print(
        f"{'id':>5}  {'status':<7} {'received':<10}  {'trace':<20} "
        f"{'deposit':>12}  {'claims':>6}  {'PLB':>3}  payer"
    )
    for info in found:
        print(
            f"{info.remittance_id:>5}  {info.status:<7} "
            f"{info.received_at.date().isoformat():<10}  {info.trace_number:<20} "
            f"{info.payment_amount:>12}  {info.claims:>6}  "
            f"{info.provider_adjustments:>3}  {info.payer_name}"
        )
    return 0


def show_command(database_url: str, remittance_id: int) -> int:
    """Print one stored 835: deposit, differences, CLPs, PLB pairs, work item."""
    ledger = Ledger(database_url)
    try:
        detail = ledger.remittance_detail(remittance_id)
    except NotFoundError as err:
        print(f"claimflow remittance show: {err}", file=sys.stderr)
        return 1
    finally:
        ledger.engine.dispose()
    for text in _describe(detail):
        print(text)
    return 0


def _describe(detail: RemittanceDetail) -> list[str]:
    info, figures = detail.remittance, detail.reconciliation
    out = [
        f"835 remittance {info.remittance_id}: {info.status}",
        f"  file {info.file_name}, received {info.received_at.date()}, "
        f"ST02 {info.transaction_control_number}, trace {info.trace_number}",
        f"  payer {info.payer_name}, payment date {info.payment_date or 'none'}",
        f"Deposit {figures.deposit}: claim payments {figures.claim_payments} less "
        f"provider adjustments {figures.provider_adjustments}, difference "
        f"{figures.difference}",
    ]
    if detail.differences:
        out.append("Does not balance:")
        out.extend(f"  {text}" for text in detail.differences)
    out.append(f"Claims ({len(detail.claims)}):")
    for clp in detail.claims:
        claim = f"claim {clp.claim_id}" if clp.claim_id else "no claim"
        out.append(
            f"  {clp.sequence:>3}  {clp.patient_control_number:<17} {claim:<12} "
            f"CLP02 {clp.status_code:<2} charge {clp.charge} paid {clp.paid} "
            f"patient {clp.patient_responsibility} "
            f"{'posted' if clp.posted else 'not posted'}"
        )
    out.append(f"Provider-level adjustments ({len(detail.provider_adjustments)}):")
    for pair in detail.provider_adjustments:
        to_claim = f" claim {pair.claim_id}" if pair.claim_id else ""
        out.append(
            f"  {pair.sequence or '-':>3}  {pair.reason:<3} reference "
            f"{pair.reference or '-'}  {pair.amount}  "
            f"{pair.disposition or 'not posted'}{to_claim}"
        )
    item = detail.balance_work_item
    if item is not None:
        out.append(
            f"Work item {item.work_item_id} ({item.queue}, {item.status}"
            f"{': ' + item.resolution if item.resolution else ''})"
        )
    if info.status == "held":
        out.append(
            f"Release it with: claimflow remittance release {info.remittance_id} "
            '--reason "..."'
        )
    return out


async def release(
    settings: Settings, remittance_id: int, reason: str
) -> RemittanceReleased:
    """Send the ``release_remittance`` update to the running inbox workflow."""
    from claimflow.starter import connect
    from worker import INBOX_WORKFLOW_ID

    client = await connect(settings)
    handle = client.get_workflow_handle(INBOX_WORKFLOW_ID)
    return await handle.execute_update(
        "release_remittance",
        ReleaseRemittance(
            transaction_id=f"cli-release-{uuid.uuid4()}",
            remittance_id=remittance_id,
            reason=reason,
        ),
        result_type=RemittanceReleased,
    )


def _innermost(err: BaseException) -> str:
    """The message of the failure at the bottom of a chain of causes."""
    while err.__cause__ is not None:
        err = err.__cause__
    return getattr(err, "message", None) or str(err)


def release_command(settings: Settings, remittance_id: int, reason: str) -> int:
    """Release a held 835 through the inbox workflow; print what was sent."""
    if not reason.strip():
        print("claimflow remittance release: --reason must say why", file=sys.stderr)
        return 2
    # Known to the ledger first: an unknown ID is a typo, not a Temporal problem.
    ledger = Ledger(settings.database_url)
    try:
        ledger.remittance_detail(remittance_id)
    except NotFoundError:
        print(f"no 835 remittance {remittance_id} in the ledger", file=sys.stderr)
        return 1
    finally:
        ledger.engine.dispose()
    try:
        released = asyncio.run(release(settings, remittance_id, reason))
    except WorkflowUpdateFailedError as err:
        # The inbox refused it: its own reason, not the wrapping failures.
        print(
            f"claimflow remittance release: 835 remittance {remittance_id} was not "
            f"released: {_innermost(err)}",
            file=sys.stderr,
        )
        return 1
    except Exception as err:  # noqa: BLE001 - connecting to Temporal failed
        print(
            f"claimflow remittance release: 835 remittance {remittance_id} was not "
            f"released: {_innermost(err)}. The release goes through the inbox "
            f"workflow (Temporal at {settings.temporal_address}, with a worker "
            "running) so that its claims are told.",
            file=sys.stderr,
        )
        return 1
    if released.was_held:
        print(f"835 remittance {remittance_id} released: {reason}")
    else:
        print(
            f"835 remittance {remittance_id} was not held; its claims were told "
            "again (a claim ignores a payment it has had)"
        )
    print(f"{len(released.messages)} claim payment(s) sent:")
    for message in released.messages:
        signal = message.remittance
        print(
            f"  {message.workflow_id}: remittance claim {signal.remit_claim_id}, "
            f"CLP02 {signal.status_code}, paid {signal.paid}"
        )
    return 0
