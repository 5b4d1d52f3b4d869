"""Opening the ledger for a command a person typed; ``claimflow ledger upgrade``.

A command that only reads (``report``, ``remittance list``, ``work list``, ...)
must not build a ledger as a side effect: on a fresh data folder it would leave
an empty ``ledger.db`` behind and then fail on a missing table. So it opens the
ledger with :func:`open_for_reading`, which says in plain words what to run
first when there is no ledger yet, or when the ledger was made by an older
claimflow and has not been upgraded.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from claimflow.ledger import Ledger, migrations


class LedgerUnavailable(Exception):
    """The ledger a read-only command needs is missing or at an older schema."""


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def _sqlite_file_missing(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    path = Path(database)
    return not path.is_file() or path.stat().st_size == 0


def _revision(database_url: str) -> tuple[str | None, bool]:
    """The schema revision of an existing database, and whether it has claims."""
    engine = create_engine(database_url)
    try:
        revision = migrations.current_revision(engine)
        with engine.connect() as connection:
            has_claims = "claims" in inspect(connection).get_table_names()
    except OperationalError as err:
        raise LedgerUnavailable(
            f"cannot open the ledger at {_shown(database_url)}: {err.orig}"
        ) from None
    finally:
        engine.dispose()
    return revision, has_claims


def schema_problem(database_url: str) -> str | None:
    """Why a read-only command cannot use this ledger, or None when it can.

    Args:
        database_url: The ledger's SQLAlchemy URL.

    Returns:
        The message for a person: no ledger yet (nothing is created), or a
        ledger at another schema revision with how to bring it up to date.
    """
    shown = _shown(database_url)
    if _sqlite_file_missing(database_url):
        return _no_ledger(shown)
    found, has_claims = _revision(database_url)
    if found is None and not has_claims:
        return _no_ledger(shown)
    wanted = migrations.head_revision()
    if found == wanted:
        return None
    known = ScriptDirectory.from_config(migrations.alembic_config())
    if found is not None and found not in {r.revision for r in known.walk_revisions()}:
        return (
            f"the ledger at {shown} is at schema revision {found}, made by a newer "
            f"claimflow than this one (which reads {wanted}): update claimflow"
        )
    return (
        f"the ledger at {shown} is at an older schema (revision "
        f"{found or 'before migrations'}; this claimflow reads {wanted}): start a "
        "worker, which upgrades it, or run `claimflow ledger upgrade`"
    )


def _no_ledger(shown: str) -> str:
    return (
        f"no ledger at {shown} yet: run `claimflow demo` or "
        "`claimflow intake 837 FILE` first"
    )


def open_for_reading(database_url: str) -> Ledger:
    """Open an existing ledger at the schema this code reads.

    Raises:
        LedgerUnavailable: With :func:`schema_problem`'s message.
    """
    problem = schema_problem(database_url)
    if problem is not None:
        raise LedgerUnavailable(problem)
    return Ledger(database_url)


def upgrade_command(database_url: str) -> int:
    """Bring the ledger to the newest schema (what a worker does at start)."""
    shown = _shown(database_url)
    if _sqlite_file_missing(database_url):
        print(_no_ledger(shown), file=sys.stderr)
        return 1
    before, _ = _revision(database_url)
    ledger = Ledger(database_url)
    try:
        ledger.create_all()
        after = migrations.current_revision(ledger.engine)
    finally:
        ledger.engine.dispose()
    if before == after:
        print(f"the ledger at {shown} is already at schema revision {after}")
    else:
        print(
            f"the ledger at {shown} was upgraded from schema revision "
            f"{before or 'before migrations'} to {after}"
        )
    return 0
