"""835: shared samples to the cent, builder validated by pyx12, round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import (
    Address,
    Adjustment,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
    Remittance,
)
from claimflow.x12 import build_835, parse_835, validate

from .conftest import make_envelope, read_fixture

PAYER_ADDRESS = Address(
    line1="1 PAYER WAY", city="HARTFORD", state="CT", zip="061011234"
)


def _total_paid(remittance: Remittance) -> Decimal:
    return sum((c.paid for c in remittance.claims), Decimal(0))


def test_medicare_part_a_with_plb():
    (remit,) = parse_835(read_fixture("835/tr3-medicare-part-a-two-claims-plb.835"))
    assert remit.payment_amount == Decimal("150000.00")
    assert len(remit.claims) == 2
    assert _total_paid(remit) == Decimal("149998.73")
    assert [(p.reason, p.reference, p.amount) for p in remit.provider_adjustments] == [
        ("CV", "CP", Decimal("-1.27"))
    ]
    plb_total = sum(p.amount for p in remit.provider_adjustments)
    assert remit.payment_amount == _total_paid(remit) - plb_total
    first = remit.claims[0]
    assert first.patient_control_number == "666123"
    assert first.adjustments == [
        Adjustment(group="CO", reason="45", amount=Decimal("73348.57"))
    ]
    assert (first.service_from, first.service_through) == (
        date(2002, 8, 16),
        date(2002, 8, 24),
    )
    assert remit.claims[1].remarks == ["MA02"]
    assert remit.payer_id == "999"
    assert (remit.interchange_control_number, remit.transaction_control_number) == (
        "000000907",
        "1234",
    )


def test_denied_three_lines_with_remarks():
    (remit,) = parse_835(read_fixture("835/pyx12-denied-three-lines.835"))
    (claim,) = remit.claims
    assert (claim.status_code, claim.charge, claim.paid) == (
        "4",
        Decimal("915.39"),
        Decimal("0"),
    )
    assert [line.charge for line in claim.lines] == [
        Decimal("500.04"),
        Decimal("127.80"),
        Decimal("287.55"),
    ]
    assert [a.reason for a in claim.all_adjustments()] == ["16", "A7", "A7"]
    assert [line.remarks for line in claim.lines] == [["N14"]] * 3
    assert claim.lines[0].service_date == date(2003, 11, 29)


def test_emedny_zero_pay_and_timely_filing():
    (remit,) = parse_835(read_fixture("835/emedny-paid-and-denied-timely-filing.835"))
    assert [c.paid for c in remit.claims] == [
        Decimal("34.25"),
        Decimal("0"),
        Decimal("11.50"),
    ]
    assert _total_paid(remit) == remit.payment_amount == Decimal("45.75")
    assert [a.reason for a in remit.claims[1].all_adjustments()] == ["29", "29"]


def test_uhc_with_greater_than_component_separator():
    (remit,) = parse_835(read_fixture("835/uhc-dme-deductible-coinsurance.835"))
    assert remit.payment_amount == Decimal("349.99")
    line = remit.claims[1].lines[2]
    assert (line.procedure, line.line_control_number) == ("B4154", "123456789014")
    assert line.adjustments[0] == Adjustment(
        group="PR", reason="2", amount=Decimal("5.13")
    )
    assert line.adjustments[1].quantity is None
    assert remit.claims[1].lines[2].adjustments[0].amount == Decimal("5.13")
    assert remit.payer_id == "87726"


def test_negative_cas_read_as_sent():
    (remit,) = parse_835(
        read_fixture("835/tr3-cob-contractual-adjustment-negative-cas.835")
    )
    amounts = [a.amount for a in remit.claims[0].all_adjustments()]
    assert Decimal("-9.00") in amounts
    assert remit.payment_amount == Decimal("34.00")


def _remittance(claims: list[RemitClaim] | None = None) -> Remittance:
    claims = claims or [
        RemitClaim(
            patient_control_number="C1V1",
            status_code="1",
            charge=Decimal("160.50"),
            paid=Decimal("100.00"),
            patient_responsibility=Decimal("20.00"),
            filing_indicator="12",
            payer_claim_number="PCN0001",
            service_from=date(2026, 2, 27),
            service_through=date(2026, 2, 27),
            lines=[
                RemitLine(
                    procedure="99213",
                    modifiers=["25"],
                    charge=Decimal("125.00"),
                    paid=Decimal("80.00"),
                    units=Decimal(1),
                    service_date=date(2026, 2, 27),
                    line_control_number="C1V1L1",
                    adjustments=[
                        Adjustment(group="CO", reason="45", amount=Decimal("25.00")),
                        Adjustment(group="PR", reason="3", amount=Decimal("20.00")),
                    ],
                    remarks=["N130"],
                ),
                RemitLine(
                    procedure="87880",
                    charge=Decimal("35.50"),
                    paid=Decimal("20.00"),
                    units=Decimal(2),
                    service_date=date(2026, 2, 27),
                    line_control_number="C1V1L2",
                    adjustments=[
                        Adjustment(group="CO", reason="45", amount=Decimal("15.50"))
                    ],
                ),
            ],
        ),
        RemitClaim(
            patient_control_number="C2V1",
            status_code="22",
            charge=Decimal("-50.00"),
            paid=Decimal("-40.00"),
            filing_indicator="12",
            payer_claim_number="PCN0002",
            adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("-10.00"))],
        ),
    ]
    return Remittance(
        transaction_control_number="0001",
        trace_number="EFT123",
        payer_name="ACME PPO",
        payer_id="1234567890",
        payee_name="SUNRISE FAMILY MEDICINE",
        payee_npi="1245319599",
        payment_amount=sum((c.paid for c in claims), Decimal(0)) - Decimal("5.00"),
        payment_method="CHK",
        payment_date=date(2026, 3, 10),
        production_date=date(2026, 3, 9),
        claims=claims,
        provider_adjustments=[
            ProviderAdjustment(
                provider_id="1245319599",
                fiscal_period=date(2026, 12, 31),
                reason="WO",
                reference="OVERPAY1",
                amount=Decimal("5.00"),
            )
        ],
        interchange_control_number="000000101",
        group_control_number="7",
    )


def test_built_835_validates_clean_with_pyx12():
    text = build_835(
        _remittance(),
        make_envelope(),
        payer_address=PAYER_ADDRESS,
        payer_phone="8005550100",
    )
    report = validate(text)
    assert report.findings == []
    assert "CAS*CO*45*25.00~\nCAS*PR*3*20.00~" in text
    assert "PLB*1245319599*20261231*WO:OVERPAY1*5.00~" in text


def test_built_835_round_trips():
    remittance = _remittance()
    (back,) = parse_835(build_835(remittance, make_envelope()))
    assert back == remittance


def test_more_than_six_adjustments_split_into_two_cas():
    adjustments = [
        Adjustment(group="CO", reason=str(100 + i), amount=Decimal("1.00"))
        for i in range(8)
    ]
    claim = _one_claim(
        paid=Decimal("2.00"),
        payer_claim_number="X",
        filing_indicator="ZZ",
        adjustments=adjustments,
    )
    text = build_835(_remittance([claim]), make_envelope())
    cas = [line for line in text.splitlines() if line.startswith("CAS")]
    assert cas == [
        "CAS*CO*100*1.00**101*1.00**102*1.00**103*1.00**104*1.00**105*1.00~",
        "CAS*CO*106*1.00**107*1.00~",
    ]
    assert parse_835(text)[0].claims[0].adjustments == adjustments


def test_missing_payment_date_is_refused():
    with pytest.raises(Exception, match="BPR16"):
        build_835(
            _remittance().model_copy(update={"payment_date": None}), make_envelope()
        )


def _one_claim(**change) -> RemitClaim:
    claim = RemitClaim(
        patient_control_number="C9V1",
        status_code="1",
        charge=Decimal("10.00"),
        paid=Decimal("8.00"),
        filing_indicator="MB",
        adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("2.00"))],
    )
    return claim.model_copy(update=change)


_CLP06_LIST = (
    "12, 13, 14, 15, 16, 17, AM, CH, DS, HM, LM, MA, MB, MC, OF, TV, VA, WC, ZZ"
)


@pytest.mark.parametrize(
    ("remittance", "message"),
    [
        pytest.param(
            _remittance([_one_claim(filing_indicator="CI")]),
            "CLP element 06: not a code of CLP06 in the 835 (005010X221A1) "
            f"(claim C9V1); found 'CI'; expected {_CLP06_LIST}",
            id="clp06-commercial-ci",
        ),
        pytest.param(
            _remittance([_one_claim(filing_indicator=None)]),
            "CLP element 06: not a code of CLP06 in the 835 (005010X221A1) "
            f"(claim C9V1); found ''; expected {_CLP06_LIST}",
            id="clp06-missing",
        ),
        pytest.param(
            _remittance([_one_claim(status_code="5")]),
            "CLP element 02: not a code of CLP02 in the 835 (005010X221A1) "
            "(claim C9V1); found '5'; expected 1, 19, 2, 20, 21, 22, 23, 25, 3, 4",
            id="clp02-status-5",
        ),
        pytest.param(
            _remittance(
                [
                    _one_claim(
                        adjustments=[
                            Adjustment(group="CR", reason="45", amount=Decimal("2"))
                        ]
                    )
                ]
            ),
            "CAS element 01: not a code of CAS01 in the 835 (005010X221A1) "
            "(claim C9V1); found 'CR'; expected CO, OA, PI, PR",
            id="cas01-4010-correction-cr",
        ),
        pytest.param(
            _remittance([_one_claim()]).model_copy(update={"payment_method": "WIR"}),
            "BPR element 04: not a code of BPR04 in the 835 (005010X221A1); "
            "found 'WIR'; expected ACH, BOP, CHK, FWT, NON",
            id="bpr04-wire",
        ),
    ],
)
def test_a_value_outside_the_835_code_lists_is_refused(remittance, message):
    with pytest.raises(ValueError) as refused:
        build_835(remittance, make_envelope())
    assert str(refused.value) == message


def test_a_provider_adjustment_reason_outside_plb03_is_refused():
    plb = ProviderAdjustment(
        provider_id="1234567893",
        fiscal_period=date(2026, 12, 31),
        reason="XX",
        amount=Decimal("5.00"),
    )
    remittance = _remittance([_one_claim()]).model_copy(
        update={"provider_adjustments": [plb]}
    )
    with pytest.raises(ValueError, match="PLB element 03: .*; found 'XX'; expected 50"):
        build_835(remittance, make_envelope())


cents = st.decimals(
    min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2
)
codes = st.sampled_from(["45", "1", "2", "3", "16", "97", "253"])
groups = st.sampled_from(["CO", "PR", "OA", "PI"])


@st.composite
def remit_claims(draw) -> RemitClaim:
    # Adjustments are drawn group by group: the writer groups them by CAS01.
    adjustments = []
    for group in draw(st.lists(groups, unique=True, max_size=3)):
        for _ in range(draw(st.integers(1, 8))):
            adjustments.append(
                Adjustment(group=group, reason=draw(codes), amount=draw(cents))
            )
    return RemitClaim(
        patient_control_number=draw(
            st.from_regex(r"C[1-9][0-9]{0,5}V[1-9]", fullmatch=True)
        ),
        status_code=draw(st.sampled_from(["1", "2", "4", "22"])),
        charge=draw(cents),
        paid=draw(cents),
        patient_responsibility=draw(cents),
        filing_indicator=draw(st.sampled_from(["12", "MB", "MC", "HM", "ZZ"])),
        payer_claim_number="P1",
        adjustments=adjustments,
        lines=[
            RemitLine(
                procedure="99213",
                charge=draw(cents),
                paid=draw(cents),
                units=Decimal(draw(st.integers(1, 99))),
                line_control_number="C1V1L1",
            )
        ],
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(remit_claims(), min_size=1, max_size=4), cents)
def test_property_835_round_trip(claims, payment):
    remittance = _remittance(claims).model_copy(update={"payment_amount": payment})
    (back,) = parse_835(build_835(remittance, make_envelope()))
    assert back == remittance
