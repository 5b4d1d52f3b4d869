"""Institutional and dental claims come back from the ledger as they went in."""

from __future__ import annotations

from claimflow.intake.x837 import store_claim
from claimflow.models import Claim, line_control_number, patient_control_number
from claimflow.x12 import build_837d, build_837i
from tests.x12.conftest import SUBMITTER, make_envelope
from tests.x12.test_x837d import make_dental
from tests.x12.test_x837i import make_inpatient


def _as_stored(ledger, claim: Claim, claim_id: int) -> Claim:
    """The claim with the numbers and ids the ledger gave it."""
    stored = ledger.get_claim(claim_id)
    lines = [
        line.model_copy(
            update={"line_control_number": line_control_number(claim_id, 1, n)}
        )
        for n, line in enumerate(claim.lines, start=1)
    ]
    return claim.model_copy(
        update={
            "claim_id": claim_id,
            "patient_control_number": patient_control_number(claim_id, 1),
            "encounter_id": stored.encounter_id,
            "patient": claim.patient.model_copy(
                update={"patient_id": stored.patient.patient_id}
            ),
            "lines": lines,
        }
    )


def test_inpatient_claim_read_back_rebuilds_the_same_837i(ledger):
    claim = make_inpatient(1)
    claim_id = store_claim(ledger, claim)

    back = ledger.get_claim(claim_id)
    expected = _as_stored(ledger, claim, claim_id)

    assert [(line.revenue_code, line.procedure) for line in back.lines] == [
        ("0450", ""),
        ("0300", "80053"),
    ]
    assert back.lines == expected.lines
    assert back.institutional == expected.institutional
    def build(claim: Claim) -> str:
        return build_837i([claim], make_envelope(), SUBMITTER, "SIM", "SIMID")

    assert build(back) == build(expected)
    assert "SV2*0450*HC:" not in build(back)
    assert "SV2*0300*HC:80053:91*42.25*UN*2~" in build(back)


def test_dental_claim_read_back_rebuilds_the_same_837d(ledger):
    claim = make_dental(1)
    first = claim.lines[0].model_copy(update={"prosthesis": "R"})
    claim = claim.model_copy(update={"lines": [first, *claim.lines[1:]]})
    claim_id = store_claim(ledger, claim)

    back = ledger.get_claim(claim_id)
    expected = _as_stored(ledger, claim, claim_id)

    assert [(t.number, t.surfaces) for t in back.lines[0].teeth] == [("30", ["M", "O"])]
    assert back.lines[0].prosthesis == "R"
    assert back.lines[1].oral_cavity == ["01", "02"]
    assert back.lines == expected.lines
    def build(claim: Claim) -> str:
        return build_837d([claim], make_envelope(), SUBMITTER, "SIM", "SIMID")

    assert build(back) == build(expected)
    assert "TOO*JP*30*M:O~" in build(back)
