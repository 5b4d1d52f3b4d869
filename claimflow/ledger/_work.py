"""Work items: tasks for people, each opened once per key."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import WorkItem
from claimflow.ledger.tables import AuditEventRow, WorkItemRow, utcnow


def _item(row: WorkItemRow) -> WorkItem:
    return WorkItem(
        work_item_id=row.id,
        key=row.key,
        claim_id=row.claim_id,
        queue=row.queue,
        title=row.title,
        reason=row.reason,
        due=row.due,
        status=row.status,
        resolution=row.resolution,
        note=row.note,
    )


def resolve_open_item(
    session: Session, key: str, resolution: str, note: str = ""
) -> None:
    """Resolve the open work item with ``key``, if there is one (in a session)."""
    row = session.exec(
        select(WorkItemRow).where(WorkItemRow.key == key, WorkItemRow.status == "open")
    ).first()
    if row is not None:
        row.status, row.resolution, row.note = "resolved", resolution, note
        row.resolved_at = utcnow()
        session.add(row)


class WorkMixin(LedgerBase):
    """Open, list and resolve work items."""

    def create_work_item(
        self,
        claim_id: int | None,
        queue: str,
        title: str,
        reason: str,
        due: date | None,
        key: str,
    ) -> int:
        """Open a work item unless one with ``key`` exists; return its id.

        Args:
            claim_id: The claim concerned, or None (e.g. an unmatched CLP).
            queue: The queue people work, e.g. ``"denials"``.
            title: A short title.
            reason: Why a person is needed, in plain words (no PHI).
            due: When it should be done, if there is a deadline.
            key: The caller's idempotency key.
        """

        def work(session: Session) -> int:
            found = session.exec(select(WorkItemRow).where(WorkItemRow.key == key))
            row = found.first()
            if row is not None:
                return row.id
            row = WorkItemRow(
                key=key,
                claim_id=claim_id,
                queue=queue,
                title=title,
                reason=reason,
                due=due,
            )
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)

    def resolve_work_item(
        self, work_item_id: int, resolution: str, note: str = ""
    ) -> WorkItem:
        """Close a work item with a person's decision (a repeat changes nothing)."""

        def work(session: Session) -> WorkItem:
            row = session.get(WorkItemRow, work_item_id)
            if row is None:
                raise NotFoundError(f"no work item {work_item_id}")
            if row.status != "resolved":
                row.status, row.resolution, row.note = "resolved", resolution, note
                row.resolved_at = utcnow()
                session.add(row)
                session.add(
                    AuditEventRow(
                        claim_id=row.claim_id,
                        event="work_item_resolved",
                        detail=f"{row.queue} #{row.id}: {resolution}",
                    )
                )
                session.flush()
            return _item(row)

        return self._tx(work)

    def open_work_items(self, claim_id: int | None = None) -> list[WorkItem]:
        """Return open work items, oldest first (only the claim's if given)."""

        def work(session: Session) -> list[WorkItem]:
            statement = select(WorkItemRow).where(WorkItemRow.status == "open")
            if claim_id is not None:
                statement = statement.where(WorkItemRow.claim_id == claim_id)
            rows = session.exec(statement.order_by(WorkItemRow.id)).all()
            return [_item(row) for row in rows]

        return self._tx(work)

    def work_items(
        self, queue: str | None = None, include_resolved: bool = False
    ) -> list[WorkItem]:
        """Return work items oldest first: open ones, or all with ``include_resolved``.

        Args:
            queue: Only this queue's items (e.g. ``"Billing-Corrections"``).
            include_resolved: Resolved items too, with their resolution.
        """

        def work(session: Session) -> list[WorkItem]:
            statement = select(WorkItemRow)
            if not include_resolved:
                statement = statement.where(WorkItemRow.status == "open")
            if queue is not None:
                statement = statement.where(WorkItemRow.queue == queue)
            rows = session.exec(statement.order_by(WorkItemRow.id)).all()
            return [_item(row) for row in rows]

        return self._tx(work)
