"""Fixtures shared across the suite: ledger, payer simulator, rules, Temporal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def ledger(tmp_path: Path):
    from claimflow.ledger import Ledger

    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    book.create_all()
    return book


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator:
    """A payer simulator on a free loopback port, its state in ``tmp_path``."""
    from claimflow.clearinghouse.simulator import start_simulator

    server, thread = start_simulator(tmp_path / "simulator")
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def rules():
    from dsl import RuleRegistry

    return RuleRegistry.load()


def put_json(url: str, value: object) -> None:
    import httpx

    httpx.put(url, content=json.dumps(value), timeout=10).raise_for_status()
