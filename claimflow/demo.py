"""``claimflow demo``: the whole claim lifecycle on the embedded defaults.

It starts the Temporal dev server (unless ``TEMPORAL_ADDRESS`` points at one), the
payer simulator and a worker as child processes, takes the Synthea sample through the
encounter intake, starts one ``ClaimWorkflow`` per billable encounter and the inbox
workflow, shows progress until every claim has settled (closed, written off, in patient
billing, or waiting for a person with its reason) and prints a summary whose totals come
from the ledger. Children are stopped on exit and on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from claimflow.codec import data_converter, serve_codec
from claimflow.config import PROJECT_ROOT, Settings
from claimflow.devserver import (
    DevServer,
    ensure_search_attributes,
    port_is_free,
    start_dev_server,
    wait_for_port,
)
from claimflow.ledger import Ledger
from claimflow.messages import ClaimStatusView
from claimflow.models import FINAL_STATUSES, ClaimStatus
from claimflow.starter import start_claim
from workflows.claim import ClaimWorkflow

SETTLED_STATUSES = {s.value for s in FINAL_STATUSES} | {
    ClaimStatus.PATIENT_BILLING.value
}
# The ledger's figures, for the whole run and for each claim.
MONEY_KEYS = ("billed", "paid", "adjusted", "patient_responsibility", "outstanding")


@dataclass
class DemoOptions:
    limit: int | None = None
    json: bool = False
    keep_running: bool = False
    temporal_port: int = 7233
    ui_port: int | None = 8233
    simulator_port: int = 8765
    settle_timeout: float = 600
    as_of: date | None = None


@dataclass
class Children:
    """The processes the demo started, stopped in reverse order."""

    server: DevServer | None = None
    codec: ThreadingHTTPServer | None = None
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in reversed(self.processes):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.server is not None:
            self.server.stop()
        if self.codec is not None:
            self.codec.shutdown()
            self.codec.server_close()


def _child_env(settings: Settings, temporal_address: str, clearinghouse: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "CLAIMFLOW_HOME": str(settings.home),
            "DATABASE_URL": settings.database_url,
            "TEMPORAL_ADDRESS": temporal_address,
            "CLAIMFLOW_CLEARINGHOUSE_URL": clearinghouse,
            "CLAIMFLOW_TASK_QUEUE": settings.task_queue,
            "CLAIMFLOW_INBOX_POLL_SECONDS": "1",
            # Ready claims go out every 3 seconds, not once a day.
            "CLAIMFLOW_BATCH_WINDOW_SECONDS": "3",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _spawn(name: str, args: list[str], env: dict, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            args,
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def _check_alive(children: Children, home: Path) -> None:
    for name, process in children.processes:
        if process.poll() is not None:
            log = (home / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"the {name} stopped (exit {process.returncode}):\n{log}"
            )


class Progress:
    """A progress bar on a terminal, plain lines otherwise (and nothing with --json)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.last = -1
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(transient=True)
            self.task = self.bar.add_task("claims settled", total=total)
            self.bar.start()

    def update(self, settled: int, counts: Counter) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=settled)
        elif not self.quiet and settled != self.last:
            shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            print(f"  {settled}/{self.total} settled ({shown})", flush=True)
        self.last = settled

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _settled(
    view: ClaimStatusView, secondary: ClaimStatusView | None = None
) -> bool:
    """Whether a claim has got as far as the demo takes it.

    A claim whose patient share went to the secondary payer is as far as its
    secondary claim is. Once the secondary claim has ended, the primary closes
    (it reads its balances and closes a moment later): until it has, its
    status and the summary's figures would still be those of the hand-over.
    """
    if view.status == ClaimStatus.SECONDARY_BILLED:
        if secondary is None or secondary.status in FINAL_STATUSES:
            return False
        return _settled(secondary)
    if view.status.value in SETTLED_STATUSES:
        return True
    return bool(view.work_items) and view.waiting_for.startswith("Waiting for")


