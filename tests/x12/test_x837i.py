"""837I: builder output validated with the X223A3 map, exact segments, round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import Claim, ServiceLine
from claimflow.x12 import X12BuildError, build_837i, parse_837, validate

from .conftest import SUBMITTER, make_claim, make_envelope


def _build(claims) -> str:
    return build_837i(claims, make_envelope(), SUBMITTER, "PAYER SIM", "PAYERSIM")


def _lines(claim_id: int) -> list[ServiceLine]:
    return [
        ServiceLine(
            line_number=1,
            procedure="",
            revenue_code="0450",
            charge=Decimal("500.00"),
            service_date=date(2026, 2, 27),
            place_of_service="",
            line_control_number=f"C{claim_id}V1L1",
        ),
        ServiceLine(
            line_number=2,
            procedure="80053",
            modifiers=["91"],
            revenue_code="0300",
            charge=Decimal("42.25"),
            units=Decimal(2),
            service_date=date(2026, 2, 28),
            place_of_service="",
            line_control_number=f"C{claim_id}V1L2",
        ),
    ]


def make_institutional(claim_id: int = 1, relationship: str = "18", **changes):
    """An outpatient hospital claim (facility type 13) with two revenue lines."""
    fields = {
        "kind": "institutional",
        "facility_type_code": "13",
        "statement_from": date(2026, 2, 27),
        "statement_through": date(2026, 2, 28),
        "lines": _lines(claim_id),
    }
    fields.update(changes)
    return make_claim(claim_id, relationship=relationship, **fields)


def _carried(claim: Claim) -> Claim:
    """The claim as an 837I carries it: 2310D has no PRV, so no taxonomy."""
    rendering = claim.rendering_provider
    if rendering is None:
        return claim
    plain = rendering.model_copy(update={"taxonomy": None})
    return claim.model_copy(update={"rendering_provider": plain})


def test_built_837i_validates_clean_with_the_x223a3_map():
    text = _build([make_institutional(1), make_institutional(2, relationship="19")])
    assert "GS*HC*CLAIMFLOW*PAYERSIM*20260302*0930*7*X*005010X223A3~" in text
    report = validate(text)
    assert report.ok
    assert report.findings == []


def test_837i_claim_segments_are_exact():
    text = _build([make_institutional(1)])
    body = text.splitlines()
    start = body.index("CLM*C1V1*542.25***13:A:1**A*Y*Y~")
    assert body[start : start + 15] == [
        "CLM*C1V1*542.25***13:A:1**A*Y*Y~",
        "DTP*434*RD8*20260227-20260228~",
        "CL1***01~",
        "REF*EA*42~",
        "HI*ABK:J029~",
        "HI*ABF:R509~",
        "NM1*82*1*DOE*JANE****XX*1912301953~",
        "LX*1~",
        "SV2*0450**500.00*UN*1~",
        "DTP*472*D8*20260227~",
        "REF*6R*C1V1L1~",
        "LX*2~",
        "SV2*0300*HC:80053:91*42.25*UN*2~",
        "DTP*472*D8*20260228~",
        "REF*6R*C1V1L2~",
    ]
    assert body[-3] == "SE*34*0001~"


def test_837i_round_trip_equals_the_models():
    claims = [make_institutional(1), make_institutional(2, relationship="19")]
    back = parse_837(_build(claims))
    assert back == [_carried(c) for c in claims]
    assert back[0].total_charge == Decimal("542.25")
    assert back[0].kind == "institutional"
    assert back[0].facility_type_code == "13"


def test_837i_void_carries_original_claim_number():
    claim = make_institutional(
        5, frequency_code="8", original_payer_claim_number="PAY778"
    )
    text = _build([claim])
    assert "CLM*C5V1*542.25***13:A:8**A*Y*Y~" in text
    assert "REF*F8*PAY778~" in text
    assert validate(text).ok
    assert parse_837(text) == [_carried(claim)]


def test_837i_more_than_twelve_other_diagnoses_take_a_second_hi():
    codes = ["J02.9"] + [f"R{n:02d}.9" for n in range(10, 24)]
    text = _build([make_institutional(1, diagnoses=codes)])
    assert "HI*ABK:J029~" in text
    assert "HI*ABF:R229*ABF:R239~" in text
    assert validate(text).findings == []
    assert parse_837(text)[0].diagnoses == codes


def test_837i_refuses_a_professional_claim():
    with pytest.raises(X12BuildError) as caught:
        _build([make_claim(1)])
    assert str(caught.value) == (
        "only institutional claims go on an 837I; found 'professional'; "
        "expected institutional"
    )


def test_837i_refuses_an_inpatient_claim():
    with pytest.raises(X12BuildError) as caught:
        _build([make_institutional(1, facility_type_code="11")])
    assert str(caught.value) == (
        "CL1: inpatient claims need admission data the claim model does not "
        "carry; found '11'; expected an outpatient facility type (CL1 admission "
        "type, source, patient status and DTP*435 are not modelled)"
    )


def test_837i_refuses_a_line_without_revenue_code():
    claim = make_institutional(1)
    claim.lines[0].revenue_code = None
    with pytest.raises(X12BuildError) as caught:
        _build([claim])
    assert str(caught.value) == (
        "SV2 element 01: an 837I service line needs a revenue code; "
        "found 'C1V1L1'; expected ServiceLine.revenue_code"
    )


cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)


@st.composite
def institutional_claims(draw, claim_id: int):
    count = draw(st.integers(1, 5))
    start = draw(st.dates(date(2020, 1, 1), date(2030, 12, 1)))
    lines = [
        ServiceLine(
            line_number=n,
            procedure=draw(st.sampled_from(["", "80053", "36415", "71046"])),
            modifiers=[],
            revenue_code=draw(st.sampled_from(["0300", "0320", "0450", "0636"])),
            units=Decimal(draw(st.integers(1, 30))),
            charge=draw(cents),
            service_date=start,
            place_of_service="",
            line_control_number=f"C{claim_id}V1L{n}",
        )
        for n in range(1, count + 1)
    ]
    claim = make_institutional(
        claim_id,
        relationship=draw(st.sampled_from(["18", "19", "01"])),
        facility_type_code=draw(st.sampled_from(["13", "14", "23", "71", "83"])),
        statement_from=start,
        statement_through=start,
        lines=lines,
        diagnoses=draw(
            st.lists(
                st.sampled_from(["J02.9", "R50.9", "E11.65", "Z00"]),
                min_size=1,
                max_size=25,
            )
        ),
    )
    patient = claim.patient.model_copy(
        update={"last_name": draw(names), "first_name": draw(names)}
    )
    return claim.model_copy(update={"patient": patient})


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*[institutional_claims(i) for i in ids])
    )
)
def test_property_837i_validates_and_round_trips(batch):
    text = _build(list(batch))
    assert validate(text).findings == []
    back = {c.patient_control_number: c for c in parse_837(text)}
    assert back == {c.patient_control_number: _carried(c) for c in batch}
