"""Versioned schema migrations of the ledger (Alembic, configured in code).

The revisions live in ``versions/``; no ``alembic.ini`` is read. ``upgrade``
brings a database to the newest revision in one transaction:

* an empty database gets every revision in turn;
* a ledger made before migrations existed (``metadata.create_all``, which is
  revision ``0001``) is stamped ``0001`` first and then upgraded in place;
* a database already at the head is left alone.

On PostgreSQL an advisory lock makes workers that start together migrate one
after the other; on SQLite the ledger's engine begins every transaction as a
writer, which does the same.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

HERE = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
# Any fixed number: the key of the PostgreSQL advisory lock held while migrating.
_LOCK_KEY = 5_200_835
_SQLITE_TRIES = 5


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic configuration for the ledger, built in code.

    Args:
        connection: The connection ``env.py`` migrates on (None for commands
            that only read the revision scripts).
    """
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest revision of the ledger's schema."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision a database is at (None when it has no version table)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _made_before_migrations(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "claims" in tables and "alembic_version" not in tables


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (the newest by default).

    Args:
        engine: The ledger's engine (on SQLite, one made by ``Ledger``, whose
            transactions begin as writers).
        revision: An Alembic revision; tests pass an older one to build a
            database at a previous schema.
    """
    for attempt in range(_SQLITE_TRIES):
        try:
            _upgrade_once(engine, revision)
            return
        except OperationalError as exc:
            # SQLite's busy timeout covers waiting for a writer, but a worker that
            # finds the file mid-way through another's first WAL switch is told
            # "locked" at once; it tries again after that worker has finished.
            locked = "database is locked" in str(exc)
            if engine.dialect.name != "sqlite" or not locked:
                raise
            if attempt == _SQLITE_TRIES - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def _upgrade_once(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}
            )
        config = alembic_config(connection)
        if _made_before_migrations(connection):
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, revision)


__all__ = [
    "FIRST_REVISION",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade",
]
