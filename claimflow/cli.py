"""The ``claimflow`` command.

claimflow demo [--limit N] [--json] [--keep-running]
claimflow worker
claimflow server
claimflow rules check [PATH]
claimflow rules test [PATH]
claimflow schema [NAME]
claimflow ledger upgrade
claimflow work list [--queue Q] [--all]
claimflow quarantine list

A mistake a person can fix (a missing file, a bad date, no ledger yet) is one
line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from claimflow.config import Settings
from claimflow.ledger_cli import LedgerUnavailable, open_for_reading, schema_problem


class InputFileError(Exception):
    """A file named on the command line cannot be read (exit status 2)."""


def _require_file(path: str) -> None:
    """Stop before reading ``path`` when it is missing, a folder or unreadable."""
    target = Path(path)
    if target.is_dir():
        raise InputFileError(f"{path} is a folder, not a file")
    if not target.exists():
        raise InputFileError(f"{path}: no such file")
    if not os.access(target, os.R_OK):
        raise InputFileError(f"{path}: not allowed to read it")


def _require_ledger(database_url: str) -> None:
    """Stop a read-only command before it creates or misreads a ledger."""
    problem = schema_problem(database_url)
    if problem is not None:
        raise LedgerUnavailable(problem)


def _iso_date(text: str) -> date:
    """An argparse type: a calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD)"
        ) from None


def _stop_children_on_sigterm() -> None:
    # A plain `kill PID` should stop what we started as Ctrl-C does: raising
    # KeyboardInterrupt runs the same clean-up (the children are stopped).
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _demo(args: argparse.Namespace) -> int:
    from claimflow.demo import DemoOptions, run_demo

    options = DemoOptions(
        limit=args.limit,
        json=args.json,
        keep_running=args.keep_running,
        temporal_port=args.temporal_port,
        ui_port=None if args.headless else args.ui_port,
        simulator_port=args.simulator_port,
        settle_timeout=args.settle_timeout,
    )
    _stop_children_on_sigterm()
    try:
        asyncio.run(run_demo(options))
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except RuntimeError as err:
        print(f"claimflow demo: {err}", file=sys.stderr)
        return 1
    return 0


def _worker(_: argparse.Namespace) -> int:
    import worker

    return worker.main()


def _server(args: argparse.Namespace) -> int:
    from claimflow.devserver import ensure_search_attributes, start_dev_server

    settings = Settings.from_env()
    _stop_children_on_sigterm()
    try:
        server = start_dev_server(
            settings.home, port=args.port, ui_port=args.ui_port
        )
    except RuntimeError as err:
        print(f"claimflow server: {err}", file=sys.stderr)
        return 1

    async def register() -> None:
        from temporalio.client import Client

        client = await Client.connect(server.address)
        await ensure_search_attributes(client, settings.namespace)

    try:
        asyncio.run(register())
        print(
            f"Temporal dev server on {server.address}; Web UI {server.ui_url}",
            flush=True,
        )
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _rules(args: argparse.Namespace) -> int:
    from dsl import cli

    # `rules check PATH` / `rules test PATH`: the positional is the rules folder.
    folder = args.claim_file if args.action in ("check", "test") else None
    path = args.path or folder or Settings.from_env().rules_dir
    if args.action == "check":
        return cli.check_command(path)
    if args.action == "test":
        return cli.test_command(path)
    if args.claim_file:
        _require_file(args.claim_file)
        return cli.explain_command(args.claim_file, path, args.payer)
    if args.claim is None:
        print("rules explain needs --claim ID or a claim JSON file", file=sys.stderr)
        return 2
    from claimflow.ledger import NotFoundError

    ledger = open_for_reading(Settings.from_env().database_url)
    try:
        claim = ledger.get_claim(args.claim)
        checked = ledger.latest_eligibility(args.claim)
    except NotFoundError:
        print(f"no claim {args.claim} in the ledger", file=sys.stderr)
        return 1
    finally:
        ledger.engine.dispose()
    today = datetime.now(UTC).date()
    if checked is None:
        print("No 270/271 on record: explained as if the coverage were active.")
        return cli.explain_claim(
            claim, None, as_of=today, path=path, payer_id=args.payer
        )
    result, checked_on = checked
    return cli.explain_claim(
        claim, result, today, checked_on=checked_on, path=path, payer_id=args.payer
    )


