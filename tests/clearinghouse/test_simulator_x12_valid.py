"""Every kind of file the payer simulator writes validates clean under pyx12.

The simulator answers 837s with 999, 277CA and 835, 270s with 271 and 276s with
277. Each answer here comes from the engine for a mix of outcomes (paid, paid
with a patient share, denied, rejected on the 277CA, unknown member, coverage
ended, a syntax error) and is checked with the project's maps: no findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clearinghouse_helpers import (
    ROSTER,
    build_claim,
    eligibility_inquiry,
    envelope,
    interchange,
)

from claimflow.clearinghouse.engine import SimulatorEngine
from claimflow.clearinghouse.plan_codes import insurance_type, remit_filing_indicator
from claimflow.clearinghouse.roster import parse_roster
from claimflow.x12 import (
    build_270,
    build_276,
    parse_271,
    parse_277,
    parse_277ca,
    parse_835,
    parse_999,
    validate,
)

HUMANA = {"member_id": "MBR0004", "payer_id": "HUMANA", "start": "2025-06-01"}
LINES = [("99213", "100.00"), ("85025", "35.00")]
SCENARIOS = {
    "C1V1": "pay",
    "C3V1": "deny:CO:29",
    "C4V1": "reject_277ca",
    "C13V1": "partial_pr:12.50",
    "C9V1": "deny:CO:16",
}


@pytest.fixture
def engine(tmp_path: Path) -> SimulatorEngine:
    roster = parse_roster(json.dumps([*ROSTER, HUMANA]))
    simulated = SimulatorEngine(tmp_path / "sim", roster)
    simulated.replace_scenarios(json.dumps(SCENARIOS).encode())
    return simulated


def _claims():
    return [
        *(build_claim(n, LINES) for n in (1, 3, 4, 13, 20)),
        build_claim(7, LINES, member_id="NOSUCH"),
        build_claim(8, LINES, payer_id="MEDICARE", member_id="MBR0002"),
        build_claim(5, LINES, payer_id="AETNA", member_id="MBR0003"),
        build_claim(9, LINES, payer_id="HUMANA", member_id="MBR0004"),
    ]


def _inbox(engine: SimulatorEngine) -> list[tuple[str, str]]:
    return [
        (entry["kind"], engine.state.inbox_file(entry["name"]).read_text())
        for entry in engine.state.list_inbox()
    ]


def _findings(files: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    return [(kind, [str(f) for f in validate(text).findings]) for kind, text in files]


def test_answers_to_a_mixed_837_validate_clean(engine):
    engine.submit(interchange(_claims()), "mixed")

    files = _inbox(engine)
    kinds = ["999", "277CA", "277CA", "277CA", "277CA", "835", "835", "835"]
    assert _findings(files) == [(kind, []) for kind in kinds]
    (ack,) = parse_999(files[0][1])
    assert ack.accepted
    statuses = [
        (a.patient_control_number, a.status_codes[0])
        for _, text in files[1:5]
        for a in parse_277ca(text)
    ]
    assert statuses == [
        ("C1V1", "A2:20"),
        ("C3V1", "A2:20"),
        ("C4V1", "A7:21"),
        ("C13V1", "A2:20"),
        ("C20V1", "A2:20"),
        ("C7V1", "A7:33"),
        ("C8V1", "A7:97"),
        ("C5V1", "A2:20"),
        ("C9V1", "A2:20"),
    ]
    medicaid, aetna, humana = (parse_835(text)[0] for _, text in files[5:])
    outcomes = [
        (c.patient_control_number, c.status_code, c.paid, c.patient_responsibility)
        for c in medicaid.claims
    ]
    assert [o[:2] for o in outcomes] == [
        ("C1V1", "1"),
        ("C3V1", "4"),
        ("C13V1", "1"),
        ("C20V1", "1"),
    ]
    assert outcomes[1][2:] == (0, 0)
    assert str(outcomes[2][3]) == "12.50"
    # A commercial plan (SBR09 CI) has no CLP06 code of its own: ZZ.
    assert "CLP*C5V1*1*135.00*" in files[6][1]
    assert [c.filing_indicator for c in aetna.claims] == ["ZZ"]
    assert [c.filing_indicator for c in medicaid.claims] == ["MC"] * 4
    # A payer that denied everything still sends its 835: no payment (NON).
    assert (str(humana.payment_amount), humana.payment_method) == ("0.00", "NON")
    assert "BPR*H*0.00*C*NON************20260305~" in files[7][1]


def test_rejecting_999s_validate_clean(engine):
    good = interchange([build_claim(1, LINES)], 1)
    bad = interchange([build_claim(2, LINES)], 2).replace(
        "CLM*C2V1*135.00*", "CLM*C2V1*1X5.00*"
    )

    engine.submit(bad, "all-bad")
    engine.submit(good + bad, "one-bad")

    files = _inbox(engine)
    assert _findings(files) == [
        ("999", []),
        ("999", []),
        ("277CA", []),
        ("835", []),
    ]
    assert "IK3*CLM*18**8~\nIK4*2**6*1X5.00~\nIK5*R*5~\nAK9*R*1*1*0~" in files[0][1]
    # The file of two interchanges: one 999 set per group, the good one accepted.
    acks = parse_999(files[1][1])
    assert [(a.transaction_control_number, a.accepted) for a in acks] == [
        ("0001", True),
        ("0002", False),
    ]
    assert [a.patient_control_number for a in parse_277ca(files[2][1])] == ["C1V1"]
    assert engine.state.stats()["rejected_syntax"] == 2


@pytest.mark.parametrize(
    ("payer_id", "member_id", "benefit"),
    [
        # The roster gives MBR0001 no plan type: commercial (CI), EB04 C1.
        pytest.param("MEDICAID", "MBR0001", "EB*1**30*C1~", id="active-default"),
        pytest.param("MEDICARE", "MBR0002", "EB*6**30*MB~", id="ended-medicare"),
        pytest.param("MEDICAID", "NOSUCH", "AAA*N**72*C~", id="unknown-member"),
    ],
)
def test_271_validates_clean(engine, payer_id, member_id, benefit):
    inquiry = eligibility_inquiry("T0001", payer_id, member_id)

    answer = engine.eligibility(build_270(inquiry, envelope(7)))

    assert validate(answer).findings == []
    assert benefit in answer
    (result,) = parse_271(answer)
    assert result.active is benefit.startswith("EB*1")


def test_277_status_answers_validate_clean(engine):
    claims = _claims()
    engine.submit(interchange(claims), "status")
    never_sent = build_claim(99, [("99213", "50.00")])

    answers = {
        claim.patient_control_number: engine.claim_status(
            build_276(claim, envelope(9), "MAPLE STREET CLINIC", "CLAIMFLOW01")
        )
        for claim in [*claims, never_sent]
    }

    assert {pcn: validate(text).findings for pcn, text in answers.items()} == {
        pcn: [] for pcn in answers
    }
    statuses = {
        pcn: parse_277(text)[0].status_codes[0]
        for pcn, text in answers.items()
    }
    assert statuses == {
        "C1V1": "F1:65",
        "C3V1": "F2:1",
        "C4V1": "A7:21",
        "C13V1": "F1:65",
        "C20V1": "F1:65",
        "C7V1": "A7:33",
        "C8V1": "A7:97",
        "C5V1": "F1:65",
        "C9V1": "F2:1",
        "C99V1": "A4:35",
    }
    # An unknown claim's STC04 is the charge the inquiry gave (AMT*T3).
    assert "STC*A4:35*20260305**50.00~" in answers["C99V1"]


def test_plan_type_in_each_answers_code_list():
    plans = ["12", "16", "CI", "BL", "MB", "VA"]
    assert [remit_filing_indicator(p) for p in plans] == [
        "12",
        "16",
        "ZZ",
        "ZZ",
        "MB",
        "VA",
    ]
    assert [insurance_type(p) for p in plans] == ["PR", "HN", "C1", "C1", "MB", "OT"]
