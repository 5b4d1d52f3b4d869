"""The ``claimflow`` command.

claimflow demo [--limit N] [--json] [--keep-running]
claimflow worker
claimflow server
claimflow rules check [PATH]
claimflow rules test [PATH]
claimflow schema [NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from claimflow.config import Settings


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
    server = start_dev_server(settings.home, port=args.port, ui_port=args.ui_port)

    async def register() -> None:
        from temporalio.client import Client

        client = await Client.connect(server.address)
        await ensure_search_attributes(client, settings.namespace)

    asyncio.run(register())
    print(f"Temporal dev server on {server.address}; Web UI {server.ui_url}")
    try:
        server.process.wait()
    except KeyboardInterrupt:
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
        return cli.explain_command(args.claim_file, path, args.payer)
    if args.claim is None:
        print("rules explain needs --claim ID or a claim JSON file", file=sys.stderr)
        return 2
    from claimflow.ledger import Ledger

    ledger = Ledger(Settings.from_env().database_url)
    claim = ledger.get_claim(args.claim)
    today = datetime.now(UTC).date()
    checked = ledger.latest_eligibility(args.claim)
    if checked is None:
        print("No 270/271 on record: explained as if the coverage were active.")
        return cli.explain_claim(claim, None, as_of=today, path=path)
    result, checked_on = checked
    return cli.explain_claim(claim, result, today, checked_on=checked_on, path=path)


def _intake(args: argparse.Namespace) -> int:
    from claimflow.intake.x837 import intake_837
    from claimflow.ledger import Ledger
    from claimflow.starter import connect, start_claim

    settings = Settings.from_env()
    ledger = Ledger(settings.database_url)
    ledger.create_all()
    report = intake_837(ledger, Path(args.file), settings.home / "outbox" / "999")
    print(
        f"{args.file}: {len(report.claim_ids) + len(report.held)} claim(s) read, "
        f"{len(report.rejected)} transaction(s) rejected; "
        f"999 in {report.acknowledgment}"
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
    return command(args.file)


def _report(args: argparse.Namespace) -> int:
    from claimflow.reports.cli import report_command

    fmt = "json" if args.json else "csv" if args.csv else "text"
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    return report_command(Settings.from_env().database_url, fmt, as_of)


def _remittance(args: argparse.Namespace) -> int:
    from claimflow import remittance_cli

    settings = Settings.from_env()
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
    if args.action == "credit":
        return patient_cli.credit_command(database_url, args.patient_id)
    if args.amount is None or not args.reason or not args.reference:
        print(
            "patient refund needs AMOUNT, --reason TEXT and --reference REF",
            file=sys.stderr,
        )
        return 2
    on = date.fromisoformat(args.on) if args.on else None
    return patient_cli.refund_command(
        database_url, args.patient_id, args.amount, args.reason, args.reference, on
    )


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
    demo.add_argument("--temporal-port", type=int, default=7233)
    demo.add_argument("--ui-port", type=int, default=8233)
    demo.add_argument("--headless", action="store_true", help="no Web UI")
    demo.add_argument("--simulator-port", type=int, default=8765)
    demo.add_argument("--settle-timeout", type=float, default=600)
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
    report.add_argument("--as-of", help="YYYY-MM-DD (default today)")
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
    patient.add_argument("--on", help="refund: business date YYYY-MM-DD")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
