"""Institutional and dental claim lines keep what their 837 says.

Revision ID: 0006
Revises: 0005

``claim_lines`` gains ``revenue_code`` (837I SV201), ``teeth`` (837D TOO: each
tooth's number and surfaces, as JSON), ``oral_cavity`` (SV304 areas, JSON) and
``prosthesis`` (SV305 ``I`` or ``R``). Before them a claim read back from the
ledger had lost these, so its 837I or 837D could not be written again as
received. Lines stored earlier keep null in all four: professional lines never
had them, and an institutional or dental line stored before this revision is
rebuilt without them (its claim was held for a person and never sent).

Only nullable columns are added, so SQLite upgrades in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the four line columns."""
    op.add_column(
        "claim_lines", sa.Column("revenue_code", sa.String(length=4), nullable=True)
    )
    op.add_column("claim_lines", sa.Column("teeth", sa.JSON(), nullable=True))
    op.add_column("claim_lines", sa.Column("oral_cavity", sa.JSON(), nullable=True))
    op.add_column(
        "claim_lines", sa.Column("prosthesis", sa.String(length=1), nullable=True)
    )


def downgrade() -> None:
    """Drop the four line columns."""
    for column in ("prosthesis", "oral_cavity", "teeth", "revenue_code"):
        op.drop_column("claim_lines", column)
