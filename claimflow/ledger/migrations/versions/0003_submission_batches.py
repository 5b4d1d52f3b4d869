"""Submission batches: several claim versions in one 837 interchange.

Revision ID: 0003
Revises: 0002

* ``submission_batches``: one row per interchange, with its own control numbers.
* ``submissions.batch_id`` (indexed): the batch a claim version went out in.

Only a table and a column are added, so SQLite upgrades in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the batches table and link submissions to it."""
    op.create_table(
        "submission_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_key", sa.String(length=200), nullable=False),
        sa.Column("interchange_control_number", sa.String(length=9), nullable=False),
        sa.Column("group_control_number", sa.String(length=9), nullable=False),
        sa.Column("transaction_control_number", sa.String(length=9), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("receipt_id", sa.String(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_key"),
        sa.UniqueConstraint("interchange_control_number"),
        sa.UniqueConstraint("group_control_number"),
        sa.UniqueConstraint("transaction_control_number"),
    )
    op.add_column("submissions", sa.Column("batch_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_submissions_batch_id"), "submissions", ["batch_id"], unique=False
    )


def downgrade() -> None:
    """Drop the link and the table."""
    op.drop_index(op.f("ix_submissions_batch_id"), table_name="submissions")
    op.drop_column("submissions", "batch_id")
    op.drop_table("submission_batches")
