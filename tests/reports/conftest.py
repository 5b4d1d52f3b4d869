"""A small hand-computed ledger on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_ledger import build_small_ledger

from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database


@pytest.fixture(params=database_params())
def small_ledger(request, tmp_path) -> Iterator[tuple[Ledger, dict]]:
    """``(ledger, ids)``: the ledger described in ``report_ledger``."""
    with scratch_database(request.param, tmp_path) as url:
        ledger = Ledger(url)
        ledger.create_all()
        yield ledger, build_small_ledger(ledger)
        ledger.engine.dispose()
