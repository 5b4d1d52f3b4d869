"""Filing deadlines, business dates of entries, PLB dispositions, reissued 835s.

Revision ID: 0002
Revises: 0001

* ``claims.filing_deadline``: the timely-filing deadline of a claim.
* ``ledger_entries.effective_date`` (indexed) and ``provider_adjustment_id``;
  existing entries get the date of service (charges), the 835 payment date
  (remittance entries) or the day they were written.
* ``provider_adjustments``: ``sequence``, ``disposition`` and ``claim_id``.
* ``remittances``: ``body_hash`` (unique with the trace number) and ``status``.

Only columns and indexes are added, so SQLite upgrades in place without
rebuilding a table.
"""

from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CHARGES = ("charge", "charge_adjustment")


def upgrade() -> None:
    """Add the columns and indexes, then date the existing journal entries."""
    op.add_column("claims", sa.Column("filing_deadline", sa.Date(), nullable=True))
    op.add_column(
        "ledger_entries", sa.Column("effective_date", sa.Date(), nullable=True)
    )
    op.add_column(
        "ledger_entries",
        sa.Column("provider_adjustment_id", sa.Integer(), nullable=True),
    )
    op.create_index(
        op.f("ix_ledger_entries_effective_date"),
        "ledger_entries",
        ["effective_date"],
        unique=False,
    )
    op.add_column(
        "provider_adjustments", sa.Column("sequence", sa.Integer(), nullable=True)
    )
    op.add_column(
        "provider_adjustments",
        sa.Column("disposition", sa.String(length=20), nullable=True),
    )
    op.add_column(
        "provider_adjustments", sa.Column("claim_id", sa.Integer(), nullable=True)
    )
    op.create_index(
        op.f("ix_provider_adjustments_claim_id"),
        "provider_adjustments",
        ["claim_id"],
        unique=False,
    )
    op.add_column(
        "remittances", sa.Column("body_hash", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "remittances", sa.Column("status", sa.String(length=20), nullable=True)
    )
    op.create_index(
        "ux_remittances_trace_body",
        "remittances",
        ["trace_number", "body_hash"],
        unique=True,
    )
    _date_existing_entries()


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _date_existing_entries() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    entries = sa.Table("ledger_entries", meta, autoload_with=bind)
    claims = sa.Table("claims", meta, autoload_with=bind)
    encounters = sa.Table("encounters", meta, autoload_with=bind)
    remit_claims = sa.Table("remittance_claims", meta, autoload_with=bind)
    remittances = sa.Table("remittances", meta, autoload_with=bind)
    service = dict(
        bind.execute(
            sa.select(claims.c.id, encounters.c.service_date).join(
                encounters, encounters.c.id == claims.c.encounter_id
            )
        ).all()
    )
    paid_on = dict(
        bind.execute(
            sa.select(remit_claims.c.id, remittances.c.payment_date).join(
                remittances, remittances.c.id == remit_claims.c.remittance_id
            )
        ).all()
    )
    rows = bind.execute(
        sa.select(
            entries.c.id,
            entries.c.kind,
            entries.c.claim_id,
            entries.c.remit_claim_id,
            entries.c.created_at,
        )
    ).all()
    for row in rows:
        when = None
        if row.kind in _CHARGES and row.claim_id is not None:
            when = service.get(row.claim_id)
        elif row.remit_claim_id is not None:
            when = paid_on.get(row.remit_claim_id)
        bind.execute(
            entries.update()
            .where(entries.c.id == row.id)
            .values(effective_date=_as_date(when or row.created_at))
        )


def downgrade() -> None:
    """Drop what ``upgrade`` added (the entries' dates are lost)."""
    op.drop_index("ux_remittances_trace_body", table_name="remittances")
    op.drop_column("remittances", "status")
    op.drop_column("remittances", "body_hash")
    op.drop_index(
        op.f("ix_provider_adjustments_claim_id"), table_name="provider_adjustments"
    )
    op.drop_column("provider_adjustments", "claim_id")
    op.drop_column("provider_adjustments", "disposition")
    op.drop_column("provider_adjustments", "sequence")
    op.drop_index(op.f("ix_ledger_entries_effective_date"), table_name="ledger_entries")
    op.drop_column("ledger_entries", "provider_adjustment_id")
    op.drop_column("ledger_entries", "effective_date")
    op.drop_column("claims", "filing_deadline")
