"""Balances, patient billing, write-offs and patient payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import _claim_row
from claimflow.ledger._credit import (
    OVERPAYMENT_TO_CREDIT,
    PATIENT_REFUND,
    apply_patient_credit,
    claims_settled_by_credit,
    due_from_entries,
    overpayment_to_credit,
    patient_due_on,
    unapplied_credit,
)
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import ClaimBalance
from claimflow.ledger.rules import (
    ADJUSTED,
    BILLED,
    PAID,
    RECOUPED,
    TO_PATIENT,
    TO_SECONDARY,
)
from claimflow.ledger.tables import (
    AuditEventRow,
    LedgerEntryRow,
    PatientRow,
    PatientStatementRow,
    RemitClaimRow,
    utcnow,
)
from claimflow.models import money


def _sum(entries: list[LedgerEntryRow], kinds: tuple[str, ...]) -> Decimal:
    return money(sum((e.amount for e in entries if e.kind in kinds), Decimal(0)))


def _claim_entries(
    session: Session, claim_ids: list[int] | None
) -> list[LedgerEntryRow]:
    statement = select(LedgerEntryRow).where(LedgerEntryRow.claim_id.is_not(None))
    if claim_ids is not None:
        statement = statement.where(LedgerEntryRow.claim_id.in_(claim_ids))
    return list(session.exec(statement).all())


def _balance(entries: list[LedgerEntryRow]) -> ClaimBalance:
    # Money is summed in Python: SQLite would sum Numeric columns as floats.
    billed = _sum(entries, BILLED)
    paid = _sum(entries, PAID) - _sum(entries, RECOUPED)
    adjusted, patient = _sum(entries, ADJUSTED), _sum(entries, TO_PATIENT)
    return ClaimBalance(
        billed=billed,
        paid=paid,
        adjusted=adjusted,
        patient_responsibility=patient,
        outstanding=billed - paid - adjusted - patient,
    )


def _patient_entry(session: Session, patient_id: int, key: str) -> int | None:
    """The id of the patient's entry recorded under ``key`` before, if any."""
    if session.get(PatientRow, patient_id) is None:
        raise NotFoundError(f"no patient {patient_id}")
    return session.exec(
        select(LedgerEntryRow.id).where(LedgerEntryRow.entry_key == key)
    ).first()


def _count(entries: list[LedgerEntryRow], kind: str) -> int:
    return sum(1 for e in entries if e.kind == kind)


