"""The `claimflow` command's answers to mistakes: one line a person can act on,
a non-zero exit status, never a traceback, and nothing created by a read."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ActivityError, ApplicationError

from claimflow import remittance_cli
from claimflow.cli import main
from claimflow.config import Settings
from claimflow.ledger import Ledger, migrations
from tests.factories import make_claim, store_claim
from tests.ledger.ledger_builders import adj, clp, remittance, store

STRESS_837 = "tests/fixtures/x12/837P/ims-820-claims-stress.837"
NO_LEDGER = (
    "no ledger at sqlite:///{db} yet: run `claimflow demo` or "
    "`claimflow intake 837 FILE` first\n"
)


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    """A data folder that does not exist yet, and no DATABASE_URL."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLAIMFLOW_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return home


@pytest.fixture
def ledger(fresh_home):
    home = fresh_home
    url = f"sqlite:///{home / 'ledger.db'}"
    made = Ledger(url)
    made.create_all()
    yield made
    made.engine.dispose()


@pytest.mark.parametrize(
    "argv",
    [
        ["x12", "validate"],
        ["x12", "show"],
        ["x12", "json"],
        ["intake", "837"],
    ],
    ids=["validate", "show", "json", "intake"],
)
def test_a_missing_file_or_a_folder_is_named(argv, tmp_path, fresh_home, capsys):
    missing = str(tmp_path / "nope.837")
    assert main([*argv, missing]) == 2
    assert capsys.readouterr().err == f"{missing}: no such file\n"
    assert main([*argv, str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path} is a folder, not a file\n"
    assert not fresh_home.exists()


def test_explain_an_unknown_claim_and_an_unknown_payer(ledger, capsys):
    assert main(["rules", "explain", "--claim", "9999"]) == 1
    assert capsys.readouterr().err == "no claim 9999 in the ledger\n"
    claim_id = store_claim(
        ledger, make_claim(payer_id="MEDICAID", service_date=date(2026, 11, 2)), "x"
    )
    assert main(["rules", "explain", "--claim", str(claim_id)]) == 0
    out = capsys.readouterr().out
    assert "\nruleset MEDICAID v" in out
    # --payer picks another payer's ruleset for the same claim.
    assert main(["rules", "explain", "--claim", str(claim_id), "--payer", "AETNA"]) == 0
    out = capsys.readouterr().out
    assert "\nruleset AETNA v" in out
    argv = ["rules", "explain", "--claim", str(claim_id), "--payer", "NOBODY"]
    assert main(argv) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "No ruleset for payer 'NOBODY' covers 2026-11-02 "
        "(windows of 'NOBODY': none loaded)"
    )


