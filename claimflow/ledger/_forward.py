"""Forward balances (PLB ``FB``): money one 835 carries over to a later one.

A payer whose deposit would go below zero (or who releases money it held back)
writes the difference as an ``FB`` pair and settles it in a later 835 with an
``FB`` pair of the opposite amount under the same reference (PLB03-2). Each
``FB`` pair is journaled on the provider's forward-balance account (entry kind
``forward_balance``, no claim).

Pairs of the same provider and reference are matched in the order they were
journaled: a forward balance opens with a pair journaled while nothing was open
under that reference, takes every later pair, and is settled when its pairs
net to zero. A payer may settle it over several 835s. An open forward balance
has a ``provider_suspense`` work item, resolved when it is settled; the list
of forward balances is read from the journal, so it needs no column of its own.

An ``FB`` without a reference can never be matched by a later 835: it opens a
forward balance of its own that a person has to settle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from claimflow.ledger._work import resolve_open_item
from claimflow.ledger.results import ForwardBalance
from claimflow.ledger.tables import (
    LedgerEntryRow,
    ProviderAdjustmentRow,
    RemittanceRow,
    WorkItemRow,
)
from claimflow.models import money

FORWARD_BALANCE = "FB"
FORWARD_BALANCE_QUEUE = "provider_suspense"
FORWARD_BALANCE_TITLE = "Forward balance open"


def _journaled_pairs(
    session: Session, provider_id: str | None, reference: str | None, only: bool
) -> list[ProviderAdjustmentRow]:
    """FB pairs with a ``forward_balance`` entry, in the order journaled.

    With ``only`` the pairs are those of one provider and reference.
    """
    statement = (
        select(ProviderAdjustmentRow)
        .join(
            LedgerEntryRow,
            LedgerEntryRow.provider_adjustment_id == ProviderAdjustmentRow.id,
        )
        .where(LedgerEntryRow.kind == "forward_balance")
    )
    if provider_id is not None:
        statement = statement.where(ProviderAdjustmentRow.provider_id == provider_id)
    if only:
        statement = statement.where(ProviderAdjustmentRow.reference == reference)
    return list(session.exec(statement.order_by(LedgerEntryRow.id)).all())


def group_forward_balances(pairs: list[Any]) -> list[list[Any]]:
    """Split FB pairs (journal order) into forward balances, each from its opener.

    Pairs of one provider and reference go into the balance open under that
    reference until it nets to zero; a pair without a reference is a balance
    of its own. Pure: pairs are anything with ``provider_id``, ``reference``
    and ``amount`` (table rows, or plain rows in a migration).
    """
    balances: list[list[Any]] = []
    open_by_key: dict[tuple[str, str], list[Any]] = {}
    for pair in pairs:
        key = (pair.provider_id, pair.reference or "")
        current = open_by_key.get(key) if pair.reference else None
        if current is None:
            current = []
            balances.append(current)
        current.append(pair)
        if pair.reference and _net(current) != 0:
            open_by_key[key] = current
        else:
            open_by_key.pop(key, None)
    return balances


def _net(pairs: list[Any]) -> Decimal:
    # Summed in Python: SQLite would sum Numeric columns as floats.
    return money(sum((pair.amount for pair in pairs), Decimal(0)))


def _where(remittance: RemittanceRow, row: ProviderAdjustmentRow) -> str:
    return f"835 trace {remittance.trace_number} PLB {row.sequence}"


def match_forward_balance(
    session: Session, remittance: RemittanceRow, row: ProviderAdjustmentRow
) -> None:
    """Open a forward balance for a just-journaled ``FB`` pair, or settle one.

    Call once, right after the pair's ``forward_balance`` entry is written.
    """
    if session.bind.dialect.name == "postgresql" and row.reference:
        # Two 835s naming the same reference post one after the other, so each
        # sees the other's pair (SQLite transactions are serial anyway).
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"forward-balance:{row.provider_id}:{row.reference}"},
        )
    pairs = _journaled_pairs(session, row.provider_id, row.reference, True)
    mine = next(group for group in group_forward_balances(pairs) if row in group)
    key = f"forward-balance:{mine[0].id}"
    net = _net(mine)
    if mine[0] is row and net != 0:
        _open_item(session, remittance, row, key)
    elif mine[0] is not row and net == 0:
        resolve_open_item(session, key, f"settled by {_where(remittance, row)}")


def open_item_reason(trace: str | None, pair: Any) -> str:
    """The reason of an open forward balance's work item, from its first pair."""
    if pair.reference:
        until = (
            f"reference {pair.reference}; open until a later 835 carries the "
            "opposite amount under the same reference"
        )
    else:
        until = "no reference, so no later 835 can settle it; a person must"
    return (
        f"835 trace {trace} PLB {pair.sequence}: FB {pair.amount} for provider "
        f"{pair.provider_id} with {until}"
    )


def _open_item(
    session: Session, remittance: RemittanceRow, row: ProviderAdjustmentRow, key: str
) -> None:
    if session.exec(select(WorkItemRow.id).where(WorkItemRow.key == key)).first():
        return
    session.add(
        WorkItemRow(
            key=key,
            queue=FORWARD_BALANCE_QUEUE,
            title=FORWARD_BALANCE_TITLE,
            reason=open_item_reason(remittance.trace_number, row),
        )
    )


def forward_balances(
    session: Session, provider_id: str | None, open_only: bool
) -> list[ForwardBalance]:
    """Every forward balance (only the open ones when asked), oldest first."""
    found = []
    journaled = _journaled_pairs(session, provider_id, None, False)
    for pairs in group_forward_balances(journaled):
        net = _net(pairs)
        if open_only and net == 0:
            continue
        found.append(
            ForwardBalance(
                forward_balance_id=pairs[0].id,
                provider_id=pairs[0].provider_id,
                reference=pairs[0].reference,
                opened_in_remittance_id=pairs[0].remittance_id,
                provider_adjustment_ids=[pair.id for pair in pairs],
                amounts=[pair.amount for pair in pairs],
                net=net,
                open=net != 0,
            )
        )
    return found
