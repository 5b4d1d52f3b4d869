"""After the payer: patient statements and the claim for the next payer."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import _claim_row, _rebuild, _version_row
from claimflow.ledger._credit import (
    CREDIT_APPLIED,
    PATIENT_PAYMENT,
    due_from_entries,
    unapplied_credit,
)
from claimflow.ledger._money import _sum
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import PatientStatement, StatementLine
from claimflow.ledger.rules import ADJUSTED, PAID, RECOUPED, REVERSAL, TO_PATIENT
from claimflow.ledger.tables import (
    ClaimRow,
    CoverageRow,
    EncounterRow,
    LedgerEntryRow,
    PatientRow,
    PayerRow,
    RemitClaimRow,
)
from claimflow.models import Claim, Coverage, RemitClaim, money
from claimflow.x12 import build_secondary_claim

_NEXT_PRIORITY = {"primary": "secondary", "secondary": "tertiary"}


def _statement_line(
    claim_id: int, service_date: date, entries: list[LedgerEntryRow]
) -> StatementLine:
    return StatementLine(
        claim_id=claim_id,
        service_date=service_date,
        billed=_sum(entries, ("charge", "charge_adjustment")),
        payer_paid=_sum(entries, PAID) - _sum(entries, RECOUPED),
        adjusted=_sum(entries, ADJUSTED),
        patient_responsibility=_sum(entries, TO_PATIENT),
        patient_paid=_sum(entries, (PATIENT_PAYMENT,)),
        credit_applied=_sum(entries, (CREDIT_APPLIED,)),
        due=due_from_entries(entries),
    )


def latest_primary_remit(session: Session, claim_id: int) -> RemitClaimRow | None:
    """The claim's latest posted adjudication that no reversal has taken back."""
    rows = session.exec(
        select(RemitClaimRow)
        .where(
            RemitClaimRow.claim_id == claim_id,
            RemitClaimRow.posted_at.is_not(None),
        )
        .order_by(RemitClaimRow.id)
    ).all()
    reversed_ids = {row.reverses_id for row in rows if row.status_code == REVERSAL}
    standing = [
        row
        for row in rows
        if row.status_code != REVERSAL and row.id not in reversed_ids
    ]
    return standing[-1] if standing else None


def _active(row: CoverageRow, on: date) -> bool:
    return (row.start is None or row.start <= on) and (row.end is None or on <= row.end)


class PatientsMixin(LedgerBase):
    """Statements per patient; the claim for the patient's next payer."""

    def patient_statement(self, patient_id: int) -> PatientStatement:
        """Return a patient's statement: each claim billed to them and the total.

        A line per claim with an amount moved to the patient or a patient
        payment against it: billed, what the payers paid, adjustments, the
        patient's share, what the patient paid on it, the patient credit
        applied to it and what is still due. Credit not applied to any claim
        yet (``unapplied_payments``) reduces the total.

        Args:
            patient_id: The ledger's patient id.

        Returns:
            The statement; ``total_due`` equals ``patient_balance(patient_id)``.
        """

        def work(session: Session) -> PatientStatement:
            if session.get(PatientRow, patient_id) is None:
                raise NotFoundError(f"no patient {patient_id}")
            claims = session.exec(
                select(ClaimRow.id, EncounterRow.service_date)
                .join(EncounterRow, EncounterRow.id == ClaimRow.encounter_id)
                .where(ClaimRow.patient_id == patient_id)
                .order_by(EncounterRow.service_date, ClaimRow.id)
            ).all()
            by_claim: dict[int, list[LedgerEntryRow]] = defaultdict(list)
            ids = [claim_id for claim_id, _ in claims]
            for entry in session.exec(
                select(LedgerEntryRow).where(LedgerEntryRow.claim_id.in_(ids))
            ).all():
                by_claim[entry.claim_id].append(entry)
            lines = [
                _statement_line(claim_id, service_date, by_claim[claim_id])
                for claim_id, service_date in claims
                if any(
                    e.kind in (*TO_PATIENT, PATIENT_PAYMENT, CREDIT_APPLIED)
                    for e in by_claim[claim_id]
                )
            ]
            credit = unapplied_credit(session, patient_id)
            return PatientStatement(
                patient_id=patient_id,
                lines=lines,
                unapplied_payments=credit,
                total_due=money(sum((line.due for line in lines), Decimal(0))) - credit,
            )

        return self._tx(work)

    def secondary_claim(self, claim_id: int) -> Claim | None:
        """Return the claim for the patient's next payer, once the primary posted.

        The next payer is the patient's coverage one priority down from the
        claim's (secondary after primary, tertiary after secondary) that is
        active on the date of service. The claim carries the payer's latest
        posted adjudication that no reversal has taken back (see
        ``claimflow.x12.build_secondary_claim``). Nothing is saved.

        Args:
            claim_id: The claim billed to the primary payer.

        Returns:
            The claim to send to the next payer, or None when there is no
            next coverage or no posted adjudication yet.

        Raises:
            X12BuildError: An 835 service line matches no line of the claim.
        """

        def work(session: Session) -> Claim | None:
            claim = _claim_row(session, claim_id)
            remit = latest_primary_remit(session, claim_id)
            if remit is None:
                return None
            primary = _rebuild(session, _version_row(session, claim_id, remit.version))
            wanted = _NEXT_PRIORITY.get(primary.coverage.priority)
            found = [
                row
                for row in session.exec(
                    select(CoverageRow)
                    .where(
                        CoverageRow.patient_id == claim.patient_id,
                        CoverageRow.priority == wanted,
                    )
                    .order_by(CoverageRow.id)
                ).all()
                if _active(row, primary.from_date)
            ]
            if not found:
                return None
            row = found[-1]
            payer = session.get(PayerRow, row.payer_id)
            coverage = Coverage(
                payer_name=payer.name,
                **row.model_dump(exclude={"id", "patient_id"}),
            )
            return build_secondary_claim(
                primary, RemitClaim.model_validate(remit.content), coverage
            )

        return self._tx(work)

    def patient_credit(self, patient_id: int) -> Decimal:
        """Return the patient's credit not applied to any claim yet."""

        def work(session: Session) -> Decimal:
            if session.get(PatientRow, patient_id) is None:
                raise NotFoundError(f"no patient {patient_id}")
            return unapplied_credit(session, patient_id)

        return self._tx(work)
