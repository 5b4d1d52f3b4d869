"""Replay the committed claim histories with today's workflow code.

A change to ``ClaimWorkflow`` that would break a claim already running (a new
activity call, a reordered timer) fails here instead of in production. The corpus is
recorded from the workflow tests with ``CLAIMFLOW_RECORD_HISTORIES=1``. ``v1-*`` are
claims from before submission batches (they replay through the unpatched branch of
``workflow.patched("submission-batches")``); ``v2-*`` are batched claims, from before
secondary claims (``v2-coinsurance-patient-paid`` bills the patient without the
``cob-secondary-claims`` patch); ``v3-*`` are a primary whose patient share went to
the secondary payer and that secondary claim; ``v4-*`` are a patient payment whose
credit paid off another claim (``patient-credit-settles``) and that other claim;
``v5-*`` the same after ``overpayment-credit-settles`` (billing the patient also
tells the claims an overpayment's credit paid); ``v6-*`` a claim sent through a
mailbox clearinghouse, which has no real-time 271
(``eligibility-without-realtime-271``); ``v7-*`` such a claim whose 276 status
inquiries go to a person instead (``status-inquiry-without-realtime-277``),
until its 835 wait escalates. A change to running code goes
behind a new ``workflow.patched`` and adds a new version.
"""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.claim import ClaimWorkflow

HISTORIES = sorted(
    (Path(__file__).resolve().parents[1] / "fixtures" / "histories").glob("*.json")
)


def test_the_corpus_covers_the_main_claim_paths():
    paths = [
        "coinsurance-patient-paid",
        "denied-corrected-resubmitted-paid",
        "no-remittance-escalated",
        "paid-in-full",
    ]
    assert [p.stem for p in HISTORIES] == [
        f"{version}-{path}" for version in ("v1", "v2") for path in paths
    ] + [
        "v3-secondary-billed-then-closed",
        "v3-secondary-claim-patient-paid",
        "v4-patient-balance-settled-by-credit",
        "v4-patient-paid-credit-to-another",
        "v5-patient-balance-settled-by-credit",
        "v5-patient-paid-credit-to-another",
        "v6-mailbox-no-realtime-eligibility",
        "v7-mailbox-status-inquiry-by-hand",
    ]


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_without_nondeterminism(path: Path):
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    result = await Replayer(
        workflows=[ClaimWorkflow], data_converter=pydantic_data_converter
    ).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None