async def run_demo(options: DemoOptions) -> dict:
    """Run the demo and return its summary (also printed)."""
    settings = Settings.from_env()
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if options.json else (lambda *a: print(*a, flush=True))
    children = Children()
    try:
        # Temporal: the embedded dev server unless TEMPORAL_ADDRESS names one.
        if "TEMPORAL_ADDRESS" in os.environ:
            address = settings.temporal_address
            ui_url = None
        else:
            say(f"Starting the Temporal dev server (state in {home / 'temporal.db'})")
            codec_url = None
            if options.ui_port:
                children.codec, codec_url = serve_codec(home, ui_port=options.ui_port)
            children.server = start_dev_server(
                home,
                port=options.temporal_port,
                ui_port=options.ui_port,
                codec_endpoint=codec_url,
            )
            address = children.server.address
            ui_url = children.server.ui_url
        client = await Client.connect(
            address,
            namespace=settings.namespace,
            data_converter=data_converter(home),
        )
        added = await ensure_search_attributes(client, settings.namespace)
        if added:
            say(f"Registered search attributes: {', '.join(added)}")

        # The payer simulator and the worker, as children of this process.
        clearinghouse = f"http://127.0.0.1:{options.simulator_port}"
        if not port_is_free(options.simulator_port):
            raise RuntimeError(f"port {options.simulator_port} is already in use")
        env = _child_env(settings, address, clearinghouse)
        children.processes.append(
            (
                "simulator",
                _spawn(
                    "simulator",
                    [
                        sys.executable,
                        "-m",
                        "claimflow.clearinghouse.simulator",
                        "--port",
                        str(options.simulator_port),
                        "--data-dir",
                        str(home / "simulator"),
                    ],
                    env,
                    home / "simulator.log",
                ),
            )
        )
        if not wait_for_port(options.simulator_port, 30):
            _check_alive(children, home)
            raise RuntimeError("the payer simulator did not start")
        children.processes.append(
            (
                "worker",
                _spawn(
                    "worker",
                    [sys.executable, str(PROJECT_ROOT / "worker.py")],
                    env,
                    home / "worker.log",
                ),
            )
        )

        # Encounter intake into the ledger.
        ledger = Ledger(settings.database_url)
        ledger.create_all()
        summary = await _intake_and_run(
            client, ledger, settings, options, clearinghouse, children, say
        )
        summary["web_ui"] = f"{ui_url}/namespaces/default/workflows" if ui_url else None
        _print_summary(summary, options, say)
        if options.keep_running:
            say("Server, worker and simulator keep running; Ctrl-C stops them.")
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                print("Stopping the worker, the simulator and the server.", flush=True)
        return summary
    finally:
        children.stop()


async def _intake_and_run(
    client: Client,
    ledger: Ledger,
    settings: Settings,
    options: DemoOptions,
    clearinghouse: str,
    children: Children,
    say,
) -> dict:
    from claimflow.intake.synthea import (
        billed_secondary,
        intake,
        load_synthea,
        plan_claims,
    )

    as_of = options.as_of or datetime.now(UTC).date()
    data = load_synthea()
    plan = plan_claims(data, options.limit, as_of)
    result = intake(ledger, plan)
    say(
        f"Intake: {len(result.claim_ids)} claim(s) from billable encounters "
        f"({result.created} new, {result.already_there} from an earlier run in "
        f"{settings.home}), {len(result.unbillable)} encounter(s) not billable"
    )
    say(
        "Dates of service are moved forward into the last 28 days (whole weeks, "
        "ages kept) so that no payer's filing limit has passed."
    )

    # The payer knows its members: the simulator's roster comes from our coverages.
    roster = [
        {
            "member_id": c.coverage.member_id,
            "payer_id": c.coverage.payer_id,
            "start": c.coverage.start.isoformat() if c.coverage.start else None,
            "end": c.coverage.end.isoformat() if c.coverage.end else None,
            "plan_type": c.coverage.plan_type,
        }
        for c in (ledger.get_claim(i) for i in result.claim_ids)
    ]
    # ... and the secondary payers theirs, on the billed dates.
    roster += [
        {
            "member_id": s.member_id,
            "payer_id": s.payer_id,
            "start": s.start.isoformat() if s.start else None,
            "end": s.end.isoformat() if s.end else None,
            "plan_type": s.plan_type,
        }
        for s in map(billed_secondary, plan.claims)
        if s is not None
    ]
    httpx.put(f"{clearinghouse}/v1/roster", json=roster, timeout=30).raise_for_status()

    handles: dict[int, WorkflowHandle] = {
        claim_id: await start_claim(client, ledger, claim_id, settings.task_queue)
        for claim_id in result.claim_ids
    }

    views, secondaries = await _wait_until_settled(
        client, handles, options, children, settings.home
    )
    summary = _summarise(ledger, result, views, secondaries)
    summary["simulator"] = httpx.get(f"{clearinghouse}/v1/stats", timeout=30).json()
    return summary


async def _view(handle: WorkflowHandle) -> ClaimStatusView | None:
    try:
        return await handle.query(ClaimWorkflow.status_view)
    except Exception:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.RUNNING:
            return None
        result = await handle.result()
        return ClaimStatusView(
            claim_id=result.claim_id,
            status=result.status,
            waiting_for="finished",
            version=0,
            ruleset_hash=None,
            filing_deadline=None,
            balances=result.balances,
            findings=[],
            denial_codes=[],
            work_items=[],
            history=[],
        )


async def _secondary_views(
    client: Client, views: dict[int, ClaimStatusView]
) -> dict[int, ClaimStatusView]:
    """The secondary claims' views, by the claim whose share went to them."""
    started = {
        cid: v.secondary_claim_id
        for cid, v in views.items()
        if v.secondary_claim_id is not None
    }
    found = await asyncio.gather(
        *(
            _view(client.get_workflow_handle(f"claim-{secondary}"))
            for secondary in started.values()
        )
    )
    return {
        cid: v for cid, v in zip(started, found, strict=True) if v is not None
    }