def _intake(args: argparse.Namespace) -> int:
    from claimflow.intake.x837 import intake_837
    from claimflow.ledger import Ledger
    from claimflow.starter import connect, start_claim

    _require_file(args.file)
    settings = Settings.from_env()
    ledger = Ledger(settings.database_url)
    ledger.create_all()
    report = intake_837(ledger, Path(args.file), settings.home / "outbox" / "999")
    answered = (
        f"999 in {report.acknowledgment}"
        if report.acknowledgment is not None
        else "no 999: the file had no readable interchange"
    )
    print(
        f"{args.file}: {len(report.claim_ids) + len(report.held)} claim(s) read, "
        f"{len(report.rejected)} transaction(s) rejected; {answered}"
    )
    if report.first_received is not None:
        print(
            f"  already received on {report.first_received.date().isoformat()} "
            f"as inbound file {report.file_id}; nothing new"
        )
    for reason in report.rejected:
        print(f"  rejected: {reason}")
    for claim_id in report.held:
        print(
            f"  claim {claim_id}: held, no workflow started: "
            f"{report.hold_reasons[claim_id]} (see the work queue)"
        )
    if not report.claim_ids:
        return 1 if report.rejected else 0

    async def start() -> None:
        client = await connect(settings)
        for claim_id in report.claim_ids:
            handle = await start_claim(client, ledger, claim_id, settings.task_queue)
            print(f"  claim {claim_id}: workflow {handle.id}")

    try:
        asyncio.run(start())
    except RuntimeError as err:
        print(
            f"Claims are in the ledger, but their workflows were not started: {err}. "
            "Run the same command again once Temporal is up.",
            file=sys.stderr,
        )
        return 1
    return 1 if report.rejected else 0


def _x12(args: argparse.Namespace) -> int:
    from claimflow.x12 import cli

    command = {
        "validate": cli.validate_command,
        "show": cli.show_command,
        "json": cli.json_command,
    }[args.action]
    _require_file(args.file)
    return command(args.file)


def _report(args: argparse.Namespace) -> int:
    from claimflow.reports.cli import report_command

    fmt = "json" if args.json else "csv" if args.csv else "text"
    database_url = Settings.from_env().database_url
    _require_ledger(database_url)
    return report_command(database_url, fmt, args.as_of)


def _remittance(args: argparse.Namespace) -> int:
    from claimflow import remittance_cli

    settings = Settings.from_env()
    _require_ledger(settings.database_url)
    if args.action == "list":
        status = None if args.all else "held"
        return remittance_cli.list_command(settings.database_url, status)
    if args.id is None:
        print(f"remittance {args.action} needs the remittance ID", file=sys.stderr)
        return 2
    if args.action == "show":
        return remittance_cli.show_command(settings.database_url, args.id)
    if args.reason is None:
        print("remittance release needs --reason TEXT", file=sys.stderr)
        return 2
    return remittance_cli.release_command(settings, args.id, args.reason)


def _patient(args: argparse.Namespace) -> int:
    from claimflow import patient_cli

    database_url = Settings.from_env().database_url
    _require_ledger(database_url)
    if args.action == "credit":
        return patient_cli.credit_command(database_url, args.patient_id)
    if args.amount is None or not args.reason or not args.reference:
        print(
            "patient refund needs AMOUNT, --reason TEXT and --reference REF",
            file=sys.stderr,
        )
        return 2
    return patient_cli.refund_command(
        database_url, args.patient_id, args.amount, args.reason, args.reference, args.on
    )


def _ledger(_: argparse.Namespace) -> int:
    from claimflow.ledger_cli import upgrade_command

    return upgrade_command(Settings.from_env().database_url)


def _work(args: argparse.Namespace) -> int:
    from claimflow.work_cli import work_list_command

    return work_list_command(Settings.from_env().database_url, args.queue, args.all)