def test_a_bad_as_of_date_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["report", "--as-of", "2026-13-01"])
    assert refused.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "claimflow report: error: argument --as-of: '2026-13-01' is not a date "
        "(YYYY-MM-DD)"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["remittance", "list"],
        ["remittance", "show", "1"],
        ["rules", "explain", "--claim", "1"],
        ["report"],
        ["patient", "credit", "1"],
        ["work", "list"],
        ["quarantine", "list"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_a_read_on_a_fresh_home_says_what_to_run_and_creates_nothing(
    argv, fresh_home, capsys
):
    assert main(argv) == 1
    db = fresh_home / "ledger.db"
    assert capsys.readouterr().err == NO_LEDGER.format(db=db)
    assert not fresh_home.exists()


def test_an_empty_ledger_file_counts_as_no_ledger(fresh_home, capsys):
    fresh_home.mkdir()
    (fresh_home / "ledger.db").write_bytes(b"")
    assert main(["report"]) == 1
    assert capsys.readouterr().err == NO_LEDGER.format(db=fresh_home / "ledger.db")
    assert (fresh_home / "ledger.db").stat().st_size == 0


def test_an_older_ledger_says_how_to_upgrade_and_upgrade_does_it(fresh_home, capsys):
    url = f"sqlite:///{fresh_home / 'ledger.db'}"
    old = Ledger(url)
    migrations.upgrade(old.engine, "0001")
    old.engine.dispose()
    head = migrations.head_revision()
    assert main(["work", "list"]) == 1
    assert capsys.readouterr().err == (
        f"the ledger at {url} is at an older schema (revision 0001; this claimflow "
        f"reads {head}): start a worker, which upgrades it, or run "
        "`claimflow ledger upgrade`\n"
    )
    assert main(["ledger", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"the ledger at {url} was upgraded from schema revision 0001 to {head}\n"
    )
    assert main(["ledger", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"the ledger at {url} is already at schema revision {head}\n"
    )
    assert main(["work", "list"]) == 0
    assert capsys.readouterr().out == "0 open work items\n"


def test_ledger_upgrade_on_a_fresh_home_creates_nothing(fresh_home, capsys):
    assert main(["ledger", "upgrade"]) == 1
    assert capsys.readouterr().err == NO_LEDGER.format(db=fresh_home / "ledger.db")
    assert not fresh_home.exists()


@pytest.mark.parametrize(
    "command",
    [f"-m claimflow x12 json {STRESS_837}", "-m claimflow rules test"],
    ids=["x12 json", "rules test"],
)
def test_piping_into_head_ends_quietly(command):
    done = subprocess.run(
        f"{sys.executable} {command} | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    assert done.returncode in (0, 141)


@pytest.mark.parametrize("action", ["check", "test"])
def test_rules_on_a_missing_or_empty_folder_fail(action, tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    assert main(["rules", action, "--rules", str(missing)]) == 1
    assert capsys.readouterr().out == f"no rules folder at {missing}\n"
    (tmp_path / "README.md").write_text("rules go here\n")
    assert main(["rules", action, str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"no .rules files in {tmp_path}\n"


def test_the_worker_refuses_a_missing_or_empty_rules_folder(tmp_path, capsys):
    import worker

    missing = tmp_path / "rules"
    settings = Settings(home=tmp_path, rules_dir=missing)
    assert asyncio.run(worker.run(settings)) == 2
    assert capsys.readouterr().err == (
        f"Refusing to start: no rules folder at {missing}\n"
    )
    missing.mkdir()
    assert asyncio.run(worker.run(settings)) == 2
    assert capsys.readouterr().err == (
        f"Refusing to start: no .rules files in {missing}\n"
    )


def test_remittance_show_and_release_of_an_unknown_id(ledger, capsys):
    assert main(["remittance", "show", "999"]) == 1
    assert capsys.readouterr().err == (
        "claimflow remittance show: no remittance 999\n"
    )
    assert main(["remittance", "release", "99", "--reason", "by phone"]) == 1
    assert capsys.readouterr().err == "no 835 remittance 99 in the ledger\n"


def test_a_refused_release_prints_the_inbox_reason(ledger, capsys, monkeypatch):
    claim_id = store_claim(ledger, make_claim(service_date=date(2026, 11, 2)), "r")
    stored = store(
        ledger,
        remittance(
            clp(f"C{claim_id}V1", "1", "150.00", "90.00", [], [adj("CO-45", "20.00")])
        ),
    )
    refusal = ApplicationError("remittance 1 is being posted by another release")
    failure = ActivityError(
        "Activity task failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="w",
        activity_type="release_remittance",
        activity_id="1",
        retry_state=None,
    )
    failure.__cause__ = refusal
    update_failed = WorkflowUpdateFailedError(failure)
    update_failed.__cause__ = failure

    async def refused(settings, remittance_id, reason):
        raise update_failed

    monkeypatch.setattr(remittance_cli, "release", refused)
    argv = ["remittance", "release", str(stored.remittance_id), "--reason", "ok"]
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        f"claimflow remittance release: 835 remittance {stored.remittance_id} was "
        "not released: remittance 1 is being posted by another release\n"
    )


def test_intake_of_an_empty_file_and_of_the_same_file_again(
    tmp_path, fresh_home, capsys
):
    empty = tmp_path / "empty.837"
    empty.write_bytes(b"")
    assert main(["intake", "837", str(empty)]) == 1
    assert capsys.readouterr().out == (
        f"{empty}: 0 claim(s) read, 1 transaction(s) rejected; no 999: the file "
        "had no readable interchange\n"
        "  rejected: empty input; expected an ISA segment\n"
    )
    ledger = Ledger(f"sqlite:///{fresh_home / 'ledger.db'}")
    with ledger.engine.connect() as connection:
        connection.execute(
            text("UPDATE inbound_files SET received_at = '2026-11-20 09:30:00'")
        )
        connection.commit()
    ledger.engine.dispose()
    assert main(["intake", "837", str(empty)]) == 1
    assert capsys.readouterr().out == (
        f"{empty}: 0 claim(s) read, 1 transaction(s) rejected; no 999: the file "
        "had no readable interchange\n"
        "  already received on 2026-11-20 as inbound file 1; nothing new\n"
        "  rejected: empty input; expected an ISA segment\n"
    )


def test_x12_show_of_a_truncated_file_lists_what_is_missing(tmp_path, capsys):
    cut = tmp_path / "cut.837"
    cut.write_text(
        "ISA*00*          *00*          *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   "
        "*030101*1253*^*00501*000000905*1*T*:~"
        "GS*HC*SENDER CODE*RECEIVER CODE*19991231*0802*1*X*005010X222A1~"
        "ST*837*0021*005010X222A1~"
        "BHT*0019*00*244579*20061015*1023*CH~"
    )
    assert main(["x12", "show", str(cut)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "     4       BHT*0019*00*244579*20061015*1023*CH"
    tail = "(the file ends, or the next envelope starts, before it is closed)"
    assert lines[4:] == [
        f"{cut}: 3 structural finding(s)",
        f"  segment 3 ST: has no SE {tail}",
        f"  segment 2 GS: has no GE {tail}",
        f"  segment 1 ISA: has no IEA {tail}",
    ]
    whole = "tests/fixtures/x12/835/tr3-managed-care-two-claims.835"
    assert main(["x12", "show", whole]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "    30 IEA*1*000000907"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sigterm_stops_the_dev_server_the_server_command_started(tmp_path):
    env = {**os.environ, "CLAIMFLOW_HOME": str(tmp_path)}
    env.pop("TEMPORAL_ADDRESS", None)
    port, ui_port = _free_port(), _free_port()
    command = [sys.executable, "-m", "claimflow", "server", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--ui-port", str(ui_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    temporal = None
    try:
        ready = server.stdout.readline()
        assert ready.startswith(f"Temporal dev server on 127.0.0.1:{port};"), (
            ready + server.stderr.read()
        )
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        [temporal] = [int(pid) for pid in children.read_text().split()]
        assert "temporal" in Path(f"/proc/{temporal}/cmdline").read_text()
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
        assert not Path(f"/proc/{temporal}").exists()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if temporal is not None and Path(f"/proc/{temporal}").exists():
            os.kill(temporal, signal.SIGKILL)  # left behind: do not leak it


def test_demo_help_describes_every_port_and_the_settle_timeout(capsys):
    with pytest.raises(SystemExit) as shown:
        main(["demo", "--help"])
    assert shown.value.code == 0
    words = " ".join(capsys.readouterr().out.split())
    assert (
        "--temporal-port TEMPORAL_PORT port of the embedded Temporal dev server "
        "on 127.0.0.1 (default 7233)"
    ) in words
    assert "--ui-port UI_PORT port of the Temporal Web UI (default 8233)" in words
    assert (
        "--simulator-port SIMULATOR_PORT port of the payer simulator the claims "
        "are sent to (default 8765)"
    ) in words
    assert (
        "--settle-timeout SETTLE_TIMEOUT seconds to wait for every claim to close "
        "or wait for a person before the summary (default 600)"
    ) in words


def test_work_list_and_quarantine_list_read_the_ledger(ledger, tmp_path, capsys):
    claim_id = store_claim(ledger, make_claim(service_date=date(2026, 11, 2)), "w")
    coding = ledger.create_work_item(
        claim_id, "Coding", "Review coding", "CO-97", date(2026, 12, 11), "coding-1"
    )
    fix = ledger.create_work_item(
        claim_id,
        "Billing-Corrections",
        "Correct the claim",
        "CO-16",
        date(2026, 12, 9),
        "fix-1",
    )
    empty = tmp_path / "empty.837"
    empty.write_bytes(b"")
    assert main(["intake", "837", str(empty)]) == 1
    capsys.readouterr()

    assert main(["work", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "3 open work items",
        "   id  queue                       claim  due         title",
        f"{coding:>5}  Coding                     {claim_id:>6}  2026-12-11  "
        "Review coding",
        f"{fix:>5}  Billing-Corrections        {claim_id:>6}  2026-12-09  "
        "Correct the claim",
        f"{fix + 1:>5}  EDI-Support                     -  -           "
        "837 empty.837 quarantined",
    ]
    ledger.resolve_work_item(coding, "done", "recoded 99213")
    assert main(["work", "list", "--queue", "Coding"]) == 0
    assert capsys.readouterr().out == "0 open work items in queue Coding\n"
    assert main(["work", "list", "--queue", "Coding", "--all"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "   id  queue                       claim  due        status     title",
        f"{coding:>5}  Coding                     {claim_id:>6}  2026-12-11 "
        "resolved   Review coding",
    ]

    assert main(["quarantine", "list"]) == 0
    [file_id] = [f.file_id for f in ledger.list_quarantine()]
    received = ledger.inbound_file(file_id).received_at.date().isoformat()
    assert capsys.readouterr().out.splitlines() == [
        "1 quarantined file(s) or transaction(s)",
        f"{file_id:>5}  {received}  837           empty.837",
        "       reason: empty input; expected an ISA segment",
    ]
