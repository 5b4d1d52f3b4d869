"""837P: builder output validated by pyx12, round trips, shared samples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import Address, ServiceLine
from claimflow.x12 import X12BuildError, X12ValueError, build_837p, parse_837, validate

from .conftest import BILLING, SUBMITTER, make_claim, make_envelope, read_fixture


def _build(claims) -> str:
    return build_837p(claims, make_envelope(), SUBMITTER, "PAYER SIM", "PAYERSIM")


def test_built_837p_validates_clean_with_pyx12():
    claims = [make_claim(1), make_claim(2, relationship="19"), make_claim(3)]
    report = validate(_build(claims))
    assert report.ok
    assert report.findings == []


def test_claims_are_grouped_under_billing_and_subscriber_hl():
    text = _build([make_claim(1), make_claim(2, relationship="19"), make_claim(3)])
    hl = [line for line in text.splitlines() if line.startswith("HL")]
    assert hl == ["HL*1**20*1~", "HL*2*1*22*0~", "HL*3*1*22*1~", "HL*4*3*23*0~"]
    assert "CLM*C1V1*160.50***11:B:1*Y*A*Y*Y~" in text
    assert "HI*ABK:J029*ABF:R509~" in text
    assert "SV1*HC:99213:25*125.00*UN*1***1:2~" in text
    assert "REF*6R*C1V1L2~" in text
    assert "NM1*82*1*DOE*JANE****XX*1912301953~" in text
    assert text.splitlines()[-3] == "SE*68*0001~"


def test_round_trip_equals_the_models():
    claims = [make_claim(1), make_claim(2, relationship="19"), make_claim(3)]
    back = {c.patient_control_number: c for c in parse_837(_build(claims))}
    assert back == {c.patient_control_number: c for c in claims}


def test_replacement_carries_original_claim_number():
    claim = make_claim(5, frequency_code="7", original_payer_claim_number="PAY778")
    text = _build([claim])
    assert "CLM*C5V1*160.50***11:B:7*Y*A*Y*Y~" in text
    assert "REF*F8*PAY778~" in text
    assert validate(text).ok
    assert parse_837(text) == [claim]


def test_replacement_without_original_number_is_refused():
    with pytest.raises(X12BuildError, match="original payer claim number"):
        _build([make_claim(5, frequency_code="8")])


def test_five_digit_billing_zip_is_refused():
    billing = BILLING.model_copy(
        update={"address": Address(line1="1 A ST", city="B", state="IL", zip="62701")}
    )
    with pytest.raises(X12BuildError) as caught:
        _build([make_claim(billing_provider=billing)])
    assert str(caught.value) == (
        "N4 element 03: the billing provider ZIP code must have 9 digits (ZIP+4) "
        "on an 837P; found '62701'; expected 9 digits"
    )


def test_uhin_sample():
    (claim,) = parse_837(read_fixture("837P/uhin-icd10-single-claim.837"))
    assert claim.patient_control_number == "1606"
    assert claim.total_charge == Decimal("2.00")
    assert claim.diagnoses == ["R69"]
    assert claim.billing_provider.npi == "1245319599"
    assert claim.billing_provider.address.zip == "841061149"
    assert claim.lines[0].service_date == date(2024, 8, 15)
    assert claim.coverage.payer_id == "FLHIN"


def test_dependent_sample_x222a2():
    (claim,) = parse_837(
        read_fixture("837P/tr3-ex1-commercial-patient-is-dependent.837")
    )
    assert claim.coverage.relationship == "19"
    assert claim.coverage.subscriber_last_name == "SMITH"
    assert (claim.patient.first_name, claim.patient.birth_date) == (
        "TED",
        date(1973, 5, 1),
    )
    assert [line.charge for line in claim.lines] == [
        Decimal("40.00"),
        Decimal("15.00"),
        Decimal("35.00"),
        Decimal("10.00"),
    ]
    assert claim.total_charge == Decimal("100.00")


def test_drug_sample_six_lines():
    (claim,) = parse_837(read_fixture("837P/tr3-ex10-drug-ndc-6-lines.837"))
    assert len(claim.lines) == 6
    assert claim.total_charge == Decimal("2232.93")


def test_component_separator_mismatch_is_an_error():
    with pytest.raises(X12ValueError) as caught:
        parse_837(read_fixture("837P/tr3-ex12-bad-component-sep-mismatch.837"))
    assert str(caught.value) == (
        "segment 39 SV1 element 01: unknown procedure code qualifier; "
        "found 'HC>99284'; expected HC:<code> (SV101-1)"
    )


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@st.composite
def claims(draw, claim_id: int):
    relationship = draw(st.sampled_from(["18", "19", "01"]))
    count = draw(st.integers(1, 5))
    lines = [
        ServiceLine(
            line_number=n,
            procedure=draw(st.sampled_from(["99213", "87880", "J1100", "36415"])),
            modifiers=draw(st.lists(st.sampled_from(["25", "59", "LT"]), max_size=3)),
            units=Decimal(draw(st.integers(1, 30))),
            charge=draw(cents),
            service_date=draw(st.dates(date(2020, 1, 1), date(2030, 12, 31))),
            diagnosis_pointers=draw(
                st.lists(st.integers(1, 4), min_size=1, max_size=4)
            ),
            line_control_number=f"C{claim_id}V1L{n}",
        )
        for n in range(1, count + 1)
    ]
    return make_claim(
        claim_id,
        relationship=relationship,
        lines=lines,
        diagnoses=draw(
            st.lists(
                st.sampled_from(["J02.9", "R50.9", "E11.65", "Z00"]),
                min_size=1,
                max_size=12,
            )
        ),
    ).model_copy(
        update={
            "patient": make_claim().patient.model_copy(
                update={"last_name": draw(names), "first_name": draw(names)}
            )
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*[claims(i) for i in ids])
    )
)
def test_property_837p_validates_and_round_trips(batch):
    text = _build(list(batch))
    assert validate(text).findings == []
    back = {c.patient_control_number: c for c in parse_837(text)}
    assert back == {c.patient_control_number: c for c in batch}


def test_names_are_spelled_in_the_x12_character_set():
    from claimflow.x12.envelope import to_x12_text

    assert to_x12_text("Víctor493 Noriega353") == "Victor493 Noriega353"
    assert to_x12_text("MÜLLER Ærø Łódź") == "MULLER AEro Lodz"
    assert to_x12_text("O’Brien") == "OBrien"
    assert to_x12_text("PLAIN NAME") == "PLAIN NAME"
