"""Revision 0005: FB pairs an older ledger posted join the forward-balance account."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from ledger_builders import PLB_NPI, plb, remittance, store, with_plb
from test_migrations import DEFAULTS, FIRST_SCHEMA_ROWS

from claimflow.ledger import Ledger, migrations

D = Decimal
WRITTEN = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
PAID_ON = date(2026, 3, 6)


def _remittance(id_, trace, amount, status):
    return (
        "remittances",
        dict(
            id=id_,
            file_id=1,
            interchange_control_number=f"00000000{id_}",
            group_control_number=str(id_),
            transaction_control_number=f"000{id_}",
            trace_number=trace,
            content_hash=str(id_) * 64,
            body_hash=str(id_) * 64,
            payer_name="Blue",
            payment_amount=D(amount),
            credit_debit="C",
            payment_date=PAID_ON,
            status=status,
            created_at=WRITTEN,
        ),
    )


def _pair(id_, remittance_id, sequence, amount, reference, disposition):
    return (
        "provider_adjustments",
        dict(
            id=id_,
            remittance_id=remittance_id,
            sequence=sequence,
            provider_id=PLB_NPI,
            reason="FB",
            reference=reference,
            amount=D(amount),
            disposition=disposition,
        ),
    )


def _entry(key, kind, amount, pair_id):
    return (
        "ledger_entries",
        dict(
            entry_key=key,
            kind=kind,
            amount=D(amount),
            claim_id=None,
            reason="FB",
            effective_date=PAID_ON,
            provider_adjustment_id=pair_id,
        ),
    )


# What revision 0004 held: an 835 (trace TRN-FB) whose FB -200.00 (FWD-1) went
# to the provider's ledger and whose FB 50.00 (FWD-2) went to suspense with a
# work item, and a held 835 with an FB 30.00 (FWD-3) not posted yet.
FB_ROWS = [
    _remittance(2, "TRN-FB", "150.00", "posted"),
    _remittance(3, "TRN-HELD", "-30.00", "held"),
    _pair(10, 2, 1, "-200.00", "FWD-1", "provider"),
    _pair(11, 2, 2, "50.00", "FWD-2", "suspense"),
    _pair(12, 3, 1, "30.00", "FWD-3", "provider"),
    _entry("plb:10", "provider_adjustment", "-200.00", 10),
    _entry("plb:11", "plb_suspense", "50.00", 11),
    (
        "work_items",
        dict(
            key="plb-suspense:11",
            queue="provider_suspense",
            title="Provider-level adjustment names no known claim",
            reason="835 trace TRN-FB PLB 2: FB 50.00 ...",
            status="open",
            note="",
            created_at=WRITTEN,
        ),
    ),
]


def _seed(engine):
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as connection:
        for name, row in [*FIRST_SCHEMA_ROWS, *FB_ROWS]:
            values = {**DEFAULTS.get(name, {}), **row}
            connection.execute(meta.tables[name].insert().values(**values))
        if engine.dialect.name == "postgresql":
            # Rows inserted with their ids leave the id sequences behind.
            for name in ("remittances", "provider_adjustments"):
                connection.execute(
                    sa.text(
                        f"select setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(select max(id) from {name}))"
                    )
                )


def _entries(ledger):
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select provider_adjustment_id, kind, amount from ledger_entries "
                "where provider_adjustment_id is not null order by id"
            )
        ).all()
    cent = D("0.01")
    return [(pair, kind, D(str(value)).quantize(cent)) for pair, kind, value in rows]


def test_upgrade_moves_fb_pairs_to_the_forward_balance_account(database_url):
    ledger = Ledger(database_url)
    migrations.upgrade(ledger.engine, "0004")
    _seed(ledger.engine)

    ledger.create_all()

    assert migrations.current_revision(ledger.engine) == migrations.head_revision()
    # Each old entry is taken back; one forward_balance entry per pair is added.
    assert _entries(ledger) == [
        (10, "provider_adjustment", D("-200.00")),
        (11, "plb_suspense", D("50.00")),
        (10, "provider_adjustment", D("200.00")),
        (10, "forward_balance", D("-200.00")),
        (11, "plb_suspense", D("-50.00")),
        (11, "forward_balance", D("50.00")),
    ]
    assert [
        (p.provider_adjustment_id, p.disposition)
        for p in ledger.provider_adjustments()
        if p.reason == "FB"
    ] == [(10, "forward_balance"), (11, "forward_balance"), (12, "forward_balance")]
    assert [(f.reference, f.net) for f in ledger.forward_balances()] == [
        ("FWD-1", D("-200.00")),
        ("FWD-2", D("50.00")),
    ]
    items = ledger.open_work_items()
    assert [i.key for i in items] == ["forward-balance:10", "forward-balance:11"]
    assert items[0].reason == (
        f"835 trace TRN-FB PLB 1: FB -200.00 for provider {PLB_NPI} with "
        "reference FWD-1; open until a later 835 carries the opposite amount "
        "under the same reference (-200.00 still open when upgraded to "
        "revision 0005)"
    )
    with ledger.engine.connect() as connection:
        suspense = connection.execute(
            sa.text("select status from work_items where key = 'plb-suspense:11'")
        ).scalar()
    assert suspense == "resolved"

    # A new 835 settles the old FB -200.00; releasing the held 835 posts its FB
    # 30.00 the new way.
    store(ledger, with_plb(remittance(trace="TRN-NEW"), plb("FB", "200.00", "FWD-1")))
    ledger.release_remittance(3, "payer confirmed")

    assert [(f.reference, f.net) for f in ledger.forward_balances()] == [
        ("FWD-2", D("50.00")),
        ("FWD-3", D("30.00")),
    ]
    assert [i.key for i in ledger.open_work_items()] == [
        "forward-balance:11",
        "forward-balance:12",
    ]
    ledger.engine.dispose()
