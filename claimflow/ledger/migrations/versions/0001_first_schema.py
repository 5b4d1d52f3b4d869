"""The ledger's first schema, as ``Ledger.create_all`` made it before migrations.

Revision ID: 0001
Revises: none (first revision)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Tables that others refer to come last.
DROP_ORDER = [
    "adjustments",
    "remittance_lines",
    "ledger_entries",
    "claim_lines",
    "work_items",
    "submissions",
    "scrub_results",
    "remittance_claims",
    "patient_statements",
    "eligibility_checks",
    "claim_versions",
    "audit_events",
    "acknowledgments",
    "provider_adjustments",
    "claims",
    "remittances",
    "encounters",
    "coverages",
    "providers",
    "payers",
    "patients",
    "inbound_files",
    "control_counters",
]


def upgrade() -> None:
    """Create every table of the first ledger schema."""
    op.create_table(
        "control_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "inbound_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quarantine_reason", sa.String(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_key", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("last_name", sa.String(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_key"),
    )
    op.create_table(
        "payers",
        sa.Column("payer_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("x12_payer_id", sa.String(length=80), nullable=False),
        sa.Column("plan_type", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("payer_id"),
    )
    op.create_table(
        "providers",
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tax_id", sa.String(), nullable=True),
        sa.Column("taxonomy", sa.String(), nullable=True),
        sa.Column("is_organization", sa.Boolean(), nullable=False),
        sa.Column("address", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("npi"),
    )
    op.create_table(
        "coverages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(), nullable=False),
        sa.Column("member_id", sa.String(), nullable=False),
        sa.Column("group_number", sa.String(), nullable=True),
        sa.Column("relationship", sa.String(), nullable=False),
        sa.Column("plan_type", sa.String(length=2), nullable=False),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.payer_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id", "payer_id", "member_id", "priority", "start"),
    )
    op.create_index(
        op.f("ix_coverages_patient_id"), "coverages", ["patient_id"], unique=False
    )
    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_key", sa.String(length=120), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("encounter_key"),
    )
    op.create_index(
        op.f("ix_encounters_patient_id"), "encounters", ["patient_id"], unique=False
    )
    op.create_table(
        "remittances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("interchange_control_number", sa.String(length=9), nullable=False),
        sa.Column("group_control_number", sa.String(length=9), nullable=False),
        sa.Column("transaction_control_number", sa.String(length=9), nullable=False),
        sa.Column("trace_number", sa.String(length=80), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=False),
        sa.Column("payer_id", sa.String(), nullable=True),
        sa.Column("payment_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("credit_debit", sa.String(length=1), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["inbound_files.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "interchange_control_number",
            "group_control_number",
            "transaction_control_number",
            "trace_number",
            "content_hash",
        ),
    )
    op.create_index(
        op.f("ix_remittances_file_id"), "remittances", ["file_id"], unique=False
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(length=20), nullable=False),
        sa.Column("billing_npi", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_reason", sa.String(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounters.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("encounter_id"),
    )
    op.create_index(
        op.f("ix_claims_patient_id"), "claims", ["patient_id"], unique=False
    )
    op.create_index(op.f("ix_claims_payer_id"), "claims", ["payer_id"], unique=False)
    op.create_index(op.f("ix_claims_status"), "claims", ["status"], unique=False)
    op.create_table(
        "provider_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("fiscal_period", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=5), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_provider_adjustments_remittance_id"),
        "provider_adjustments",
        ["remittance_id"],
        unique=False,
    )
    op.create_table(
        "acknowledgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("patient_control_number", sa.String(), nullable=True),
        sa.Column("transaction_control_number", sa.String(), nullable=True),
        sa.Column("payer_claim_number", sa.String(), nullable=True),
        sa.Column("status_codes", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["inbound_files.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_acknowledgments_claim_id"),
        "acknowledgments",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_acknowledgments_file_id"), "acknowledgments", ["file_id"], unique=False
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_audit_events_claim_id"), "audit_events", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=17), nullable=False),
        sa.Column("frequency_code", sa.String(length=1), nullable=False),
        sa.Column("original_payer_claim_number", sa.String(), nullable=True),
        sa.Column("total_charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("diagnoses", sa.JSON(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "version"),
        sa.UniqueConstraint("patient_control_number"),
    )
    op.create_index(
        op.f("ix_claim_versions_claim_id"), "claim_versions", ["claim_id"], unique=False
    )
    op.create_table(
        "eligibility_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("payer_id", sa.String(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("request_x12", sa.Text(), nullable=False),
        sa.Column("response_x12", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_eligibility_checks_claim_id"),
        "eligibility_checks",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "patient_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id"),
    )
    op.create_index(
        op.f("ix_patient_statements_patient_id"),
        "patient_statements",
        ["patient_id"],
        unique=False,
    )
    op.create_table(
        "remittance_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "patient_responsibility", sa.Numeric(precision=12, scale=2), nullable=False
        ),
        sa.Column("payer_claim_number", sa.String(length=50), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["remittance_claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_claims_claim_id"),
        "remittance_claims",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remittance_claims_payer_claim_number"),
        "remittance_claims",
        ["payer_claim_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remittance_claims_remittance_id"),
        "remittance_claims",
        ["remittance_id"],
        unique=False,
    )
    op.create_table(
        "scrub_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ruleset_hash", sa.String(length=128), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_scrub_results_claim_id"), "scrub_results", ["claim_id"], unique=False
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("interchange_control_number", sa.String(length=9), nullable=False),
        sa.Column("group_control_number", sa.String(length=9), nullable=False),
        sa.Column("transaction_control_number", sa.String(length=9), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("receipt_id", sa.String(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_control_number"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("interchange_control_number"),
        sa.UniqueConstraint("transaction_control_number"),
    )
    op.create_index(
        op.f("ix_submissions_claim_id"), "submissions", ["claim_id"], unique=False
    )
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        op.f("ix_work_items_claim_id"), "work_items", ["claim_id"], unique=False
    )
    op.create_index(op.f("ix_work_items_queue"), "work_items", ["queue"], unique=False)
    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_version_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("units", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("diagnosis_pointers", sa.JSON(), nullable=False),
        sa.Column("line_control_number", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_version_id"],
            ["claim_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_version_id", "line_number"),
        sa.UniqueConstraint("line_control_number"),
    )
    op.create_index(
        op.f("ix_claim_lines_claim_version_id"),
        "claim_lines",
        ["claim_version_id"],
        unique=False,
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=200), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("group_code", sa.String(length=2), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("remit_claim_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remit_claim_id"],
            ["remittance_claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_key"),
    )
    op.create_index(
        op.f("ix_ledger_entries_claim_id"), "ledger_entries", ["claim_id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_entries_patient_id"),
        "ledger_entries",
        ["patient_id"],
        unique=False,
    )
    op.create_table(
        "remittance_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remit_claim_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=48), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("charge", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("line_control_number", sa.String(length=50), nullable=True),
        sa.Column("claim_line_id", sa.Integer(), nullable=True),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_line_id"],
            ["claim_lines.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remit_claim_id"],
            ["remittance_claims.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_lines_remit_claim_id"),
        "remittance_lines",
        ["remit_claim_id"],
        unique=False,
    )
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remit_claim_id", sa.Integer(), nullable=False),
        sa.Column("remit_line_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=5), nullable=False),
        sa.Column("group_code", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.String(length=5), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["remit_claim_id"],
            ["remittance_claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["remit_line_id"],
            ["remittance_lines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_adjustments_remit_claim_id"),
        "adjustments",
        ["remit_claim_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop every table of the first ledger schema (their indexes go with them)."""
    for name in DROP_ORDER:
        op.drop_table(name)
