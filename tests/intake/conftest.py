"""Fixtures for the Synthea intake tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claimflow.intake.synthea import load_synthea
from claimflow.ledger import Ledger
from claimflow.ledger.testing import database_params, scratch_database


@pytest.fixture(scope="session")
def sample():
    """The shipped 27-patient Synthea sample."""
    return load_synthea()


@pytest.fixture(params=database_params())
def intake_ledger(request, tmp_path) -> Iterator[Ledger]:
    """An empty ledger on each available database."""
    with scratch_database(request.param, tmp_path) as url:
        ledger = Ledger(url)
        ledger.create_all()
        yield ledger
        ledger.engine.dispose()
