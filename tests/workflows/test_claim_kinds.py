"""Institutional and dental claims from intake to closed, on the time-skipping server.

An inpatient 837I and a dental 837D arrive from a practice system, go through
``intake_837`` into the ledger and start their workflows; each goes out in its
payer's batch of its own form, the simulator answers 999, 277CA and 835, the
835 posts and both claims close, to the cent. A claim the builder refuses is
held with a work item naming why and never holds back the others.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal as D

import httpx
import sqlalchemy as sa
from temporalio.testing import ActivityEnvironment

from activities.batches import BatchActivities
from claimflow import x12
from claimflow.clearinghouse import open_clearinghouse
from claimflow.intake.x837 import intake_837
from claimflow.messages import BatchEntry, BatchTransmit
from claimflow.models import Claim, ClaimStatus, InstitutionalDetails, Tooth
from claimflow.starter import start_claim
from tests.conftest import put_json
from tests.factories import CLINIC, make_claim, store_claim
from tests.workflows.test_claim_workflow import Harness, harness, recent, status_is

__all__ = ["harness"]  # the fixture, imported for the tests below


def _inpatient(day: date) -> Claim:
    """A two-day stay billed by the hospital: room and board, and a panel."""
    plain = make_claim(
        service_date=day,
        member_id="SYN000101",
        lines=[("", "1800.00"), ("80053", "84.50")],
        diagnoses=["I20.0"],
    )
    room, lab = plain.lines
    return plain.model_copy(
        update={
            "patient_control_number": "STAY1",
            "kind": "institutional",
            "facility_type_code": "11",
            "statement_from": day,
            "statement_through": day,
            "institutional": InstitutionalDetails(
                admission_date=day,
                admission_hour=time(8, 15),
                admission_type="1",
                admission_source="7",
                patient_status="01",
                drg="311",
            ),
            "lines": [
                room.model_copy(
                    update={"revenue_code": "0120", "place_of_service": ""}
                ),
                lab.model_copy(
                    update={"revenue_code": "0300", "place_of_service": ""}
                ),
            ],
        }
    )


def _dental(day: date) -> Claim:
    """A filling on tooth 30 and a cleaning of both arches."""
    plain = make_claim(
        service_date=day,
        member_id="SYN000102",
        lines=[("D2392", "185.00"), ("D1110", "95.50")],
        diagnoses=["K02.52"],
    )
    filling, cleaning = plain.lines
    return plain.model_copy(
        update={
            "patient_control_number": "TEETH1",
            "kind": "dental",
            "lines": [
                filling.model_copy(
                    update={"teeth": [Tooth(number="30", surfaces=["M", "O"])]}
                ),
                cleaning.model_copy(
                    update={"oral_cavity": ["01", "02"], "diagnosis_pointers": []}
                ),
            ],
        }
    )


def _practice_file(harness: Harness, claim: Claim, name: str, number: int):
    """The claim as the practice system sends it, written to a file."""
    envelope = x12.Envelope(
        sender_id="PRACTICE",
        receiver_id="CLAIMFLOW",
        interchange_control_number=number,
        group_control_number=number,
        transaction_control_number=f"{number:04d}",
        created=datetime(2026, 3, 2, 9, 30),
        contact_phone="5555550100",
    )
    build = x12.build_837i if claim.kind == "institutional" else x12.build_837d
    path = harness.ledger_home / name
    path.write_text(build([claim], envelope, CLINIC, "CLAIMFLOW", "CLAIMFLOW"))
    return path


async def _start_stored(harness: Harness, claim_id: int):
    """Start the workflow of a claim intake put in the ledger, as the CLI does."""
    handle = await start_claim(
        harness.env.client, harness.ledger, claim_id, harness.task_queue
    )
    harness.handles.append(handle)
    harness.by_claim[claim_id] = handle
    return handle


def _roster(harness: Harness, claims: list[Claim]) -> None:
    put_json(
        f"{harness.simulator.url}/v1/roster",
        [
            {
                "member_id": c.coverage.member_id,
                "payer_id": c.coverage.payer_id,
                "start": str(c.coverage.start),
                "end": str(c.coverage.end),
                "plan_type": c.coverage.plan_type,
            }
            for c in claims
        ],
    )


def _sent_837(harness: Harness, claim_id: int) -> str:
    """The interchange the claim's version 1 went out in."""
    sub = harness.ledger.submission_for(claim_id, 1)
    with harness.ledger.engine.connect() as c:
        return c.execute(
            sa.text(
                "select content from submission_batches"
                " where transaction_control_number = :st"
            ),
            dict(st=sub.transaction_control_number),
        ).scalar_one()


