"""Engine, transactions and control-number counters shared by the ledger parts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine, select

from claimflow.ledger import migrations
from claimflow.ledger.tables import ControlCounterRow, LedgerEntryRow

T = TypeVar("T")

COUNTERS = ("interchange", "group", "transaction")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    # The driver's own transaction handling would start every transaction as a
    # reader and fail at once ("database is locked") when two writers upgrade at
    # the same time; we begin each one ourselves, as a writer, and let a busy
    # database make the other wait.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _make_folder_for(database: str | None) -> None:
    # A first run points at a data folder that does not exist yet; SQLite would
    # only say "unable to open database file".
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_begin(connection) -> None:  # noqa: ANN001
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class LedgerBase:
    """Owns the engine; runs each public method as one transaction."""

    def __init__(self, url: str) -> None:
        """Open (lazily) the database at ``url``.

        Args:
            url: A SQLAlchemy URL, e.g. ``sqlite:///ledger.db`` or
                ``postgresql+psycopg://user@host/db``.
        """
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _make_folder_for(self.engine.url.database)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)

    def create_all(self) -> None:
        """Upgrade the database to the newest schema and seed the counters.

        An empty database is built revision by revision; a ledger made by an
        older version of this code is upgraded in place (see
        ``claimflow.ledger.migrations``). Safe to call from several workers at
        once.
        """
        migrations.upgrade(self.engine)

        def seed(session: Session) -> None:
            for name in COUNTERS:
                if session.get(ControlCounterRow, name) is None:
                    session.add(ControlCounterRow(name=name, value=0))

        self._tx(seed)

    def _tx(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction.

        A unique-key collision means another caller did the same thing at the
        same time; the work is run once more, when it finds that row and
        returns it instead of inserting.
        """
        for attempt in range(2):
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    with session.begin():
                        return work(session)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _next_counter(session: Session, name: str) -> int:
        """Take the next value of a counter; values are never handed out twice."""
        # Update first, read after: the write takes the row lock (PostgreSQL) or
        # the database lock (SQLite) before anyone else can read the same value.
        session.execute(
            update(ControlCounterRow)
            .where(ControlCounterRow.name == name)
            .values(value=ControlCounterRow.value + 1)
        )
        return session.exec(
            select(ControlCounterRow.value).where(ControlCounterRow.name == name)
        ).one()

    @staticmethod
    def _journal(
        session: Session,
        key: str,
        kind: str,
        amount: Decimal,
        **fields: object,
    ) -> LedgerEntryRow | None:
        """Add one journal entry unless an entry with ``key`` exists already."""
        found = session.exec(
            select(LedgerEntryRow).where(LedgerEntryRow.entry_key == key)
        ).first()
        if found is not None:
            return None
        row = LedgerEntryRow(entry_key=key, kind=kind, amount=amount, **fields)
        session.add(row)
        session.flush()
        return row
