"""Versioned schema: a ledger made by an older schema upgrades in place."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from claimflow.ledger import Ledger, migrations
from claimflow.ledger.tables import metadata

D = Decimal
WRITTEN = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
COUNTERS = ("interchange", "group", "transaction")


ADDRESS = {"line1": "1 Test Way", "city": "Boston", "state": "MA", "zip": "02115"}
# Rows as the first schema held them: one claim, paid 80.00 of 100.00 and the
# remaining 20.00 written off, and a PLB interest pair of the 835.
FIRST_SCHEMA_ROWS = [
    ("payers", dict(payer_id="BCBS", name="Blue", x12_payer_id="B1", plan_type="BL")),
    (
        "patients",
        dict(
            id=1,
            external_key="p-1",
            first_name="Ann",
            last_name="Test",
            birth_date=date(1980, 5, 1),
            sex="F",
            address=ADDRESS,
        ),
    ),
    (
        "encounters",
        dict(id=1, encounter_key="e-1", patient_id=1, service_date=date(2026, 2, 14)),
    ),
    (
        "claims",
        dict(
            id=1,
            encounter_id=1,
            patient_id=1,
            payer_id="BCBS",
            billing_npi="1234567893",
            status="paid",
            latest_version=1,
            updated_at=WRITTEN,
        ),
    ),
    (
        "inbound_files",
        dict(id=1, name="old.835", kind="835", sha256="a" * 64, content=b"ISA"),
    ),
    (
        "remittances",
        dict(
            id=1,
            file_id=1,
            interchange_control_number="000000001",
            group_control_number="1",
            transaction_control_number="0001",
            trace_number="TRN-OLD",
            content_hash="b" * 64,
            payer_name="Blue",
            payment_amount=D("80.00"),
            credit_debit="C",
            payment_date=date(2026, 3, 6),
        ),
    ),
    (
        "remittance_claims",
        dict(
            id=1,
            remittance_id=1,
            sequence=1,
            claim_id=1,
            version=1,
            patient_control_number="C1V1",
            status_code="1",
            charge=D("100.00"),
            paid=D("80.00"),
            patient_responsibility=D("0.00"),
            remarks=[],
            content={},
            posted_at=WRITTEN,
        ),
    ),
    (
        "ledger_entries",
        dict(entry_key="charge:1:v1", kind="charge", amount=D("100.00")),
    ),
    (
        "ledger_entries",
        dict(
            entry_key="remit:1:paid",
            kind="payer_payment",
            amount=D("80.00"),
            remit_claim_id=1,
        ),
    ),
    (
        "ledger_entries",
        dict(
            entry_key="write-off:1:1",
            kind="write_off",
            amount=D("20.00"),
            reason="small balance",
        ),
    ),
    (
        "provider_adjustments",
        dict(remittance_id=1, provider_id="1234567893", reason="L6", amount=D("-1.27")),
    ),
    *[("control_counters", dict(name=name, value=7)) for name in COUNTERS],
]
# Columns the first schema requires that the rows above leave to these defaults.
DEFAULTS = {
    "encounters": {"created_at": WRITTEN},
    "claims": {"created_at": WRITTEN},
    "inbound_files": {"status": "received", "received_at": WRITTEN},
    "remittances": {"created_at": WRITTEN},
    "ledger_entries": {"claim_id": 1, "created_at": WRITTEN},
}


def _seed_first_schema(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as connection:
        for name, row in FIRST_SCHEMA_ROWS:
            values = {**DEFAULTS.get(name, {}), **row}
            connection.execute(meta.tables[name].insert().values(**values))


def _check_survived(ledger: Ledger) -> None:
    balance = ledger.claim_balance(1)
    assert (balance.billed, balance.paid, balance.adjusted, balance.outstanding) == (
        D("100.00"),
        D("80.00"),
        D("20.00"),
        D("0.00"),
    )
    # Counters continue where they were: control numbers are never reused.
    assert ledger.allocate_control_numbers().interchange == "000000008"
    with ledger.engine.connect() as c:
        dates = dict(
            c.execute(
                sa.text("select entry_key, effective_date from ledger_entries")
            ).all()
        )
        plb = c.execute(
            sa.text("select reason, amount, disposition from provider_adjustments")
        ).one()
    as_dates = {key: date.fromisoformat(str(value)) for key, value in dates.items()}
    assert as_dates == {
        "charge:1:v1": date(2026, 2, 14),  # the date of service
        "remit:1:paid": date(2026, 3, 6),  # the 835's payment date (BPR16)
        "write-off:1:1": date(2026, 3, 9),  # the day it was written
    }
    assert (plb.reason, D(str(plb.amount)), plb.disposition) == (
        "L6",
        D("-1.27"),
        None,
    )
    # Revision 0004: a claim from before secondary claims is its own account.
    assert ledger.account_claim(1) == 1
    assert ledger.secondary_claims() == {}


def test_new_database_matches_the_models(database_url):
    ledger = Ledger(database_url)
    ledger.create_all()
    ledger.create_all()  # a second call changes nothing

    with ledger.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []
    assert migrations.current_revision(ledger.engine) == migrations.head_revision()
    ledger.engine.dispose()


def test_upgrade_from_the_first_revision_keeps_the_data(database_url):
    ledger = Ledger(database_url)
    migrations.upgrade(ledger.engine, migrations.FIRST_REVISION)
    assert migrations.current_revision(ledger.engine) == "0001"
    _seed_first_schema(ledger.engine)

    ledger.create_all()

    assert migrations.current_revision(ledger.engine) == migrations.head_revision()
    _check_survived(ledger)
    ledger.engine.dispose()


def test_ledger_made_before_migrations_is_stamped_and_upgraded(database_url):
    ledger = Ledger(database_url)
    # What Ledger.create_all made before migrations: the tables, no version table.
    migrations.upgrade(ledger.engine, migrations.FIRST_REVISION)
    with ledger.engine.begin() as connection:
        connection.execute(sa.text("drop table alembic_version"))
    _seed_first_schema(ledger.engine)
    assert migrations.current_revision(ledger.engine) is None

    ledger.create_all()

    assert migrations.current_revision(ledger.engine) == migrations.head_revision()
    _check_survived(ledger)
    ledger.engine.dispose()


def test_workers_starting_together_migrate_once(database_url):
    ledgers = [Ledger(database_url) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda ledger: ledger.create_all(), ledgers))

    assert migrations.current_revision(ledgers[0].engine) == migrations.head_revision()
    with ledgers[0].engine.connect() as connection:
        counters = connection.execute(
            sa.text("select count(*) from control_counters")
        ).scalar()
    assert counters == 3
    for ledger in ledgers:
        ledger.engine.dispose()


def test_upgrade_to_0006_keeps_lines_and_adds_their_837_details(database_url):
    ledger = Ledger(database_url)
    migrations.upgrade(ledger.engine, "0005")
    _seed_first_schema(ledger.engine)
    header = {
        "kind": "professional",
        "billing_provider": {"npi": "1234567893", "name": "Clinic"},
        "patient": {
            "patient_id": 1,
            "first_name": "Ann",
            "last_name": "Test",
            "birth_date": "1980-05-01",
            "sex": "F",
            "address": ADDRESS,
        },
        "coverage": {"payer_id": "BCBS", "payer_name": "Blue", "member_id": "M1"},
    }
    with ledger.engine.begin() as c:
        c.execute(
            sa.text(
                "insert into claim_versions (id, claim_id, version,"
                " patient_control_number, frequency_code, total_charge, diagnoses,"
                " header, created_at) values (1, 1, 1, 'C1V1', '1', 100.00,"
                " :diagnoses, :header, :at)"
            ),
            dict(diagnoses='["J02.9"]', header=json.dumps(header), at=WRITTEN),
        )
        c.execute(
            sa.text(
                "insert into claim_lines (claim_version_id, line_number, procedure,"
                " modifiers, units, charge, service_date, place_of_service,"
                " diagnosis_pointers, line_control_number) values (1, 1, '99213',"
                " '[]', 1, 100.00, :day, '11', '[1]', 'C1V1L1')"
            ),
            dict(day=date(2026, 2, 14)),
        )

    ledger.create_all()

    assert migrations.current_revision(ledger.engine) == migrations.head_revision()
    line = ledger.get_claim(1).lines[0]
    assert (line.procedure, line.charge, line.line_control_number) == (
        "99213",
        D("100.00"),
        "C1V1L1",
    )
    assert (line.revenue_code, line.teeth, line.oral_cavity, line.prosthesis) == (
        None,
        [],
        [],
        None,
    )
    assert ledger.claim_balance(1).billed == D("100.00")
    ledger.engine.dispose()


def test_a_sqlite_upgrade_told_locked_tries_again(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    calls = []

    def flaky(engine, revision):
        calls.append(revision)
        if len(calls) < 3:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))

    monkeypatch.setattr(migrations, "_upgrade_once", flaky)
    monkeypatch.setattr(migrations.time, "sleep", lambda seconds: None)
    migrations.upgrade(ledger.engine)
    assert calls == ["head", "head", "head"]

    def broken(engine, revision):
        raise OperationalError("SELECT", {}, Exception("no such table: claims"))

    monkeypatch.setattr(migrations, "_upgrade_once", broken)
    with pytest.raises(OperationalError, match="no such table"):
        migrations.upgrade(ledger.engine)