def _segments(text: str, segment_id: str) -> list[str]:
    parts = (s.strip() for s in text.split("~"))
    return [s for s in parts if s.startswith(segment_id + "*")]


async def test_inpatient_and_dental_claims_go_from_intake_to_closed(
    harness: Harness, tmp_path
):
    harness.ledger_home = tmp_path
    day = await recent(harness.env)
    stay, teeth = _inpatient(day), _dental(day)
    _roster(harness, [stay, teeth])
    reports = [
        intake_837(harness.ledger, _practice_file(harness, c, n, i), tmp_path / "999")
        for i, (c, n) in enumerate([(stay, "stay.837i"), (teeth, "teeth.837d")], 1)
    ]
    assert [(r.rejected, r.held, len(r.claim_ids)) for r in reports] == [
        ([], [], 1),
        ([], [], 1),
    ]
    stay_id, teeth_id = reports[0].claim_ids[0], reports[1].claim_ids[0]
    handles = [await _start_stored(harness, i) for i in (stay_id, teeth_id)]

    for handle in handles:
        await harness.until(handle, status_is(ClaimStatus.CLOSED))
        assert (await handle.result()).status == ClaimStatus.CLOSED

    # One interchange per form: the two claims never share an 837.
    stats = httpx.get(f"{harness.simulator.url}/v1/stats").json()
    assert (stats["submissions"], stats["claims_received"]) == (2, 2)
    institutional, dental = _sent_837(harness, stay_id), _sent_837(harness, teeth_id)
    assert institutional != dental
    assert x12.validate(institutional).ok and x12.validate(dental).ok
    assert "*005010X223A3~" in institutional and "*005010X224A2~" in dental
    [clm] = _segments(institutional, "CLM")
    assert clm.split("*")[1:3] == [f"C{stay_id}V1", "1884.50"]
    assert clm.split("*")[5] == "11:A:1"  # CLM05: facility type 11, inpatient
    assert _segments(institutional, "CL1") == ["CL1*1*7*01"]
    assert [s.split("*")[1:3] for s in _segments(institutional, "SV2")] == [
        ["0120", ""],
        ["0300", "HC:80053"],
    ]
    [clm] = _segments(dental, "CLM")
    assert clm.split("*")[1:3] == [f"C{teeth_id}V1", "280.50"]
    assert [s.split("*")[1:3] for s in _segments(dental, "SV3")] == [
        ["AD:D2392", "185.00"],
        ["AD:D1110", "95.50"],
    ]
    assert _segments(dental, "TOO") == ["TOO*JP*30*M:O"]

    # Medicaid allows 45% of each line (CO-45 the rest); nothing to the patient.
    # Stay: 810.00 + 38.03; teeth: 83.25 + 42.98.
    balances = [harness.ledger.claim_balance(i) for i in (stay_id, teeth_id)]
    assert [
        (b.billed, b.paid, b.adjusted, b.patient_responsibility, b.outstanding)
        for b in balances
    ] == [
        (D("1884.50"), D("848.03"), D("1036.47"), D("0.00"), D("0.00")),
        (D("280.50"), D("126.23"), D("154.27"), D("0.00"), D("0.00")),
    ]
    views = [await harness.view(handle) for handle in handles]
    assert [v.adjustment_codes for v in views] == [["CO-45"], ["CO-45"]]
    # The 835s that were posted: the stay's facility type and revenue code,
    # the teeth's CDT codes.
    with harness.ledger.engine.connect() as c:
        posted = c.execute(
            sa.text("select content from inbound_files where kind = '835'")
        ).scalars()
        remits = "".join(bytes(content).decode() for content in posted)
    clps = {s.split("*")[1]: s.split("*") for s in _segments(remits, "CLP")}
    assert clps[f"C{stay_id}V1"][3:5] + clps[f"C{stay_id}V1"][8:] == [
        "1884.50",
        "848.03",
        "11",
    ]
    assert len(clps[f"C{teeth_id}V1"]) == 8  # no CLP08 on a dental claim
    assert sorted(s.split("*")[1:4] for s in _segments(remits, "SVC")) == [
        ["AD:D1110", "95.50", "42.98"],
        ["AD:D2392", "185.00", "83.25"],
        ["HC:80053", "84.50", "38.03"],
        ["NU:0120", "1800.00", "810.00"],
    ]


