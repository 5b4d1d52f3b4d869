"""Submission batches: one interchange, shared control numbers, sent once."""

from __future__ import annotations

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import _version_row
from claimflow.ledger._exchange import _batch_info as _info
from claimflow.ledger.results import SubmissionInfo
from claimflow.ledger.tables import SubmissionBatchRow, SubmissionRow, utcnow


class BatchMixin(LedgerBase):
    """Several claim versions in one 837 interchange."""

    def prepare_batch_submission(
        self, batch_key: str, entries: list[tuple[int, int, str]]
    ) -> list[SubmissionInfo]:
        """Give a batch its control numbers and its claims their submissions, once.

        Args:
            batch_key: The transmission's key; the same key returns the same
                batch and control numbers.
            entries: ``(claim_id, version, idempotency_key)`` per claim version.

        Returns:
            One submission per entry, in order, each carrying the batch's ISA13,
            GS06 and ST02 (what the 999 acknowledges).

        Raises:
            ValueError: A claim's key already went out in another batch.
        """

        def work(session: Session) -> list[SubmissionInfo]:
            batch = session.exec(
                select(SubmissionBatchRow).where(
                    SubmissionBatchRow.batch_key == batch_key
                )
            ).first()
            if batch is None:
                batch = SubmissionBatchRow(
                    batch_key=batch_key,
                    interchange_control_number=(
                        f"{self._next_counter(session, 'interchange'):09d}"
                    ),
                    group_control_number=str(self._next_counter(session, "group")),
                    transaction_control_number=(
                        f"{self._next_counter(session, 'transaction'):04d}"
                    ),
                )
                session.add(batch)
                session.flush()
            found = []
            for claim_id, version, key in entries:
                row = session.exec(
                    select(SubmissionRow).where(SubmissionRow.idempotency_key == key)
                ).first()
                if row is None:
                    _version_row(session, claim_id, version)
                    row = SubmissionRow(
                        claim_id=claim_id,
                        version=version,
                        idempotency_key=key,
                        interchange_control_number=(
                            f"{self._next_counter(session, 'interchange'):09d}"
                        ),
                        group_control_number=str(self._next_counter(session, "group")),
                        transaction_control_number=(
                            f"{self._next_counter(session, 'transaction'):04d}"
                        ),
                        batch_id=batch.id,
                    )
                    session.add(row)
                    session.flush()
                elif row.batch_id != batch.id:
                    raise ValueError(
                        f"submission {key!r} belongs to another batch already"
                    )
                found.append(_info(row, batch))
            return found

        return self._tx(work)

    def mark_batch_sent(self, batch_key: str, receipt_id: str, content: str) -> None:
        """Record that a batch's interchange went out; its claims with it.

        Claim versions left out of the interchange (``leave_out``) stay prepared.
        """

        def work(session: Session) -> None:
            batch = session.exec(
                select(SubmissionBatchRow).where(
                    SubmissionBatchRow.batch_key == batch_key
                )
            ).one()
            if batch.status == "sent":
                return
            now = utcnow()
            batch.status, batch.receipt_id, batch.content = "sent", receipt_id, content
            batch.sent_at = now
            session.add(batch)
            rows = session.exec(
                select(SubmissionRow).where(
                    SubmissionRow.batch_id == batch.id,
                    SubmissionRow.status != "left_out",
                )
            ).all()
            for row in rows:
                row.status, row.receipt_id, row.sent_at = "sent", receipt_id, now
                session.add(row)

        self._tx(work)

    def leave_out_of_batch(self, submission_id: int, reason: str) -> None:
        """Keep a claim version out of its batch's interchange, saying why."""

        def work(session: Session) -> None:
            row = session.get(SubmissionRow, submission_id)
            if row is not None and row.status == "prepared":
                row.status = "left_out"
                row.content = reason
                session.add(row)

        self._tx(work)

    def batch_submissions_for_transaction(
        self, transaction_control_number: str
    ) -> list[SubmissionInfo]:
        """The claim versions of the batch sent under an ST02 (for a 999)."""

        def work(session: Session) -> list[SubmissionInfo]:
            batch = session.exec(
                select(SubmissionBatchRow).where(
                    SubmissionBatchRow.transaction_control_number
                    == transaction_control_number
                )
            ).first()
            if batch is None:
                return []
            rows = session.exec(
                select(SubmissionRow)
                .where(
                    SubmissionRow.batch_id == batch.id,
                    SubmissionRow.status == "sent",
                )
                .order_by(SubmissionRow.id)
            ).all()
            return [_info(row, batch) for row in rows]

        return self._tx(work)
