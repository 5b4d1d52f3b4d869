"""837I: builder output validated with the X223A3 map, exact segments, round trips."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import (
    Claim,
    DatedCode,
    InstitutionalDetails,
    OccurrenceSpan,
    ServiceLine,
    ValueCode,
)
from claimflow.x12 import X12BuildError, X12Error, build_837i, parse_837, validate

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


def make_inpatient(claim_id: int = 1, relationship: str = "18", **changes):
    """A hospital inpatient stay (facility type 11) with the codes a DRG payer
    prices from: admitting diagnosis, DRG, procedures, UB code sets."""
    details = InstitutionalDetails(
        admission_date=date(2026, 2, 25),
        admission_hour=time(14, 5),
        discharge_hour=time(10, 30),
        admission_type="1",
        admission_source="7",
        patient_status="01",
        admitting_diagnosis="R07.9",
        drg="292",
        principal_procedure=DatedCode(code="02703ZZ", on=date(2026, 2, 26)),
        other_procedures=[DatedCode(code="B2111ZZ", on=date(2026, 2, 26))],
        occurrence_codes=[DatedCode(code="11", on=date(2026, 2, 24))],
        value_codes=[ValueCode(code="80", amount=Decimal("3.00"))],
        condition_codes=["39"],
    )
    fields = {
        "facility_type_code": "11",
        "statement_from": date(2026, 2, 25),
        "statement_through": date(2026, 2, 28),
        "institutional": details,
    }
    fields.update(changes)
    return make_institutional(claim_id, relationship=relationship, **fields)


def _carried(claim: Claim) -> Claim:
    """The claim as an 837I carries it: 2310D has no PRV, so no taxonomy, and
    CL1 always has a patient status (01 when the claim gives none)."""
    details = claim.institutional or InstitutionalDetails()
    if details.patient_status is None:
        details = details.model_copy(update={"patient_status": "01"})
    claim = claim.model_copy(update={"institutional": details})
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


def _from_clm(text: str, count: int) -> list[str]:
    """``count`` segments of the first claim, from its CLM on."""
    body = text.splitlines()
    start = next(n for n, seg in enumerate(body) if seg.startswith("CLM*"))
    return body[start : start + count]


def test_837i_claim_segments_are_exact():
    text = _build([make_institutional(1)])
    assert _from_clm(text, 15) == [
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
    assert text.splitlines()[-3] == "SE*34*0001~"


def test_837i_round_trip_equals_the_models():
    claims = [make_institutional(1), make_institutional(2, relationship="19")]
    back = parse_837(_build(claims))
    assert back == [_carried(c) for c in claims]
    assert back[0].total_charge == Decimal("542.25")
    assert back[0].kind == "institutional"
    assert back[0].facility_type_code == "13"


def test_inpatient_claim_segments_are_exact_and_clean():
    text = _build([make_inpatient(1)])
    assert _from_clm(text, 16) == [
        "CLM*C1V1*542.25***11:A:1**A*Y*Y~",
        "DTP*096*TM*1030~",
        "DTP*434*RD8*20260225-20260228~",
        "DTP*435*DT*202602251405~",
        "CL1*1*7*01~",
        "REF*EA*42~",
        "HI*ABK:J029~",
        "HI*ABJ:R079~",
        "HI*DR:292~",
        "HI*ABF:R509~",
        "HI*BBR:02703ZZ:D8:20260226~",
        "HI*BBQ:B2111ZZ:D8:20260226~",
        "HI*BH:11:D8:20260224~",
        "HI*BE:80:::3.00~",
        "HI*BG:39~",
        "NM1*82*1*DOE*JANE****XX*1912301953~",
    ]
    assert validate(text).findings == []


def test_inpatient_claim_round_trips():
    claim = make_inpatient(3, relationship="19")
    [back] = parse_837(_build([claim]))
    assert back == _carried(claim)
    details = back.institutional
    assert details.admission_date == date(2026, 2, 25)
    assert details.admission_hour == time(14, 5)
    assert details.discharge_hour == time(10, 30)
    assert (details.admission_type, details.admission_source) == ("1", "7")
    principal = DatedCode(code="02703ZZ", on=date(2026, 2, 26))
    assert details.principal_procedure == principal
    assert details.value_codes == [ValueCode(code="80", amount=Decimal("3.00"))]
    assert back.total_charge == Decimal("542.25")


def _with_more_codes(claim: Claim) -> Claim:
    details = claim.institutional.model_copy(
        update={
            "occurrence_spans": [
                OccurrenceSpan(code="70", start=date(2026, 1, 2), end=date(2026, 1, 5)),
                OccurrenceSpan(
                    code="74", start=date(2026, 2, 26), end=date(2026, 2, 26)
                ),
            ],
            "reasons_for_visit": ["R07.9", "R06.02"],
            "external_causes": ["W01.0XXA", "Y92.009"],
            "treatment_codes": ["A1B2"],
            "present_on_admission": {"J02.9": "Y", "W01.0XXA": "N", "R50.9": "W"},
        }
    )
    return claim.model_copy(update={"institutional": details})


def test_837i_reason_for_visit_external_causes_spans_treatment_and_poa():
    claim = _with_more_codes(make_inpatient(1))
    text = _build([claim])
    assert _from_clm(text, 19)[6:18] == [
        "HI*ABK:J029:::::::Y~",
        "HI*ABJ:R079~",
        "HI*APR:R079*APR:R0602~",
        "HI*ABN:W010XXA:::::::N*ABN:Y92009~",
        "HI*DR:292~",
        "HI*ABF:R509:::::::W~",
        "HI*BBR:02703ZZ:D8:20260226~",
        "HI*BBQ:B2111ZZ:D8:20260226~",
        "HI*BI:70:RD8:20260102-20260105*BI:74:RD8:20260226-20260226~",
        "HI*BH:11:D8:20260224~",
        "HI*BE:80:::3.00~",
        "HI*BG:39~",
    ]
    assert _from_clm(text, 19)[18] == "HI*TC:A1B2~"
    assert validate(text).findings == []
    [back] = parse_837(text)
    assert back == _carried(claim)
    assert back.institutional.present_on_admission == {
        "J02.9": "Y",
        "W01.0XXA": "N",
        "R50.9": "W",
    }


@pytest.mark.parametrize(
    ("update", "message"),
    [
        pytest.param(
            {"reasons_for_visit": ["R07.9"] * 4},
            "HI: an 837I claim carries at most 3 reasons for visit; found '4'; "
            "expected 3 or fewer",
            id="four-reasons-for-visit",
        ),
        pytest.param(
            {
                "occurrence_spans": [
                    OccurrenceSpan(
                        code="70", start=date(2026, 1, 5), end=date(2026, 1, 2)
                    )
                ]
            },
            "HI: an occurrence span ends before it starts; "
            "found '70 2026-01-05-2026-01-02'; expected OccurrenceSpan.start on or "
            "before end",
            id="span-backwards",
        ),
        pytest.param(
            {"present_on_admission": {"S72.001A": "Y"}},
            "HI element 01: a present-on-admission indicator for a code the claim "
            "lacks; found 'S72.001A'; expected a code of Claim.diagnoses or "
            "external_causes",
            id="poa-for-a-code-not-on-the-claim",
        ),
    ],
)
def test_837i_refuses_ub_codes_it_cannot_send(update, message):
    details = make_inpatient(1).institutional.model_copy(update=update)
    with pytest.raises(X12BuildError) as caught:
        _build([make_inpatient(1, institutional=details)])
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "HI*BI:70:RD8:20260102-20260105",
            "HI*BI:70:D8:20260102",
            "HI element 01: an occurrence span needs an RD8 date range; "
            "found 'BI:70:D8:20260102'; expected <code>:RD8:CCYYMMDD-CCYYMMDD",
            id="span-with-one-day",
        ),
        pytest.param(
            "HI*ABK:J029:::::::Y",
            "HI*ABK:J029:::::::X",
            "HI element 01: not a present-on-admission indicator; "
            "found 'ABK:J029:::::::X'; expected Y, N, U or W in -9",
            id="poa-x",
        ),
    ],
)
def test_837i_reader_refuses_bad_spans_and_poa_where_they_are(old, new, message):
    text = _build([_with_more_codes(make_inpatient(1))]).replace(old, new)
    with pytest.raises(X12Error) as caught:
        parse_837(text)
    assert str(caught.value).endswith(message)


def test_inpatient_admission_without_hour_is_a_d8_date():
    details = make_inpatient(1).institutional.model_copy(
        update={"admission_hour": None, "discharge_hour": None}
    )
    text = _build([make_inpatient(1, institutional=details)])
    assert "DTP*435*D8*20260225~" in text
    assert "DTP*096" not in text
    assert validate(text).findings == []
    assert parse_837(text)[0].institutional == details


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


def test_837i_refuses_an_inpatient_claim_without_its_admission():
    with pytest.raises(X12BuildError) as caught:
        _build([make_institutional(1, facility_type_code="11")])
    assert str(caught.value) == (
        "CL1: an inpatient claim needs its admission date and type; found '11'; "
        "expected Claim.institutional.admission_date (DTP*435) and "
        "admission_type (CL101)"
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
minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))
pcs_codes = st.sampled_from(["02703ZZ", "0DTJ4ZZ", "3E0234Z", "B2111ZZ"])


def _maybe(strategy):
    return st.none() | strategy


@st.composite
def inpatient_details(draw, admitted: date) -> InstitutionalDetails:
    """Admission data and UB code sets, each present or not, up to two HI each."""
    day = st.dates(admitted - timedelta(days=30), admitted + timedelta(days=5))
    dated = st.builds(DatedCode, code=pcs_codes, on=day)
    return InstitutionalDetails(
        admission_date=admitted,
        admission_hour=draw(_maybe(minutes)),
        discharge_hour=draw(_maybe(minutes)),
        admission_type=draw(st.sampled_from(["1", "2", "3", "4", "5", "9"])),
        admission_source=draw(_maybe(st.sampled_from(["1", "2", "4", "7", "9"]))),
        patient_status=draw(_maybe(st.sampled_from(["01", "02", "06", "20", "30"]))),
        admitting_diagnosis=draw(_maybe(st.sampled_from(["R07.9", "I21.4"]))),
        drg=draw(_maybe(st.sampled_from(["292", "871", "470"]))),
        principal_procedure=draw(_maybe(dated)),
        other_procedures=draw(st.lists(dated, max_size=24)),
        occurrence_codes=draw(
            st.lists(
                st.builds(DatedCode, code=st.sampled_from(["11", "A1", "42"]), on=day),
                max_size=24,
            )
        ),
        value_codes=draw(
            st.lists(
                st.builds(ValueCode, code=st.sampled_from(["80", "A1"]), amount=cents),
                max_size=24,
            )
        ),
        condition_codes=draw(st.lists(st.sampled_from(["01", "39"]), max_size=24)),
        occurrence_spans=draw(st.lists(spans(admitted), max_size=24)),
        reasons_for_visit=draw(st.lists(icd10, max_size=3)),
        external_causes=draw(st.lists(causes, max_size=12)),
        treatment_codes=draw(st.lists(st.sampled_from(["1", "A1B"]), max_size=24)),
    )


icd10 = st.sampled_from(["J02.9", "R50.9", "E11.65", "Z00"])
causes = st.sampled_from(["W01.0XXA", "V43.52XA", "X58.XXXA"])
flags = st.sampled_from(["Y", "N", "U", "W"])


@st.composite
def spans(draw, admitted: date) -> OccurrenceSpan:
    start = draw(st.dates(admitted - timedelta(days=90), admitted))
    days = draw(st.integers(0, 40))
    return OccurrenceSpan(
        code=draw(st.sampled_from(["70", "74", "M2"])),
        start=start,
        end=start + timedelta(days=days),
    )


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
    inpatient = draw(st.booleans())
    outpatient_types = st.sampled_from(["13", "14", "23", "71", "83"])
    inpatient_types = st.sampled_from(["11", "12", "21", "41", "61"])
    claim = make_institutional(
        claim_id,
        relationship=draw(st.sampled_from(["18", "19", "01"])),
        facility_type_code=draw(inpatient_types if inpatient else outpatient_types),
        institutional=draw(inpatient_details(start)) if inpatient else None,
        statement_from=start,
        statement_through=start,
        lines=lines,
        diagnoses=draw(st.lists(icd10, min_size=1, max_size=25)),
    )
    if claim.institutional is not None:
        # Any of its diagnoses and external causes may carry HI0n-9.
        coded = [*claim.diagnoses, *claim.institutional.external_causes]
        poa = draw(st.dictionaries(st.sampled_from(coded), flags))
        details = claim.institutional.model_copy(update={"present_on_admission": poa})
        claim = claim.model_copy(update={"institutional": details})
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
    """Outpatient and inpatient claims alike: clean under pyx12, read back equal."""
    text = _build(list(batch))
    assert validate(text).findings == []
    back = {c.patient_control_number: c for c in parse_837(text)}
    assert back == {c.patient_control_number: _carried(c) for c in batch}