def _without_revenue_code(claim: Claim) -> Claim:
    """The stay with its room line's revenue code lost: no 837I can carry it."""
    room, lab = claim.lines
    room = room.model_copy(update={"revenue_code": None, "procedure": "99223"})
    return claim.model_copy(update={"lines": [room, lab]})


def test_a_claim_the_builder_refuses_is_left_out_of_its_batch(ledger, simulator):
    day = date(2026, 2, 27)
    good = _inpatient(day)
    bad = _without_revenue_code(good.model_copy(update={"patient_control_number": "B"}))
    ids = [store_claim(ledger, c, f"batch-{n}") for n, c in enumerate([bad, good])]
    batches = BatchActivities(
        ledger, open_clearinghouse(simulator.url), None, "unused", 86400
    )
    entries = [
        BatchEntry(
            claim_id=i, version=1, idempotency_key=f"k{i}", workflow_id=f"claim-{i}"
        )
        for i in ids
    ]

    outcomes = ActivityEnvironment().run(
        batches.transmit_batch, BatchTransmit(batch_key="b-1", entries=entries)
    )

    by_claim = {o.claim_id: o for o in outcomes}
    assert by_claim[ids[1]].sent is True
    refused = by_claim[ids[0]]
    assert (refused.sent, refused.error_type) == (False, "ClaimDataError")
    assert refused.error.startswith(
        f"left out of batch b-1: claim {ids[0]} cannot be written on an 837I: "
    )
    assert "revenue code" in refused.error
    stats = httpx.get(f"{simulator.url}/v1/stats").json()
    assert (stats["submissions"], stats["claims_received"]) == (1, 1)


async def test_a_claim_the_builder_refuses_is_held_with_a_work_item(
    harness: Harness,
):
    claim = _without_revenue_code(_inpatient(await recent(harness.env)))
    harness.roster(claim)
    claim_id, handle = await harness.start(claim)

    view = await harness.until(
        handle,
        lambda v: v.status == ClaimStatus.REJECTED and bool(v.work_items),
        pump=False,
    )

    [item] = view.work_items
    assert (item.queue, item.title) == ("EDI-Support", "Submission failed")
    [stored] = harness.ledger.open_work_items(claim_id)
    assert stored.work_item_id == item.work_item_id
    assert f"claim {claim_id} cannot be written on an 837I: " in stored.reason
    assert "revenue code" in stored.reason
    assert harness.ledger.submission_for(claim_id, 1).status == "left_out"
    stats = httpx.get(f"{harness.simulator.url}/v1/stats").json()
    assert stats["submissions"] == 0
    assert harness.ledger.claim_balance(claim_id).outstanding == D("1884.50")
