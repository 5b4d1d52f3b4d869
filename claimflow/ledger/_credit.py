"""Patient credit: money a patient paid beyond what a claim asked of them.

A patient payment is journaled as ``patient_payment`` entries: the part that
the claim it names still had due goes on that claim; the rest (all of it when
the payment names no claim) has no claim and is the patient's unapplied
credit. Credit is spread over the patient's other open patient balances, the
oldest date of service first, each time by an explicit ``credit_applied``
entry on the claim it pays. Whatever is left stays credit, shown on the
statement, and is applied when the next patient balance is billed.

``credit_applied`` moves money already counted as paid by the patient: it
lowers a claim's patient due and the unapplied credit by the same amount, and
leaves the patient's balance as it is. ``overpayment_to_credit`` is the other
way round: when a reversal lowers a claim's patient share below what the
patient already paid on it, the excess leaves the claim and becomes credit.
``patient_refund`` gives unapplied credit back to the patient (a person's
decision, with a reason): it lowers the credit and raises the balance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger.rules import TO_PATIENT
from claimflow.ledger.tables import ClaimRow, EncounterRow, LedgerEntryRow
from claimflow.models import money

CREDIT_APPLIED = "credit_applied"
PATIENT_PAYMENT = "patient_payment"
OVERPAYMENT_TO_CREDIT = "overpayment_to_credit"
PATIENT_REFUND = "patient_refund"


def _total(entries: list[LedgerEntryRow], kinds: tuple[str, ...]) -> Decimal:
    # Summed in Python: SQLite would sum Numeric columns as floats.
    return money(sum((e.amount for e in entries if e.kind in kinds), Decimal(0)))


def due_from_entries(entries: list[LedgerEntryRow]) -> Decimal:
    """What the patient still owes on one claim, from that claim's entries."""
    return (
        _total(entries, TO_PATIENT)
        - _total(entries, (PATIENT_PAYMENT,))
        - _total(entries, (CREDIT_APPLIED,))
        + _total(entries, (OVERPAYMENT_TO_CREDIT,))
    )


def patient_due_on(session: Session, claim_id: int) -> Decimal:
    """What the patient still owes on a claim: moved, less paid and credit."""
    entries = session.exec(
        select(LedgerEntryRow).where(LedgerEntryRow.claim_id == claim_id)
    ).all()
    return due_from_entries(list(entries))


_CREDIT_KINDS = (
    PATIENT_PAYMENT,
    CREDIT_APPLIED,
    OVERPAYMENT_TO_CREDIT,
    PATIENT_REFUND,
)


def unapplied_credit(session: Session, patient_id: int) -> Decimal:
    """The patient's credit: money of theirs that pays no claim yet.

    Payments without a claim and overpayments moved off claims, less the
    credit applied to claims and the credit refunded to the patient.
    """
    entries = list(
        session.exec(
            select(LedgerEntryRow).where(
                LedgerEntryRow.patient_id == patient_id,
                LedgerEntryRow.kind.in_(_CREDIT_KINDS),
            )
        ).all()
    )
    unclaimed = [e for e in entries if e.claim_id is None]
    return (
        _total(unclaimed, (PATIENT_PAYMENT,))
        + _total(entries, (OVERPAYMENT_TO_CREDIT,))
        - _total(entries, (CREDIT_APPLIED, PATIENT_REFUND))
    )


def _claims_oldest_first(session: Session, patient_id: int) -> list[int]:
    return list(
        session.exec(
            select(ClaimRow.id)
            .join(EncounterRow, EncounterRow.id == ClaimRow.encounter_id)
            .where(ClaimRow.patient_id == patient_id)
            .order_by(EncounterRow.service_date, ClaimRow.id)
        ).all()
    )


def apply_patient_credit(
    ledger: LedgerBase, session: Session, patient_id: int, on: date
) -> list[tuple[int, Decimal]]:
    """Spread a patient's unapplied credit over their open patient balances.

    Claims are paid the oldest date of service first (the lower claim id first
    on the same day), each up to what is due on it.

    Returns:
        ``(claim_id, amount)`` of each application made now.
    """
    credit = unapplied_credit(session, patient_id)
    applied: list[tuple[int, Decimal]] = []
    for claim_id in _claims_oldest_first(session, patient_id):
        if credit <= 0:
            break
        entries = list(
            session.exec(
                select(LedgerEntryRow).where(LedgerEntryRow.claim_id == claim_id)
            ).all()
        )
        due = due_from_entries(entries)
        if due <= 0:
            continue
        amount = min(due, credit)
        number = sum(1 for e in entries if e.kind == CREDIT_APPLIED) + 1
        ledger._journal(
            session,
            f"credit-applied:{claim_id}:{number}",
            CREDIT_APPLIED,
            amount,
            claim_id=claim_id,
            patient_id=patient_id,
            reason="patient credit applied, oldest date of service first",
            effective_date=on,
        )
        applied.append((claim_id, amount))
        credit -= amount
    return applied


def overpayment_to_credit(
    ledger: LedgerBase, session: Session, claim_id: int, patient_id: int, on: date
) -> Decimal:
    """Move what the patient paid beyond a claim's patient share to credit.

    A reversal can lower the share after the patient paid it; the excess is
    theirs, so it leaves the claim (one ``overpayment_to_credit`` entry) and
    pays their other open balances as any credit does.

    Returns:
        The amount moved now (zero when the claim is not overpaid).
    """
    entries = list(
        session.exec(
            select(LedgerEntryRow).where(LedgerEntryRow.claim_id == claim_id)
        ).all()
    )
    excess = -due_from_entries(entries)
    if excess <= 0:
        return Decimal("0.00")
    number = sum(1 for e in entries if e.kind == OVERPAYMENT_TO_CREDIT) + 1
    ledger._journal(
        session,
        f"overpayment-to-credit:{claim_id}:{number}",
        OVERPAYMENT_TO_CREDIT,
        excess,
        claim_id=claim_id,
        patient_id=patient_id,
        reason="patient paid more than their share after a reversal",
        effective_date=on,
    )
    apply_patient_credit(ledger, session, patient_id, on)
    return excess


def claims_settled_by_credit(
    session: Session, patient_id: int, after_entry_id: int
) -> list[int]:
    """Claims whose patient share credit paid off after a given journal entry.

    A claim counts when a ``credit_applied`` entry newer than ``after_entry_id``
    is on it and nothing is due on it now. The answer does not depend on when
    it is asked, so a retried caller finds the same claims.
    """
    credited = session.exec(
        select(LedgerEntryRow.claim_id)
        .where(
            LedgerEntryRow.patient_id == patient_id,
            LedgerEntryRow.kind == CREDIT_APPLIED,
            LedgerEntryRow.id > after_entry_id,
        )
        .order_by(LedgerEntryRow.id)
    ).all()
    return [
        claim_id
        for claim_id in dict.fromkeys(credited)
        if patient_due_on(session, claim_id) == 0
    ]
