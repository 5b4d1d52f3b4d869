"""837D: the public dental sample read into the model, the builder validated with
the X224A2 map and read back, and dental segments that are wrong refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import (
    DentalDetails,
    ServiceLine,
    Tooth,
    ToothStatus,
)
from claimflow.x12 import (
    X12BuildError,
    X12Error,
    build_837d,
    parse_837,
    read_837_file,
    validate,
)

from .conftest import SUBMITTER, make_claim, make_envelope, read_fixture

SAMPLE = "837D/ims-fork-dental-two-lines.837d"
FIVE = ["K02.52", "K02.53", "K03.81", "K05.10", "Z01.20"]


def test_dental_sample_reads_as_one_claim_of_two_lines():
    [claim] = parse_837(read_fixture(SAMPLE))

    assert claim.kind == "dental"
    assert claim.patient_control_number == "26403774"
    assert claim.total_charge == Decimal("150.00")
    assert [(line.procedure, line.charge) for line in claim.lines] == [
        ("D2150", Decimal("100.00")),
        ("D1110", Decimal("50.00")),
    ]
    assert claim.lines[0].teeth == [Tooth(number="12", surfaces=["M", "O"])]
    assert claim.lines[1].teeth == []
    # Neither line has its own DTP*472: both take the claim's.
    assert [line.service_date for line in claim.lines] == [date(2006, 10, 29)] * 2
    assert [line.place_of_service for line in claim.lines] == ["11", "11"]
    assert [line.units for line in claim.lines] == [Decimal(1), Decimal(1)]
    assert claim.diagnoses == []
    assert [line.diagnosis_pointers for line in claim.lines] == [[], []]
    assert claim.dental is None
    assert claim.billing_provider.npi == "1234567890"
    assert claim.rendering_provider.name == "KILDARE, BEN"
    assert claim.rendering_provider.taxonomy == "1223G0001X"
    assert (claim.patient.first_name, claim.patient.last_name) == ("TED", "SMITH")
    assert claim.coverage.relationship == "19"
    assert claim.coverage.subscriber_first_name == "JANE"
    assert claim.coverage.payer_id == "66783JJT"


def test_dental_sample_is_read_at_intake_and_only_pyx12_objects_to_it():
    read = read_837_file(read_fixture(SAMPLE))
    assert read.rejected == []
    assert [(c.kind, c.total_charge, len(c.lines)) for c in read.claims] == [
        ("dental", Decimal("150.00"), 2)
    ]
    # ST03 says 005010X224 where GS08 says 005010X224A2: pyx12 refuses that,
    # so the ledger intake (which checks with pyx12) quarantines the set.
    strict = read_837_file(read_fixture(SAMPLE), check_with_pyx12=True)
    assert strict.claims == []
    assert [r.reason for r in strict.rejected] == [
        "segment 3 ST: (005010X224) is not a valid code for Implementation "
        "Convention Reference (ST03) (005010X224)"
    ]


def test_dn1_and_dn2_are_read_into_the_claims_dental_details():
    text = read_fixture(SAMPLE).replace(
        "DTP*472*D8*20061029~",
        "DTP*472*D8*20061029~DN1*24*18~DN2*1*M****JP~DN2*32*E****JP~",
    )
    [claim] = parse_837(text)
    assert claim.dental == DentalDetails(
        orthodontic_months_total=24,
        orthodontic_months_remaining=18,
        tooth_status=[
            ToothStatus(number="1", status="M"),
            ToothStatus(number="32", status="E"),
        ],
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "TOO*JP*12*M:O",
            "TOO*JP*12*M:Q",
            "segment 30 TOO element 03: unknown tooth surface; found 'M:Q'; "
            "expected surfaces among B D F I L M O",
            id="tooth-surface",
        ),
        pytest.param(
            "TOO*JP*12*M:O",
            "TOO*JO*12*M:O",
            "segment 30 TOO element 01: unknown tooth code list; found 'JO'; "
            "expected JP",
            id="tooth-code-list",
        ),
        pytest.param(
            "SV3*AD:D1110*50****1",
            "SV3*HC:D1110*50****1",
            "segment 32 SV3 element 01: not an ADA procedure; found 'HC:D1110'; "
            "expected AD:<CDT code> (SV301)",
            id="sv3-not-ada",
        ),
        pytest.param(
            "SV3*AD:D1110*50****1",
            "SV3*AD:D1110*50***X*1",
            "segment 32 SV3 element 05: unknown prosthesis code; found 'X'; "
            "expected I (initial) or R (replacement)",
            id="prosthesis",
        ),
        pytest.param(
            "DTP*472*D8*20061029~",
            "DTP*472*D8*20061029~DN2*1*Z****JP~",
            "segment 25 DN2 element 02: unknown tooth status; found 'Z'; "
            "expected E (to be extracted), M (missing)",
            id="tooth-status",
        ),
        pytest.param(
            "DTP*472*D8*20061029~",
            "DTP*472*D8*20061029~DN2**M****JP~",
            "segment 25 DN2 element 01: tooth number missing; found ''; "
            "expected a tooth number (DN201)",
            id="no-tooth-number",
        ),
        pytest.param(
            "DTP*472*D8*20061029~",
            "DTP*472*D8*20061029~DN1*24.5~",
            "segment 25 DN1 element 01: months of treatment must be whole; "
            "found '24.5'; expected 0, 1, 2, ...",
            id="half-a-month",
        ),
    ],
)
def test_wrong_dental_segments_are_refused_where_they_are(old, new, message):
    with pytest.raises(X12Error) as caught:
        parse_837(read_fixture(SAMPLE).replace(old, new))
    assert str(caught.value) == message


# --------------------------------------------------------------------------- building


def make_dental(claim_id: int = 1, relationship: str = "18", **changes):
    """A filling on tooth 30 and a cleaning, with a missing tooth reported."""
    fields = {
        "kind": "dental",
        "diagnoses": ["K02.52"],
        "dental": DentalDetails(
            tooth_status=[ToothStatus(number="19", status="M")],
        ),
        "lines": [
            ServiceLine(
                line_number=1,
                procedure="D2392",
                charge=Decimal("185.00"),
                service_date=date(2026, 2, 27),
                diagnosis_pointers=[1],
                line_control_number=f"C{claim_id}V1L1",
                teeth=[Tooth(number="30", surfaces=["M", "O"])],
            ),
            ServiceLine(
                line_number=2,
                procedure="D1110",
                charge=Decimal("95.50"),
                service_date=date(2026, 2, 27),
                diagnosis_pointers=[],
                line_control_number=f"C{claim_id}V1L2",
                oral_cavity=["01", "02"],
            ),
        ],
    }
    fields.update(changes)
    return make_claim(claim_id, relationship=relationship, **fields)


def _build(claims) -> str:
    return build_837d(claims, make_envelope(), SUBMITTER, "PAYER SIM", "PAYERSIM")


def _from_first_clm(text: str, count: int) -> list[str]:
    body = text.splitlines()
    start = next(n for n, seg in enumerate(body) if seg.startswith("CLM*"))
    return body[start : start + count]


def test_built_837d_segments_are_exact_and_clean():
    text = _build([make_dental(1), make_dental(2, relationship="19")])
    assert "GS*HC*CLAIMFLOW*PAYERSIM*20260302*0930*7*X*005010X224A2~" in text
    assert "ST*837*0001*005010X224A2~" in text
    assert _from_first_clm(text, 15) == [
        "CLM*C1V1*280.50***11:B:1*Y*A*Y*Y~",
        "DN2*19*M****JP~",
        "REF*EA*42~",
        "HI*ABK:K0252~",
        "NM1*82*1*DOE*JANE****XX*1912301953~",
        "PRV*PE*PXC*207Q00000X~",
        "LX*1~",
        "SV3*AD:D2392*185.00****1*****1~",
        "TOO*JP*30*M:O~",
        "DTP*472*D8*20260227~",
        "REF*6R*C1V1L1~",
        "LX*2~",
        "SV3*AD:D1110*95.50**01:02**1~",
        "DTP*472*D8*20260227~",
        "REF*6R*C1V1L2~",
    ]
    assert validate(text).findings == []


def test_837d_round_trip_equals_the_models():
    orthodontic = make_dental(
        2,
        relationship="19",
        diagnoses=[],
        dental=DentalDetails(
            orthodontic_months_total=24, orthodontic_months_remaining=20
        ),
    )
    for line in orthodontic.lines:
        line.diagnosis_pointers = []  # no diagnosis to point at
    claims = [make_dental(1), orthodontic]
    text = _build(claims)
    assert "DN1*24*20~" in text
    assert validate(text).findings == []
    back = parse_837(text)
    assert back == claims
    assert [c.total_charge for c in back] == [Decimal("280.50")] * 2


def test_837d_claim_and_line_dates_are_written_read_and_clean():
    dated = make_dental(
        1,
        dental=DentalDetails(
            accident_date=date(2026, 1, 3),
            appliance_placement_date=date(2025, 6, 2),
            repricer_received_date=date(2026, 3, 1),
            orthodontic_months_total=24,
        ),
    )
    bridge = dated.lines[0].model_copy(
        update={
            "procedure": "D6750",
            "prosthesis": "R",
            "prior_placement_date": date(2014, 9, 15),
        }
    )
    dated = dated.model_copy(update={"lines": [bridge, dated.lines[1]]})

    text = _build([dated])

    assert _from_first_clm(text, 5) == [
        "CLM*C1V1*280.50***11:B:1*Y*A*Y*Y~",
        "DTP*439*D8*20260103~",
        "DTP*452*D8*20250602~",
        "DTP*050*D8*20260301~",
        "DN1*24~",
    ]
    assert (
        "SV3*AD:D6750*185.00***R*1*****1~\nTOO*JP*30*M:O~\n"
        "DTP*472*D8*20260227~\nDTP*441*D8*20140915~\nREF*6R*C1V1L1~"
    ) in text
    assert validate(text).findings == []
    assert parse_837(text) == [dated]


def test_a_dental_date_of_more_than_one_day_is_refused_where_it_is():
    accident = DentalDetails(accident_date=date(2026, 1, 3))
    text = _build([make_dental(1, dental=accident)])
    with pytest.raises(X12Error) as caught:
        parse_837(text.replace("DTP*439*D8*20260103", "DTP*439*RD8*20260103-20260104"))
    assert str(caught.value).endswith(
        "DTP element 02: a dental date is one day; found 'RD8'; expected D8"
    )


def test_837d_refuses_other_kinds_and_limits():
    with pytest.raises(X12BuildError) as caught:
        _build([make_claim(1)])
    assert str(caught.value) == (
        "only dental claims go on an 837D; found 'professional'; expected dental"
    )
    with pytest.raises(X12BuildError) as caught:
        _build([make_dental(1, diagnoses=FIVE)])
    assert str(caught.value) == (
        "an 837D claim carries at most 4 diagnoses; found '5'; expected 4 or fewer"
    )


teeth = st.builds(
    Tooth,
    number=st.sampled_from(["1", "8", "19", "30", "A", "T"]),
    surfaces=st.lists(st.sampled_from(sorted("BDFILMO")), max_size=5),
)


@st.composite
def dental_claims(draw, claim_id: int):
    day = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    earlier = st.dates(date(2000, 1, 1), day)
    diagnoses = draw(st.lists(st.sampled_from(["K02.52", "K05.10"]), max_size=4))
    lines = [
        ServiceLine(
            line_number=n,
            procedure=draw(st.sampled_from(["D0120", "D1110", "D2392", "D7140"])),
            charge=draw(st.decimals(Decimal("0.01"), Decimal("9999.99"), places=2)),
            units=Decimal(draw(st.integers(1, 4))),
            service_date=day,
            diagnosis_pointers=sorted(
                draw(st.sets(st.integers(1, len(diagnoses)), max_size=4))
            )
            if diagnoses
            else [],
            line_control_number=f"C{claim_id}V1L{n}",
            teeth=draw(st.lists(teeth, max_size=3)),
            oral_cavity=draw(st.lists(st.sampled_from(["01", "10"]), max_size=5)),
            prosthesis=draw(st.sampled_from([None, "I", "R"])),
            prior_placement_date=draw(st.none() | earlier),
        )
        for n in range(1, draw(st.integers(1, 4)) + 1)
    ]
    status = st.builds(
        ToothStatus,
        number=st.sampled_from(["1", "16", "17", "32"]),
        status=st.sampled_from(["E", "M"]),
    )
    months = st.none() | st.integers(0, 36)
    details = draw(
        st.none()
        | st.builds(
            DentalDetails,
            orthodontic_months_total=months,
            orthodontic_months_remaining=months,
            tooth_status=st.lists(status, max_size=35),
            accident_date=st.none() | earlier,
            appliance_placement_date=st.none() | earlier,
            repricer_received_date=st.none() | st.just(day),
        )
    )
    return make_dental(
        claim_id,
        relationship=draw(st.sampled_from(["18", "19"])),
        diagnoses=diagnoses,
        dental=details,
        lines=lines,
    )


def _carried(claim):
    """Details with nothing in them write nothing, so they read back as None."""
    details = claim.dental
    if details is not None and details == DentalDetails():
        return claim.model_copy(update={"dental": None})
    return claim


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=3, unique=True).flatmap(
        lambda ids: st.tuples(*[dental_claims(i) for i in ids])
    )
)
def test_property_837d_validates_and_round_trips(batch):
    text = _build(list(batch))
    assert validate(text).findings == []
    back = {c.patient_control_number: c for c in parse_837(text)}
    assert back == {c.patient_control_number: _carried(c) for c in batch}
