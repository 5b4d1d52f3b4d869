"""Forward balances: FB pairs posted before this revision join the FB account.

Revision ID: 0005
Revises: 0004

Before this revision a PLB ``FB`` pair was journaled like any provider-level
adjustment (``provider_adjustment``), or as ``plb_suspense`` with a
``provider_suspense`` work item when its reference named no claim. Now every
FB pair is on the provider's forward-balance account and is matched with its
counterpart in a later 835 by reference (``claimflow.ledger._forward``), so a
ledger upgraded in place moves its FB pairs there, the way posting them today
would have:

* every entry an FB pair left in the journal is taken back by an entry of the
  opposite sign and the same kind, and one ``forward_balance`` entry of the
  pair's amount is added (the journal is never rewritten), with the pair's
  business date;
* the pair's disposition becomes ``forward_balance`` (on held 835s too, so that
  releasing one posts its FB pairs the new way);
* its open suspense work item is resolved, and each forward balance still open
  afterwards gets its ``forward-balance`` work item.

No column is added; the data change cannot be undone, so downgrading leaves it.
"""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from claimflow.ledger._forward import (
    FORWARD_BALANCE_QUEUE,
    FORWARD_BALANCE_TITLE,
    group_forward_balances,
    open_item_reason,
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NOTE = "moved to the forward-balance account by ledger revision 0005"


def upgrade() -> None:
    """Move every FB pair posted so far to the forward-balance account."""
    bind = op.get_bind()
    meta = sa.MetaData()
    pairs_table = sa.Table("provider_adjustments", meta, autoload_with=bind)
    entries = sa.Table("ledger_entries", meta, autoload_with=bind)
    items = sa.Table("work_items", meta, autoload_with=bind)
    remittances = sa.Table("remittances", meta, autoload_with=bind)
    pairs = bind.execute(
        sa.select(pairs_table).where(
            pairs_table.c.reason == "FB",
            pairs_table.c.disposition.in_(("provider", "suspense")),
        )
    ).all()
    now = datetime.now(UTC)
    journaled = []
    for pair in pairs:
        found = bind.execute(
            sa.select(entries)
            .where(entries.c.provider_adjustment_id == pair.id)
            .order_by(entries.c.id)
        ).all()
        if found:
            _take_back(bind, entries, pair, found, now)
            journaled.append(pair)
        bind.execute(
            pairs_table.update()
            .where(pairs_table.c.id == pair.id)
            .values(disposition="forward_balance")
        )
        bind.execute(
            items.update()
            .where(
                items.c.key == f"plb-suspense:{pair.id}", items.c.status == "open"
            )
            .values(status="resolved", resolution=_NOTE, resolved_at=now)
        )
    traces = dict(
        bind.execute(sa.select(remittances.c.id, remittances.c.trace_number)).all()
    )
    for balance in group_forward_balances(journaled):
        net = sum((Decimal(str(p.amount)) for p in balance), Decimal(0))
        if net != 0:
            _open_item(bind, items, balance[0], traces, net, now)


def _take_back(bind, entries, pair, found, now) -> None:  # noqa: ANN001
    by_kind: dict[str, Decimal] = {}
    for entry in found:
        by_kind[entry.kind] = by_kind.get(entry.kind, Decimal(0)) + Decimal(
            str(entry.amount)
        )
    when = found[0].effective_date
    rows = [
        (f"plb:{pair.id}:rev0005:{kind}", kind, -amount)
        for kind, amount in by_kind.items()
        if amount
    ]
    rows.append((f"plb:{pair.id}:rev0005:forward_balance", "forward_balance", None))
    for key, kind, amount in rows:
        bind.execute(
            entries.insert().values(
                entry_key=key,
                kind=kind,
                amount=Decimal(str(pair.amount)) if amount is None else amount,
                reason="FB",
                effective_date=when,
                provider_adjustment_id=pair.id,
                created_at=now,
            )
        )


def _open_item(bind, items, opener, traces, net, now) -> None:  # noqa: ANN001
    reason = open_item_reason(traces.get(opener.remittance_id), opener)
    bind.execute(
        items.insert().values(
            key=f"forward-balance:{opener.id}",
            queue=FORWARD_BALANCE_QUEUE,
            title=FORWARD_BALANCE_TITLE,
            reason=f"{reason} ({net} still open when upgraded to revision 0005)",
            status="open",
            note="",
            created_at=now,
        )
    )


def downgrade() -> None:
    """Leave the moved entries: the journal is not rewritten either way."""
