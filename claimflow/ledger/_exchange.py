"""Outbound submissions, inbound files and acknowledgments."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import _version_row
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import ControlNumbers, InboundFileInfo, SubmissionInfo
from claimflow.ledger.tables import (
    AcknowledgmentRow,
    AuditEventRow,
    InboundFileRow,
    SubmissionBatchRow,
    SubmissionRow,
    utcnow,
)
from claimflow.models import ClaimAcknowledgment, patient_control_number


def _same(column: Any, value: str | None) -> Any:
    """``column = value`` that also matches NULL to None."""
    return column.is_(None) if value is None else column == value


def _submission_info(row: SubmissionRow) -> SubmissionInfo:
    return SubmissionInfo(
        submission_id=row.id,
        claim_id=row.claim_id,
        version=row.version,
        idempotency_key=row.idempotency_key,
        patient_control_number=patient_control_number(row.claim_id, row.version),
        interchange_control_number=row.interchange_control_number,
        group_control_number=row.group_control_number,
        transaction_control_number=row.transaction_control_number,
        status=row.status,
        receipt_id=row.receipt_id,
        sent_at=row.sent_at,
    )


def _batch_info(row: SubmissionRow, batch: SubmissionBatchRow) -> SubmissionInfo:
    """A claim version's submission, with the control numbers it travels under."""
    return _submission_info(row).model_copy(
        update={
            "interchange_control_number": batch.interchange_control_number,
            "group_control_number": batch.group_control_number,
            "transaction_control_number": batch.transaction_control_number,
        }
    )


def _file_info(row: InboundFileRow) -> InboundFileInfo:
    return InboundFileInfo(
        file_id=row.id,
        name=row.name,
        kind=row.kind,
        sha256=row.sha256,
        status=row.status,
        quarantine_reason=row.quarantine_reason,
        received_at=row.received_at,
    )


