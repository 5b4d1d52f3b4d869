"""Runs the claimflow worker: connects to Temporal and serves our workflows.

    TEMPORAL_ADDRESS=localhost:7233 python worker.py

The payer rules are compiled and their analyst tests run before the worker polls: a
ruleset with an error or a failing test is never served, and the worker says why.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import sys

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker

from activities.batches import BatchActivities
from activities.claims import ClaimActivities
from activities.inbox import InboxActivities
from activities.patients import PatientActivities
from claimflow.clearinghouse import open_clearinghouse
from claimflow.codec import data_converter
from claimflow.config import Settings
from claimflow.ledger import Ledger
from claimflow.messages import InboxInput
from dsl import RuleRegistry, RulesetError
from dsl.cli import folder_problem
from workflows.batch import SubmissionBatchWorkflow
from workflows.claim import ClaimWorkflow
from workflows.inbox import InboxWorkflow

logger = logging.getLogger("claimflow.worker")

INBOX_WORKFLOW_ID = "inbox-clearinghouse"


async def ensure_inbox(client: Client, settings: Settings) -> None:
    """Make sure one inbox workflow reads this clearinghouse's answers."""
    await client.start_workflow(
        InboxWorkflow.run,
        InboxInput(poll_seconds=settings.inbox_poll_seconds),
        id=INBOX_WORKFLOW_ID,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="Reads 999, 277CA and 835 files from the clearinghouse",
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.namespace,
        data_converter=data_converter(settings.home),
    )


def build_worker(
    client: Client,
    task_queue: str,
    ledger: Ledger,
    clearinghouse,
    rules: RuleRegistry,
    executor: concurrent.futures.Executor,
    batch_window_seconds: float,
) -> Worker:
    """A worker serving every claimflow workflow and activity on one task queue."""
    claims = ClaimActivities(ledger, clearinghouse, rules)
    inbox = InboxActivities(ledger, clearinghouse, client)
    batches = BatchActivities(
        ledger, clearinghouse, client, task_queue, batch_window_seconds
    )
    patients = PatientActivities(ledger, client)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ClaimWorkflow, InboxWorkflow, SubmissionBatchWorkflow],
        activities=claims.all() + inbox.all() + batches.all() + patients.all(),
        activity_executor=executor,
        max_concurrent_activities=16,
    )


async def run(settings: Settings) -> int:
    missing = folder_problem(settings.rules_dir)
    if missing is not None:
        print(f"Refusing to start: {missing}", file=sys.stderr)
        return 2
    try:
        rules = RuleRegistry.load(settings.rules_dir, archive=settings.rules_archive)
    except RulesetError as err:
        print(
            f"Refusing to start: the payer rules do not check.\n{err}", file=sys.stderr
        )
        return 2
    ledger = Ledger(settings.database_url)
    ledger.create_all()
    clearinghouse = open_clearinghouse(settings.clearinghouse_url)
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(
            client,
            settings.task_queue,
            ledger,
            clearinghouse,
            rules,
            executor,
            settings.batch_window_seconds,
        )
        logger.info(
            "worker on %s, task queue %s",
            settings.temporal_address,
            settings.task_queue,
        )
        async with worker:
            await ensure_inbox(client, settings)
            await stop.wait()
    return 0


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return asyncio.run(run(Settings.from_env()))


if __name__ == "__main__":
    sys.exit(main())
