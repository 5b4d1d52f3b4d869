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
leaves the patient's balance as it is.
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


def _total(entries: list[LedgerEntryRow], kinds: tuple[str, ...]) -> Decimal:
    # Summed in Python: SQLite would sum Numeric columns as floats.
    return money(sum((e.amount for e in entries if e.kind in kinds), Decimal(0)))


def due_from_entries(entries: list[LedgerEntryRow]) -> Decimal:
    """What the patient still owes on one claim, from that claim's entries."""
    return (
        _total(entries, TO_PATIENT)
        - _total(entries, (PATIENT_PAYMENT,))
        - _total(entries, (CREDIT_APPLIED,))
    )


def patient_due_on(session: Session, claim_id: int) -> Decimal:
    """What the patient still owes on a claim: moved, less paid and credit."""
    entries = session.exec(
        select(LedgerEntryRow).where(LedgerEntryRow.claim_id == claim_id)
    ).all()
    return due_from_entries(list(entries))


def unapplied_credit(session: Session, patient_id: int) -> Decimal:
    """Payments without a claim less the credit already applied to claims."""
    entries = session.exec(
        select(LedgerEntryRow).where(
            LedgerEntryRow.patient_id == patient_id,
            LedgerEntryRow.kind.in_((PATIENT_PAYMENT, CREDIT_APPLIED)),
        )
    ).all()
    unclaimed = [e for e in entries if e.claim_id is None]
    return _total(unclaimed, (PATIENT_PAYMENT,)) - _total(
        list(entries), (CREDIT_APPLIED,)
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