class ExchangeMixin(LedgerBase):
    """Submissions out, files and acknowledgments in."""

    # ------------------------------------------------------------- submissions

    def prepare_submission(
        self, claim_id: int, version: int, idempotency_key: str
    ) -> SubmissionInfo:
        """Allocate control numbers for sending a claim version, once per key.

        Control numbers come from counters and are never reused, even when a
        prepared submission is never sent.

        Args:
            claim_id: The claim.
            version: The version to send.
            idempotency_key: The caller's key; the same key returns the same
                submission and control numbers.

        Returns:
            The submission with its ISA13, GS06 and ST02.
        """

        def work(session: Session) -> SubmissionInfo:
            found = session.exec(
                select(SubmissionRow).where(
                    SubmissionRow.idempotency_key == idempotency_key
                )
            ).first()
            if found is not None:
                if (found.claim_id, found.version) != (claim_id, version):
                    raise ValueError(
                        f"idempotency key {idempotency_key!r} belongs to claim "
                        f"{found.claim_id} version {found.version}"
                    )
                return _submission_info(found)
            _version_row(session, claim_id, version)
            numbers = self._control_numbers(session)
            row = SubmissionRow(
                claim_id=claim_id,
                version=version,
                idempotency_key=idempotency_key,
                interchange_control_number=numbers.interchange,
                group_control_number=numbers.group,
                transaction_control_number=numbers.transaction,
            )
            session.add(row)
            session.flush()
            return _submission_info(row)

        return self._tx(work)

    def allocate_control_numbers(self) -> ControlNumbers:
        """Take fresh ISA13/GS06/ST02 values (for 270s, 276s; never reused)."""
        return self._tx(self._control_numbers)

    def _control_numbers(self, session: Session) -> ControlNumbers:
        return ControlNumbers(
            interchange=f"{self._next_counter(session, 'interchange'):09d}",
            group=str(self._next_counter(session, "group")),
            transaction=f"{self._next_counter(session, 'transaction'):04d}",
        )

    def submissions_for_transaction(
        self, transaction_control_number: str
    ) -> list[SubmissionInfo]:
        """Return the submissions sent under an ST02 (what a 999 acknowledges).

        A batch's ST02 names every claim version that went out in it.
        """

        def work(session: Session) -> list[SubmissionInfo]:
            rows = session.exec(
                select(SubmissionRow)
                .where(
                    SubmissionRow.transaction_control_number
                    == transaction_control_number,
                    SubmissionRow.batch_id.is_(None),
                )
                .order_by(SubmissionRow.id)
            ).all()
            return [_submission_info(row) for row in rows]

        alone = self._tx(work)
        return alone or self.batch_submissions_for_transaction(
            transaction_control_number
        )

    def mark_submission_sent(
        self, submission_id: int, receipt_id: str, content: str
    ) -> SubmissionInfo:
        """Record that a submission went out, with the clearinghouse receipt.

        A repeat with the same receipt changes nothing.
        """

        def work(session: Session) -> SubmissionInfo:
            row = session.get(SubmissionRow, submission_id)
            if row is None:
                raise NotFoundError(f"no submission {submission_id}")
            if row.status != "sent":
                row.status, row.receipt_id, row.content = "sent", receipt_id, content
                row.sent_at = utcnow()
                session.add(row)
                session.add(
                    AuditEventRow(
                        claim_id=row.claim_id,
                        event="submitted",
                        detail=f"version {row.version}, ST02 "
                        f"{row.transaction_control_number}, receipt {receipt_id}",
                    )
                )
                session.flush()
            return _submission_info(row)

        return self._tx(work)

    def submission_for(self, claim_id: int, version: int) -> SubmissionInfo | None:
        """Return the latest submission of a claim version, if any.

        A version sent in a batch carries the batch's control numbers.
        """

        def work(session: Session) -> SubmissionInfo | None:
            row = session.exec(
                select(SubmissionRow)
                .where(
                    SubmissionRow.claim_id == claim_id,
                    SubmissionRow.version == version,
                )
                .order_by(SubmissionRow.id.desc())
            ).first()
            if row is None:
                return None
            if row.batch_id is None:
                return _submission_info(row)
            return _batch_info(row, session.get(SubmissionBatchRow, row.batch_id))

        return self._tx(work)

    # ------------------------------------------------------------- inbound files

    def store_inbound_file(
        self, name: str, kind: str, content: bytes
    ) -> tuple[int, bool]:
        """Keep an inbound file (999, 277CA, 835, ...) unless seen before.

        Args:
            name: The file name as received (not used for duplicate checks).
            kind: What the file is, e.g. ``"835"``.
            content: The raw bytes, kept as received.

        Returns:
            ``(file_id, is_duplicate)``; a duplicate (same SHA-256) returns the
            first copy's id.
        """
        digest = hashlib.sha256(content).hexdigest()

        def work(session: Session) -> tuple[int, bool]:
            found = session.exec(
                select(InboundFileRow).where(InboundFileRow.sha256 == digest)
            ).first()
            if found is not None:
                return found.id, True
            row = InboundFileRow(name=name, kind=kind, sha256=digest, content=content)
            session.add(row)
            session.flush()
            return row.id, False

        return self._tx(work)

    def inbound_file_content(self, file_id: int) -> bytes:
        """Return the raw bytes of an inbound file."""

        def work(session: Session) -> bytes:
            row = session.get(InboundFileRow, file_id)
            if row is None:
                raise NotFoundError(f"no inbound file {file_id}")
            return row.content

        return self._tx(work)

    def inbound_file(self, file_id: int) -> InboundFileInfo:
        """Return an inbound file as listed for people (when and how received)."""

        def work(session: Session) -> InboundFileInfo:
            row = session.get(InboundFileRow, file_id)
            if row is None:
                raise NotFoundError(f"no inbound file {file_id}")
            return _file_info(row)

        return self._tx(work)

    def quarantine_file(self, file_id: int, reason: str) -> None:
        """Set a file aside with the reason it could not be processed."""

        def work(session: Session) -> None:
            row = session.get(InboundFileRow, file_id)
            if row is None:
                raise NotFoundError(f"no inbound file {file_id}")
            row.status, row.quarantine_reason = "quarantined", reason
            session.add(row)

        self._tx(work)

    def list_quarantine(self) -> list[InboundFileInfo]:
        """Return quarantined files, oldest first."""

        def work(session: Session) -> list[InboundFileInfo]:
            rows = session.exec(
                select(InboundFileRow)
                .where(InboundFileRow.status == "quarantined")
                .order_by(InboundFileRow.id)
            ).all()
            return [_file_info(row) for row in rows]

        return self._tx(work)

    # ------------------------------------------------------------- acknowledgments

    def record_acknowledgment(
        self, claim_id: int | None, ack: ClaimAcknowledgment, file_id: int
    ) -> int:
        """Keep a 999 or 277CA outcome (once per file and claim); return its id."""

        def work(session: Session) -> int:
            found = session.exec(
                select(AcknowledgmentRow).where(
                    AcknowledgmentRow.file_id == file_id,
                    AcknowledgmentRow.kind == ack.kind.value,
                    _same(
                        AcknowledgmentRow.patient_control_number,
                        ack.patient_control_number,
                    ),
                    _same(
                        AcknowledgmentRow.transaction_control_number,
                        ack.transaction_control_number,
                    ),
                )
            ).first()
            if found is not None:
                return found.id
            row = AcknowledgmentRow(
                claim_id=claim_id,
                file_id=file_id,
                kind=ack.kind.value,
                accepted=ack.accepted,
                patient_control_number=ack.patient_control_number,
                transaction_control_number=ack.transaction_control_number,
                payer_claim_number=ack.payer_claim_number,
                status_codes=list(ack.status_codes),
                message=ack.message,
            )
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)