class MoneyMixin(LedgerBase):
    """Claim balances and what moves money after the payer has paid."""

    def claim_balance(self, claim_id: int) -> ClaimBalance:
        """Return a claim's balance from the journal.

        ``billed = paid + adjusted + patient_responsibility + outstanding``,
        where ``paid`` is payer payments less PLB WO recoupments of this
        claim, ``adjusted`` is CO/OA/PI adjustments plus write-offs and
        ``patient_responsibility`` is what has been moved to the patient.
        """

        def work(session: Session) -> ClaimBalance:
            _claim_row(session, claim_id)
            return _balance(_claim_entries(session, [claim_id]))

        return self._tx(work)

    def totals(self, claim_ids: list[int] | None = None) -> ClaimBalance:
        """Return the balances of the given claims (all claims if None) summed."""
        return self._tx(lambda session: _balance(_claim_entries(session, claim_ids)))

    def paid_by_claims_payer(self, claim_id: int) -> Decimal:
        """Return what this claim's own payer paid on it, by its 835s.

        On a secondary claim the account's ``paid`` is every payer's money
        (the primary's and the secondary's): this is the secondary payer's
        part alone, its payments less any it reversed, so that a person reads
        what each payer paid and not their sum.
        """

        def work(session: Session) -> Decimal:
            _claim_row(session, claim_id)
            paid = session.exec(
                select(LedgerEntryRow.amount)
                .join(
                    RemitClaimRow,
                    RemitClaimRow.id == LedgerEntryRow.remit_claim_id,
                )
                .where(
                    RemitClaimRow.claim_id == claim_id,
                    LedgerEntryRow.kind.in_(PAID),
                )
            ).all()
            return money(sum(paid, Decimal(0)))

        return self._tx(work)

    def bill_patient(self, claim_id: int, on: date | None = None) -> Decimal:
        """Move the patient responsibility of a claim to the patient's balance.

        Whatever the payers assessed as PR and has not been moved yet is moved
        (a later reversal can take part of it back, never below zero); PR that
        went on to a secondary payer (``start_secondary``) is not the
        patient's. When a reversal leaves the patient having paid more than
        their share, the excess becomes their credit. The claim's statement
        line holds the total moved. ``on`` is the business date of the move
        (today when not given).

        Returns:
            The total moved to the patient for this claim (the same on a repeat).
        """

        def work(session: Session) -> Decimal:
            claim = _claim_row(session, claim_id)
            entries = _claim_entries(session, [claim_id])
            assessed = _sum(entries, ("pr_assessed",)) - _sum(entries, TO_SECONDARY)
            # The patient's share is never negative, whatever the payers undo.
            assessed = max(assessed, Decimal("0.00"))
            moved = _sum(entries, TO_PATIENT)
            if assessed != moved:
                number = _count(entries, "transfer_to_patient") + 1
                self._journal(
                    session,
                    f"bill-patient:{claim_id}:{number}",
                    "transfer_to_patient",
                    assessed - moved,
                    claim_id=claim_id,
                    patient_id=claim.patient_id,
                    effective_date=on or utcnow().date(),
                )
                # Credit the patient already has pays the new balance; what
                # they paid beyond a lowered share becomes credit.
                apply_patient_credit(
                    self, session, claim.patient_id, on or utcnow().date()
                )
                overpayment_to_credit(
                    self, session, claim_id, claim.patient_id, on or utcnow().date()
                )
            statement = session.exec(
                select(PatientStatementRow).where(
                    PatientStatementRow.claim_id == claim_id
                )
            ).first()
            if statement is None and not assessed:
                return assessed
            statement = statement or PatientStatementRow(
                patient_id=claim.patient_id, claim_id=claim_id, amount=Decimal(0)
            )
            if statement.id is None or statement.amount != assessed:
                statement.amount, statement.updated_at = assessed, utcnow()
                session.add(statement)
                session.add(
                    AuditEventRow(
                        claim_id=claim_id,
                        event="patient_billed",
                        detail=f"statement line {assessed}",
                    )
                )
            return assessed

        return self._tx(work)

    def write_off(self, claim_id: int, reason: str, on: date | None = None) -> Decimal:
        """Write off what is still outstanding on a claim, with a reason.

        Only an amount owed is written off; a credit balance (overpayment) is
        left for a refund.

        Args:
            claim_id: The claim.
            reason: Why, in plain words (kept on the journal entry).
            on: The business date of the write-off (today when not given).

        Returns:
            The total written off on this claim (the same on a repeat).
        """

        def work(session: Session) -> Decimal:
            _claim_row(session, claim_id)
            entries = _claim_entries(session, [claim_id])
            outstanding = max(_balance(entries).outstanding, Decimal("0.00"))
            if outstanding:
                number = _count(entries, "write_off") + 1
                self._journal(
                    session,
                    f"write-off:{claim_id}:{number}",
                    "write_off",
                    outstanding,
                    claim_id=claim_id,
                    reason=reason,
                    effective_date=on or utcnow().date(),
                )
                session.add(
                    AuditEventRow(
                        claim_id=claim_id,
                        event="written_off",
                        detail=f"{outstanding}: {reason}",
                    )
                )
            return _sum(entries, ("write_off",)) + outstanding

        return self._tx(work)

    def record_patient_payment(
        self,
        patient_id: int,
        amount: Decimal,
        reference: str,
        claim_id: int | None = None,
        received_on: date | None = None,
    ) -> int:
        """Record a payment by the patient, once per reference; return entry id.

        The payment reduces the patient's balance (``patient_balance``). When
        ``claim_id`` is given it pays what is due on that claim
        (``patient_due``) first; whatever is more than that, or the whole
        payment when no claim is named, becomes the patient's credit, which is
        applied at once to their other open patient balances, the oldest date
        of service first, by ``credit_applied`` entries (see
        ``claimflow.ledger._credit``). Credit left over shows on the statement.
        A payment does not change ``claim_balance``: the claim's share left
        the claim when ``bill_patient`` moved it to the patient.

        Args:
            patient_id: The ledger's patient id.
            amount: The amount received.
            reference: The payment's own reference (receipt, portal id); a
                second call with the same reference records nothing.
            claim_id: The claim the patient is paying, if they named one.
            received_on: The payment's business date (today when not given).

        Raises:
            ValueError: The amount is zero or less (a refund is
                ``refund_patient_credit``, a correction a reversing entry).
        """
        if money(amount) <= 0:
            raise ValueError(
                f"patient payment {reference!r} of patient {patient_id}: amount "
                f"{amount} must be more than zero"
            )

        def work(session: Session) -> int:
            key = f"patient-payment:{patient_id}:{reference}"
            found = _patient_entry(session, patient_id, key)
            if found is not None:
                return found
            if claim_id is not None:
                _claim_row(session, claim_id)
            on = received_on or utcnow().date()
            total = money(amount)
            due = patient_due_on(session, claim_id) if claim_id is not None else 0
            on_claim = min(total, max(due, Decimal("0.00")))
            # The part for the named claim keeps the payment's own key; the
            # rest is credit (the whole payment when nothing is due there).
            parts = {key: (claim_id, on_claim)} if on_claim else {}
            if total - on_claim or not on_claim:
                credit_key = f"{key}:credit" if on_claim else key
                parts[credit_key] = (None, total - on_claim)
            for part_key, (target, part) in parts.items():
                self._journal(
                    session,
                    part_key,
                    "patient_payment",
                    part,
                    patient_id=patient_id,
                    claim_id=target,
                    reason=reference,
                    effective_date=on,
                )
            apply_patient_credit(self, session, patient_id, on)
            return session.exec(
                select(LedgerEntryRow.id).where(LedgerEntryRow.entry_key == key)
            ).one()

        return self._tx(work)

    def patient_due(self, claim_id: int) -> Decimal:
        """Return what the patient still owes on a claim.

        That is the amount moved to the patient less the patient payments
        recorded against this claim and the patient credit applied to it.
        """

        def work(session: Session) -> Decimal:
            _claim_row(session, claim_id)
            return due_from_entries(_claim_entries(session, [claim_id]))

        return self._tx(work)

    def patient_balance(self, patient_id: int) -> Decimal:
        """Return what a patient owes: amounts moved to them less payments."""

        def work(session: Session) -> Decimal:
            entries = session.exec(
                select(LedgerEntryRow).where(LedgerEntryRow.patient_id == patient_id)
            ).all()
            owed = _sum(list(entries), TO_PATIENT) + _sum(
                list(entries), (PATIENT_REFUND,)
            )
            return owed - _sum(list(entries), ("patient_payment",))

        return self._tx(work)

    def refund_patient_credit(
        self,
        patient_id: int,
        amount: Decimal,
        reason: str,
        reference: str,
        on: date | None = None,
    ) -> int:
        """Give unapplied credit back to the patient; return the entry id.

        The refund is one ``patient_refund`` entry on the patient (no claim):
        it lowers their credit and raises their balance by the amount. Only
        credit not applied to any claim can be refunded.

        Args:
            patient_id: The ledger's patient id.
            amount: The amount refunded, more than zero.
            reason: Why, in plain words (kept on the entry); required.
            reference: The refund's own reference (check number, card
                refund id); a second call with it records nothing.
            on: The refund's business date (today when not given).

        Raises:
            ValueError: No reason, an amount of zero or less, or more than
                the patient's unapplied credit.
            NotFoundError: No such patient.
        """
        if not reason.strip():
            raise ValueError(f"refund {reference!r}: a reason is required")
        if money(amount) <= 0:
            raise ValueError(
                f"refund {reference!r}: amount {amount} must be more than zero"
            )

        def work(session: Session) -> int:
            key = f"patient-refund:{patient_id}:{reference}"
            found = _patient_entry(session, patient_id, key)
            if found is not None:
                return found
            credit = unapplied_credit(session, patient_id)
            if money(amount) > credit:
                raise ValueError(
                    f"refund {reference!r}: {money(amount)} is more than patient "
                    f"{patient_id}'s unapplied credit of {credit}"
                )
            return self._journal(
                session,
                key,
                PATIENT_REFUND,
                money(amount),
                patient_id=patient_id,
                reason=reason.strip(),
                effective_date=on or utcnow().date(),
            ).id

        return self._tx(work)

    def overpayment_credit(self, claim_id: int) -> tuple[int, list[int]] | None:
        """Return the claim's latest overpayment moved to credit, and what it paid.

        ``bill_patient`` moves what the patient paid beyond a lowered share to
        credit, which pays the patient's other open balances. Answers the
        ``overpayment_to_credit`` entry's id and the other claims its credit
        paid off (as ``claims_settled_by_credit``), or None when the claim was
        never overpaid.
        """

        def work(session: Session) -> tuple[int, list[int]] | None:
            claim = _claim_row(session, claim_id)
            latest = session.exec(
                select(LedgerEntryRow.id)
                .where(
                    LedgerEntryRow.claim_id == claim_id,
                    LedgerEntryRow.kind == OVERPAYMENT_TO_CREDIT,
                )
                .order_by(LedgerEntryRow.id.desc())
            ).first()
            if latest is None:
                return None
            settled = claims_settled_by_credit(session, claim.patient_id, latest)
            return latest, [c for c in settled if c != claim_id]

        return self._tx(work)

    def claims_settled_by_credit(
        self, patient_id: int, after_entry_id: int
    ) -> list[int]:
        """Return the claims patient credit paid off after a journal entry.

        Pass the id ``record_patient_payment`` returned to learn which of the
        patient's other claims that payment's credit settled (see
        ``claimflow.ledger._credit.claims_settled_by_credit``).
        """
        return self._tx(
            lambda session: claims_settled_by_credit(
                session, patient_id, after_entry_id
            )
        )
