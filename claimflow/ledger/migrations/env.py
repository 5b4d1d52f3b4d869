"""Alembic environment of the ledger: migrate the connection we are handed.

Only online migrations are supported: ``claimflow.ledger.migrations.upgrade``
opens the transaction and passes its connection in ``config.attributes``.
"""

from alembic import context

from claimflow.ledger.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "ledger migrations run through claimflow.ledger.migrations.upgrade(engine)"
    )
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
