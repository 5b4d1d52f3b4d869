"""The README's first command, on a subset, against the real dev server.

Runs ``claimflow demo --limit 12 --json`` in a subprocess with its own data folder and
ports, then checks the summary against the ledger it left behind.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"closed", "written_off", "patient_billing", "voided"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, CLAIMFLOW_HOME=str(home))
    env.pop("TEMPORAL_ADDRESS", None)
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "claimflow",
            "demo",
            "--limit",
            "12",
            "--json",
            "--headless",
            "--temporal-port",
            str(free_port()),
            "--simulator-port",
            str(free_port()),
            "--settle-timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    return home, summary


@pytest.mark.e2e
def test_demo_summary_balances_to_the_cent(demo_run):
    _, summary = demo_run
    assert summary["claims"] == 12
    total = sum(
        Decimal(summary[key])
        for key in ("paid", "adjusted", "patient_responsibility", "outstanding")
    )
    assert Decimal(summary["billed"]) == total
    assert sum(summary["by_status"].values()) == summary["claims"]
    for key in ("billed", "paid", "adjusted", "patient_responsibility", "outstanding"):
        assert summary[key] == f"{Decimal(summary[key]):.2f}"


@pytest.mark.e2e
def test_no_837_was_rejected_for_syntax(demo_run):
    _, summary = demo_run
    stats = summary["simulator"]
    # Claims go out in payer batches: fewer 837s than claims, every claim received.
    assert 1 <= stats["submissions"] < 12
    assert stats["claims_received"] == 12
    assert stats["rejected_syntax"] == 0


@pytest.mark.e2e
def test_every_claim_settled_or_waits_with_a_reason(demo_run):
    _, summary = demo_run
    for detail in summary["claim_details"]:
        if detail["status"] in ALLOWED:
            continue
        assert detail["reason"].startswith("Waiting for"), detail


@pytest.mark.e2e
def test_totals_match_the_ledger(demo_run):
    from claimflow.ledger import Ledger

    home, summary = demo_run
    ledger = Ledger(f"sqlite:///{home / 'ledger.db'}")
    ids = [d["claim_id"] for d in summary["claim_details"]]
    totals = ledger.totals(ids)
    assert f"{totals.billed:.2f}" == summary["billed"]
    assert f"{totals.paid:.2f}" == summary["paid"]
    assert f"{totals.outstanding:.2f}" == summary["outstanding"]


@pytest.mark.e2e
def test_each_claims_figures_add_up_to_the_totals(demo_run):
    _, summary = demo_run
    details = summary["claim_details"]
    for key in ("billed", "paid", "adjusted", "patient_responsibility", "outstanding"):
        per_claim = sum(Decimal(d[key]) for d in details)
        assert f"{per_claim:.2f}" == summary[key], key
    for detail in details:
        owed = Decimal(detail["billed"]) - sum(
            Decimal(detail[key])
            for key in ("paid", "adjusted", "patient_responsibility")
        )
        assert f"{owed:.2f}" == detail["outstanding"], detail
