"""Secondary claims: the claim a primary's patient share goes on to.

Revision ID: 0004
Revises: 0003

* ``claims.primary_claim_id`` (indexed): on a secondary (or tertiary) claim,
  the claim billed to the payer before it. The money stays on that claim's
  account; the secondary claim carries the submission to the next payer.
* ``claims.next_coverage_id``: the coverage the claim goes on to after its
  payer, when its encounter named one.
* ``claim_lines.adjudications``: how earlier payers adjudicated the line (837
  loop 2430), kept with the claim version that sends it.

Only columns and an index are added, so SQLite upgrades in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the link to the primary claim and the line adjudications."""
    op.add_column("claims", sa.Column("primary_claim_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_claims_primary_claim_id"), "claims", ["primary_claim_id"], unique=False
    )
    op.add_column("claims", sa.Column("next_coverage_id", sa.Integer(), nullable=True))
    op.add_column("claim_lines", sa.Column("adjudications", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the columns and the index."""
    op.drop_column("claim_lines", "adjudications")
    op.drop_column("claims", "next_coverage_id")
    op.drop_index(op.f("ix_claims_primary_claim_id"), table_name="claims")
    op.drop_column("claims", "primary_claim_id")