def _quarantine(_: argparse.Namespace) -> int:
    from claimflow.work_cli import quarantine_list_command

    return quarantine_list_command(Settings.from_env().database_url)


def _codec_server(args: argparse.Namespace) -> int:
    import threading

    from claimflow.codec import serve_codec

    server, url = serve_codec(
        Settings.from_env().home, args.port, args.ui_port, args.host
    )
    print(f"codec server on {url} for the Web UI on port {args.ui_port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


def _schema(args: argparse.Namespace) -> int:
    from claimflow import messages

    models = {
        name: value
        for name, value in vars(messages).items()
        if isinstance(value, type)
        and issubclass(value, messages.Message)
        and value is not messages.Message
    }
    if not args.name:
        print("Messages a claim workflow takes (name: kind, model):")
        for name, (kind, model) in CLAIM_MESSAGES.items():
            print(f"  {name:<20} {kind:<7} {model}")
        print("Other models (activities, batches, inbox):")
        others = sorted(set(models) - {m for _, m in CLAIM_MESSAGES.values()})
        print("  " + ", ".join(others))
        return 0
    model_name = CLAIM_MESSAGES.get(args.name, (None, args.name))[1]
    if model_name not in models:
        known = ", ".join(list(CLAIM_MESSAGES) + sorted(models))
        print(f"unknown message {args.name!r}; one of: {known}")
        return 1
    print(json.dumps(models[model_name].model_json_schema(), indent=2))
    return 0


# The integration contract: what to send a claim, and the model that describes it.
CLAIM_MESSAGES = {
    "acknowledgment": ("signal", "AcknowledgmentSignal"),
    "remittance": ("signal", "RemittanceSignal"),
    "coverage_updated": ("signal", "CoverageUpdated"),
    "patient_payment": ("signal", "PatientPayment"),
    "patient_balance_settled": ("signal", "PatientBalanceSettled"),
    "void": ("signal", "VoidRequest"),
    "submitted": ("signal", "SubmittedSignal"),
    "correct_claim": ("update", "CorrectClaim"),
    "resolve_work_item": ("update", "ResolveWorkItem"),
    "status_view": ("query", "ClaimStatusView"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimflow", description="Claim lifecycle engine on Temporal."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the sample encounters end to end")
    demo.add_argument("--limit", type=int, help="first N billable encounters")
    demo.add_argument("--json", action="store_true", help="summary as JSON")
    demo.add_argument("--keep-running", action="store_true", help="leave everything up")
    demo.add_argument(
        "--temporal-port",
        type=int,
        default=7233,
        help="port of the embedded Temporal dev server on 127.0.0.1 "
        "(default %(default)s)",
    )
    demo.add_argument(
        "--ui-port",
        type=int,
        default=8233,
        help="port of the Temporal Web UI (default %(default)s)",
    )
    demo.add_argument("--headless", action="store_true", help="no Web UI")
    demo.add_argument(
        "--simulator-port",
        type=int,
        default=8765,
        help="port of the payer simulator the claims are sent to "
        "(default %(default)s)",
    )
    demo.add_argument(
        "--settle-timeout",
        type=float,
        default=600,
        help="seconds to wait for every claim to close or wait for a person "
        "before the summary (default %(default)s)",
    )
    demo.set_defaults(run=_demo)

    sub.add_parser("worker", help="run a worker").set_defaults(run=_worker)

    server = sub.add_parser("server", help="run the embedded Temporal dev server")
    server.add_argument("--port", type=int, default=7233)
    server.add_argument("--ui-port", type=int, default=8233)
    server.set_defaults(run=_server)

    rules = sub.add_parser(
        "rules",
        help="check, test and explain payer rule files",
        description="check: every error of every file; test: the analysts' "
        "tests; explain: every edit's outcome on one claim, with its trace",
    )
    rules.add_argument("action", choices=["check", "test", "explain"])
    rules.add_argument(
        "claim_file",
        nargs="?",
        help="check/test: the rules folder; explain: a claim JSON file",
    )
    rules.add_argument("--claim", type=int, help="explain: a claim in the ledger")
    rules.add_argument("--payer", help="explain: the payer's rules to use")
    rules.add_argument("--rules", dest="path", help="the rules folder")
    rules.set_defaults(run=_rules)

    intake = sub.add_parser("intake", help="read claims from a practice system")
    intake.add_argument("kind", choices=["837"])
    intake.add_argument("file")
    intake.set_defaults(run=_intake)

    x12 = sub.add_parser("x12", help="validate, show or convert an X12 file")
    x12.add_argument("action", choices=["validate", "show", "json"])
    x12.add_argument("file")
    x12.set_defaults(run=_x12)

    report = sub.add_parser(
        "report", help="collections, days in A/R, aging, denial rates, balances"
    )
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true")
    report.add_argument("--as-of", type=_iso_date, help="YYYY-MM-DD (default today)")
    report.set_defaults(run=_report)

    remittance = sub.add_parser(
        "remittance",
        help="list held 835s, show one, release one",
        description="list: held 835s (--all: every 835); show ID: its deposit, "
        "differences, claims and PLB pairs; release ID --reason TEXT: post it "
        "as it is and tell its claims (through the running inbox workflow)",
    )
    remittance.add_argument("action", choices=["list", "show", "release"])
    remittance.add_argument("id", nargs="?", type=int, help="the remittance ID")
    remittance.add_argument("--reason", help="release: why it may post as it is")
    remittance.add_argument("--all", action="store_true", help="list: every 835")
    remittance.set_defaults(run=_remittance)

    patient = sub.add_parser(
        "patient",
        help="a patient's unapplied credit; refund it",
        description="credit ID: unapplied credit and balance; refund ID AMOUNT "
        "--reason TEXT --reference REF: give credit back (a patient_refund entry)",
    )
    patient.add_argument("action", choices=["credit", "refund"])
    patient.add_argument("patient_id", type=int, help="the ledger's patient ID")
    patient.add_argument("amount", nargs="?", help="refund: the amount")
    patient.add_argument("--reason", help="refund: why, in plain words")
    patient.add_argument("--reference", help="refund: check or card refund ID")
    patient.add_argument(
        "--on", type=_iso_date, help="refund: business date YYYY-MM-DD"
    )
    patient.set_defaults(run=_patient)

    codec = sub.add_parser(
        "codec-server", help="decode payloads for the Web UI (same key as workers)"
    )
    codec.add_argument("--port", type=int, default=8081)
    codec.add_argument("--ui-port", type=int, default=8233)
    codec.add_argument("--host", default="127.0.0.1")
    codec.set_defaults(run=_codec_server)

    schema = sub.add_parser("schema", help="print a message's JSON schema")
    schema.add_argument("name", nargs="?")
    schema.set_defaults(run=_schema)

    ledger = sub.add_parser(
        "ledger",
        help="upgrade the ledger to this claimflow's schema",
        description="upgrade: bring the ledger (DATABASE_URL or the data "
        "folder's ledger.db) to the newest schema, as a worker does at start",
    )
    ledger.add_argument("action", choices=["upgrade"])
    ledger.set_defaults(run=_ledger)

    work = sub.add_parser(
        "work",
        help="list work items waiting for a person",
        description="list: open work items (id, queue, claim, due, title), "
        "oldest first; read from the ledger",
    )
    work.add_argument("action", choices=["list"])
    work.add_argument("--queue", help="only this queue, e.g. Billing-Corrections")
    work.add_argument("--all", action="store_true", help="resolved items too")
    work.set_defaults(run=_work)

    quarantine = sub.add_parser(
        "quarantine",
        help="list inbound files and transactions set aside, with the reason",
    )
    quarantine.add_argument("action", choices=["list"])
    quarantine.set_defaults(run=_quarantine)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except LedgerUnavailable as err:
        print(err, file=sys.stderr)
        return 1
    except InputFileError as err:
        print(err, file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly. Point stdout at
        # devnull so the flush at exit does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
