"""Scratch databases for tests: a SQLite file or a PostgreSQL schema.

``database_urls()`` lists the databases a test suite should run on: SQLite
always, PostgreSQL when ``CLAIMFLOW_TEST_PG_URL`` (or ``DATABASE_URL_PG``) names
one, or when the local default answers. ``scratch_database`` turns one of them
into a URL of its own that is thrown away afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

LOCAL_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """Return the PostgreSQL URL to test on, or None when none is reachable."""
    url = os.environ.get("CLAIMFLOW_TEST_PG_URL") or os.environ.get("DATABASE_URL_PG")
    if url:
        return url
    try:
        engine = create_engine(LOCAL_PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    return LOCAL_PG_URL


def database_urls() -> list[str]:
    """Return ``["sqlite"]`` plus the PostgreSQL URL when there is one."""
    url = postgres_url()
    return ["sqlite"] if url is None else ["sqlite", url]


def database_params() -> list:
    """``database_urls()`` as pytest params: ids ``sqlite`` and ``postgres``.

    The PostgreSQL param carries the ``postgres`` mark, so ``-m "not postgres"``
    leaves it out.
    """
    import pytest

    return [
        pytest.param(url, id="sqlite")
        if url == "sqlite"
        else pytest.param(url, id="postgres", marks=pytest.mark.postgres)
        for url in database_urls()
    ]


@contextmanager
def scratch_database(base: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database, dropped afterwards.

    Args:
        base: ``"sqlite"`` for a new SQLite file in ``folder``, or a PostgreSQL
            URL, in which a schema of its own is created (and dropped after).
        folder: Where a SQLite file goes.
    """
    if base == "sqlite":
        yield f"sqlite:///{folder / 'ledger.db'}"
        return
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
