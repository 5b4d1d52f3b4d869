"""The payer simulator answers 837I and 837D files as it answers 837Ps.

Each answer (999, 277CA, 835) validates clean with the project's maps; the
835 of an institutional claim names its facility type in CLP08 and its lines
by revenue code, the 835 of a dental claim names its lines with ``AD``.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from clearinghouse_helpers import ROSTER, build_claim, envelope

from claimflow.clearinghouse.adjudication import adjudicate, claim_seed
from claimflow.clearinghouse.coordination import adjudicate_secondary
from claimflow.clearinghouse.engine import SimulatorEngine
from claimflow.clearinghouse.payers import payer_profile
from claimflow.clearinghouse.roster import parse_roster
from claimflow.clearinghouse.x12io import PAYER_ADDRESS, PAYER_PHONE
from claimflow.models import (
    Coverage,
    InstitutionalDetails,
    Provider,
    Remittance,
    Tooth,
)
from claimflow.x12 import (
    build_835,
    build_837d,
    build_837i,
    build_secondary_claim,
    parse_835,
    parse_999,
    validate,
)

D = Decimal
SUBMITTER = Provider(npi="1234567893", name="Maple Street Clinic")
STAY = InstitutionalDetails(
    admission_date=date(2026, 2, 28),
    admission_hour=time(9, 0),
    admission_type="1",
    admission_source="7",
    patient_status="01",
    drg="292",
)


def _inpatient():
    claim = build_claim(31, [("", "1200.00"), ("80053", "84.50")])
    room, lab = claim.lines
    return claim.model_copy(
        update={
            "kind": "institutional",
            "facility_type_code": "11",
            "statement_from": date(2026, 2, 28),
            "statement_through": date(2026, 3, 2),
            "institutional": STAY,
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


def _dental():
    claim = build_claim(32, [("D2392", "185.00"), ("D1110", "95.50")])
    filling, cleaning = claim.lines
    return claim.model_copy(
        update={
            "kind": "dental",
            "lines": [
                filling.model_copy(
                    update={"teeth": [Tooth(number="30", surfaces=["M", "O"])]}
                ),
                cleaning.model_copy(update={"oral_cavity": ["01"]}),
            ],
        }
    )


@pytest.fixture
def engine(tmp_path: Path) -> SimulatorEngine:
    return SimulatorEngine(tmp_path / "sim", parse_roster(json.dumps(ROSTER)))


def _answers(engine: SimulatorEngine) -> dict[str, str]:
    return {
        entry["kind"]: engine.state.inbox_file(entry["name"]).read_text()
        for entry in engine.state.list_inbox()
    }


def _segments(text: str, segment_id: str) -> list[str]:
    parts = (s.strip() for s in text.split("~"))
    return [s for s in parts if s.startswith(segment_id + "*")]


def test_an_inpatient_837i_gets_clean_answers_and_an_institutional_835(engine):
    text = build_837i([_inpatient()], envelope(), SUBMITTER, "SIM", "CLAIMFLOWSIM")
    assert validate(text).ok

    engine.submit(text, "inpatient")

    answers = _answers(engine)
    assert sorted(answers) == ["277CA", "835", "999"]
    assert {kind: validate(body).findings for kind, body in answers.items()} == {
        "999": [],
        "277CA": [],
        "835": [],
    }
    assert parse_999(answers["999"])[0].accepted
    clp = _segments(answers["835"], "CLP")
    assert len(clp) == 1 and clp[0].split("*")[1:4] == ["C31V1", "1", "1284.50"]
    assert clp[0].split("*")[8] == "11"  # CLP08: the facility type billed
    svc = _segments(answers["835"], "SVC")
    assert [s.split("*")[1] for s in svc] == ["NU:0120", "HC:80053"]
    assert svc[1].split("*")[4] == "0300"  # SVC04: the HC line's revenue code
    remit = parse_835(answers["835"])[0].claims[0]
    assert remit.facility_type_code == "11"
    assert [(line.qualifier, line.procedure) for line in remit.lines] == [
        ("NU", "0120"),
        ("HC", "80053"),
    ]
    # Medicaid allows 45%; the seeded mix denies the room line (CO-50).
    assert [(line.charge, line.paid) for line in remit.lines] == [
        (Decimal("1200.00"), Decimal("0.00")),
        (Decimal("84.50"), Decimal("38.03")),
    ]
    assert [(a.group, a.reason, a.amount) for a in remit.all_adjustments()] == [
        ("CO", "50", Decimal("1200.00")),
        ("CO", "45", Decimal("46.47")),
    ]
    assert remit.paid == Decimal("38.03")


def test_a_dental_837d_gets_clean_answers_and_ad_lines(engine):
    text = build_837d([_dental()], envelope(), SUBMITTER, "SIM", "CLAIMFLOWSIM")
    assert validate(text).ok

    engine.submit(text, "dental")

    answers = _answers(engine)
    assert sorted(answers) == ["277CA", "835", "999"]
    assert {kind: validate(body).findings for kind, body in answers.items()} == {
        "999": [],
        "277CA": [],
        "835": [],
    }
    clp = _segments(answers["835"], "CLP")
    assert clp[0].split("*")[1:4] == ["C32V1", "1", "280.50"]
    assert len(clp[0].split("*")) == 8  # no CLP08 on a dental claim
    svc = _segments(answers["835"], "SVC")
    assert [s.split("*")[1:3] for s in svc] == [
        ["AD:D2392", "185.00"],
        ["AD:D1110", "95.50"],
    ]
    remit = parse_835(answers["835"])[0].claims[0]
    assert [line.line_control_number for line in remit.lines] == ["C32V1L1", "C32V1L2"]
    assert [(line.qualifier, line.paid) for line in remit.lines] == [
        ("AD", Decimal("83.25")),
        ("AD", Decimal("42.98")),
    ]
    assert remit.paid == Decimal("126.23")



def test_an_institutional_secondary_is_settled_with_its_revenue_lines():
    primary = _inpatient().model_copy(
        update={
            "coverage": _inpatient().coverage.model_copy(
                update={"payer_id": "MEDICARE", "payer_name": "Medicare"}
            )
        }
    )
    first = adjudicate(primary, payer_profile("MEDICARE"), claim_seed(primary))
    coverage = Coverage(
        payer_id="AETNA",
        payer_name="Aetna",
        member_id="SEC0001",
        priority="secondary",
    )
    claim = build_secondary_claim(primary, first, coverage)

    remit = adjudicate_secondary(claim, payer_profile("AETNA"))

    # Medicare denied the room (CO-50) and left 9.30 coinsurance on the panel;
    # Aetna pays that 9.30 and restates the rest as the earlier payer's (OA-23).
    assert (remit.paid, remit.patient_responsibility) == (D("9.30"), D("0.00"))
    assert [(line.paid, line.adjustments[0].amount) for line in remit.lines] == [
        (D("0.00"), D("1200.00")),
        (D("9.30"), D("75.20")),
    ]
    assert remit.facility_type_code == "11"
    assert [
        (line.qualifier, line.procedure, line.revenue_code) for line in remit.lines
    ] == [("NU", "0120", None), ("HC", "80053", "0300")]
    text = build_835(
        Remittance(
            transaction_control_number="0001",
            trace_number="SIM1",
            payer_name="Aetna",
            payer_id="1234567890",
            payee_name="Maple Street Clinic",
            payee_npi="1234567893",
            payment_amount=remit.paid,
            payment_method="ACH" if remit.paid > 0 else "NON",
            payment_date=date(2026, 3, 5),
            production_date=date(2026, 3, 5),
            claims=[remit],
        ),
        envelope(),
        payer_address=PAYER_ADDRESS,
        payer_phone=PAYER_PHONE,
    )
    assert validate(text).findings == []
    assert [s.split("*")[8] for s in _segments(text, "CLP")] == ["11"]