async def _wait_until_settled(
    client: Client,
    handles: dict[int, WorkflowHandle],
    options: DemoOptions,
    children: Children,
    home: Path,
) -> tuple[dict[int, ClaimStatusView], dict[int, ClaimStatusView]]:
    progress = Progress(len(handles), options.json)
    deadline = time.monotonic() + options.settle_timeout
    views: dict[int, ClaimStatusView] = {}
    try:
        while True:
            _check_alive(children, home)
            found = await asyncio.gather(*(_view(h) for h in handles.values()))
            views = {
                cid: v for cid, v in zip(handles, found, strict=True) if v is not None
            }
            secondaries = await _secondary_views(client, views)
            settled = sum(
                1 for cid, v in views.items() if _settled(v, secondaries.get(cid))
            )
            progress.update(settled, Counter(v.status.value for v in views.values()))
            if settled == len(handles) or time.monotonic() > deadline:
                return views, secondaries
            await asyncio.sleep(1)
    finally:
        progress.close()


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _summarise(
    ledger: Ledger,
    result,
    views: dict[int, ClaimStatusView],
    secondaries: dict[int, ClaimStatusView] | None = None,
) -> dict:
    # The secondary claims' money is on their primary claims' accounts.
    secondaries = secondaries or {}
    totals = ledger.totals(list(result.claim_ids))
    by_status = Counter(v.status.value for v in views.values())
    payer_of = {}
    adjudicated: Counter = Counter()
    denied: Counter = Counter()
    details = []
    for claim_id in result.claim_ids:
        claim = ledger.get_claim(claim_id)
        payer = claim.coverage.payer_id
        payer_of[claim_id] = payer
        view = views.get(claim_id)
        if view is None:
            details.append({"claim_id": claim_id, "payer": payer, "status": "unknown"})
            continue
        if (
            view.balances.paid
            or view.denial_codes
            or view.status
            in (
                ClaimStatus.DENIED,
                ClaimStatus.PAID,
                ClaimStatus.PARTIALLY_PAID,
            )
        ):
            adjudicated[payer] += 1
        if view.denial_codes:
            denied[payer] += 1
        # The claim's figures come from the ledger, as the totals do: the
        # workflow's own copy is from its last read and lags behind a
        # secondary claim that posts to this claim's account.
        balance = ledger.claim_balance(claim_id)
        detail = {
            "claim_id": claim_id,
            "payer": payer,
            "status": view.status.value,
            "reason": view.waiting_for,
            **{key: _money(getattr(balance, key)) for key in MONEY_KEYS},
            "denial_codes": view.denial_codes,
        }
        secondary = secondaries.get(claim_id)
        if secondary is not None:
            detail["secondary"] = {
                "claim_id": secondary.claim_id,
                "status": secondary.status.value,
                "reason": secondary.waiting_for,
                "settled": _settled(secondary),
            }
        details.append(detail)
    return {
        "claims": len(result.claim_ids),
        "by_status": dict(sorted(by_status.items())),
        **{key: _money(getattr(totals, key)) for key in MONEY_KEYS},
        "unbillable": [
            {"encounter": u.encounter_key, "date": str(u.start), "reason": u.reason}
            for u in result.unbillable
        ],
        "denial_rate_by_payer": {
            payer: f"{denied[payer] / count:.2f}"
            for payer, count in sorted(adjudicated.items())
        },
        "secondary_claims": len(secondaries),
        "secondary_by_status": dict(
            sorted(Counter(v.status.value for v in secondaries.values()).items())
        ),
        "claim_details": details,
    }


def _print_summary(summary: dict, options: DemoOptions, say) -> None:
    if options.json:
        print(json.dumps(summary, separators=(",", ":")))
        return
    say("")
    say(f"Claims: {summary['claims']}")
    for status, count in summary["by_status"].items():
        say(f"  {status:<16} {count}")
    if summary["secondary_claims"]:
        say(
            f"Secondary claims: {summary['secondary_claims']} (the primary's "
            "patient share, billed to the secondary payer)"
        )
        for status, count in summary["secondary_by_status"].items():
            say(f"  {status:<16} {count}")
    say("Money (from the ledger):")
    for key in MONEY_KEYS:
        say(f"  {key.replace('_', ' '):<24} {summary[key]:>12}")
    say("Denial rate by payer:")
    for payer, rate in summary["denial_rate_by_payer"].items():
        say(f"  {payer:<10} {rate}")
    waiting = [
        d.get("secondary", d)
        for d in summary["claim_details"]
        if d["status"] not in SETTLED_STATUSES
        and d.get("secondary", {}).get("settled") is not True
    ]
    if waiting:
        say("Waiting:")
        for d in waiting:
            say(f"  claim-{d['claim_id']} ({d['status']}): {d['reason']}")
    if summary["unbillable"]:
        say(f"Not billable: {len(summary['unbillable'])} encounter(s)")
        reasons = Counter(
            re.sub(r" on \d{4}-\d{2}-\d{2}$", "", u["reason"])
            for u in summary["unbillable"]
        )
        for reason, count in reasons.most_common():
            say(f"  {count:>3} x {reason}")
    if summary.get("web_ui"):
        when = (
            "open now"
            if options.keep_running
            else "run again with --keep-running to browse it"
        )
        say(
            f"Web UI: {summary['web_ui']} ({when}); filter for example "
            'ClaimStatus = "patient_billing" AND PayerId = "AETNA"'
        )
