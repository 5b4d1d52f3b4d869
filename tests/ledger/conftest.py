"""Fixtures: a fresh ledger per test on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from ledger_builders import make_claim

from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database


@pytest.fixture(params=database_params())
def database_url(request, tmp_path) -> Iterator[str]:
    """A scratch database URL; one run per available database."""
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def ledger(database_url) -> Iterator[Ledger]:
    ledger = Ledger(database_url)
    ledger.create_all()
    yield ledger
    ledger.engine.dispose()


@pytest.fixture
def new_claim(ledger) -> Callable[..., int]:
    """Create a claim in the test's ledger: ``new_claim(["100.00", "25.00"])``."""
    return lambda charges=None, key=None: make_claim(ledger, charges, key)
