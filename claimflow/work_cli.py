"""``claimflow work list`` and ``claimflow quarantine list``: the queues, read-only.

A billing team works its queues from the ledger: work items (a denial to
route, a claim held at intake, an 835 that does not balance) and the inbound
files or transactions set aside because they could not be read. Both lists
read the ledger only; resolving an item goes through the claim's workflow
(``resolve_work_item``), never through here.
"""

from __future__ import annotations

from claimflow.ledger_cli import open_for_reading


def work_list_command(
    database_url: str, queue: str | None, include_resolved: bool
) -> int:
    """Print work items, oldest first: id, queue, claim, title, due (and status)."""
    ledger = open_for_reading(database_url)
    try:
        items = ledger.work_items(queue, include_resolved)
    finally:
        ledger.engine.dispose()
    what = "work items" if include_resolved else "open work items"
    where = f" in queue {queue}" if queue else ""
    print(f"{len(items)} {what}{where}")
    if not items:
        return 0
    status = f" {'status':<9}" if include_resolved else ""
    print(f"{'id':>5}  {'queue':<26} {'claim':>6}  {'due':<10}{status}  title")
    for item in items:
        claim = str(item.claim_id) if item.claim_id is not None else "-"
        due = item.due.isoformat() if item.due else "-"
        shown = f" {item.status:<9}" if include_resolved else ""
        print(
            f"{item.work_item_id:>5}  {item.queue:<26} {claim:>6}  {due:<10}{shown}  "
            f"{item.title}"
        )
    return 0


def quarantine_list_command(database_url: str) -> int:
    """Print quarantined inbound files and transactions with their reasons."""
    ledger = open_for_reading(database_url)
    try:
        files = ledger.list_quarantine()
    finally:
        ledger.engine.dispose()
    print(f"{len(files)} quarantined file(s) or transaction(s)")
    for info in files:
        print(
            f"{info.file_id:>5}  {info.received_at.date().isoformat()}  "
            f"{info.kind:<13} {info.name}"
        )
        print(f"       reason: {info.quarantine_reason or '(none given)'}")
    return 0
