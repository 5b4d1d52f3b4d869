"""Secondary claims from the primary payer's 835: 2320/2330/2430 out and back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.models import (
    Adjustment,
    Claim,
    Coverage,
    InstitutionalDetails,
    RemitClaim,
    RemitLine,
)
from claimflow.x12 import (
    X12BuildError,
    build_837d,
    build_837i,
    build_837p,
    parse_837,
    validate,
)
from claimflow.x12.cob import build_secondary_claim, merge_cas

from .conftest import SUBMITTER, make_claim, make_envelope

MEDICARE = Coverage(
    payer_id="MCARE",
    payer_name="MEDICARE",
    member_id="1EG4TE5MK73",
    priority="secondary",
    plan_type="MB",
)


# The primary payer of _remit() as loops 2320/2330A/2330B write it, on every form.
ACME_LOOPS_2320_2330 = [
    "SBR*P*18*G1******CI~",
    "AMT*D*100.00~",
    "AMT*EAF*20.00~",
    "OI***Y***Y~",
    "NM1*IL*1*ISAACSON*ISAAC****MI*M12345~",
    "NM1*PR*2*ACME PPO*****PI*ACME1~",
    "DTP*573*D8*20260227~",
    "REF*F8*PAYCLM9~",
]


def _adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def _remit(claim_id: int = 7) -> RemitClaim:
    return RemitClaim(
        patient_control_number=f"C{claim_id}V1",
        status_code="1",
        charge=Decimal("160.50"),
        paid=Decimal("100.00"),
        patient_responsibility=Decimal("20.00"),
        payer_claim_number="PAYCLM9",
        lines=[
            RemitLine(
                procedure="99213",
                modifiers=["25"],
                charge=Decimal("125.00"),
                paid=Decimal("80.00"),
                line_control_number=f"C{claim_id}V1L1",
                adjustments=[_adj("CO", "45", "25.00"), _adj("PR", "2", "20.00")],
            ),
            RemitLine(
                procedure="87880",
                charge=Decimal("35.50"),
                paid=Decimal("20.00"),
                units=Decimal(2),
                line_control_number=f"C{claim_id}V1L2",
                adjustments=[_adj("CO", "45", "15.50")],
            ),
        ],
    )


def _build(claims) -> str:
    return build_837p(claims, make_envelope(), SUBMITTER, "PAYER", "PAYERSIM")


def test_secondary_claim_from_835_validates_and_round_trips():
    secondary = build_secondary_claim(make_claim(7), _remit(), MEDICARE)
    text = _build([secondary])
    assert validate(text).findings == []
    assert parse_837(text) == [secondary]
    body = text[text.index("SBR*S") : text.index("SE*")]
    assert body.splitlines()[:2] == [
        "SBR*S*18*******MB~",
        "NM1*IL*1*ISAACSON*ISAAC****MI*1EG4TE5MK73~",
    ]
    other = text[text.index("SBR*P*18") : text.index("LX*1")].splitlines()
    assert other == ACME_LOOPS_2320_2330
    assert "SVD*ACME1*80.00*HC:99213:25**1~\nCAS*CO*45*25.00~\nCAS*PR*2*20.00~" in text
    assert (
        "SVD*ACME1*20.00*HC:87880**2~\nCAS*CO*45*15.50~\nDTP*573*D8*20260227~" in text
    )


def test_every_line_carries_its_control_number():
    text = _build([build_secondary_claim(make_claim(7), _remit(), MEDICARE)])
    lines = text.splitlines()
    lx = [i for i, line in enumerate(lines) if line.startswith("LX*")]
    for start, end in zip(lx, [*lx[1:], len(lines)], strict=True):
        refs = [line for line in lines[start:end] if line.startswith("REF*6R*")]
        assert len(refs) == 1


def test_unbalanced_other_payer_is_refused():
    remit = _remit().model_copy(update={"paid": Decimal("99.99")})
    secondary = build_secondary_claim(make_claim(7), remit, MEDICARE)
    with pytest.raises(X12BuildError) as caught:
        _build([secondary])
    assert str(caught.value) == (
        "AMT: other payer's paid amount and adjustments do not balance; "
        "found '160.49'; expected 160.50"
    )


def test_remit_for_another_claim_is_refused():
    with pytest.raises(X12BuildError, match="the 835 claim is for another claim"):
        build_secondary_claim(make_claim(8), _remit(7), MEDICARE)


def test_cas_merges_one_group_into_six_pairs_then_continues():
    adjustments = [_adj("CO", str(r), "1.00") for r in range(1, 9)]
    adjustments += [_adj("PR", "1", "5.00"), _adj("CO", "1", "0.50")]
    assert merge_cas(adjustments) == [
        ["CO", "1", "1.50", "", "2", "1.00", "", "3", "1.00", "", "4", "1.00", "",
         "5", "1.00", "", "6", "1.00", ""],
        ["CO", "7", "1.00", "", "8", "1.00", ""],
        ["PR", "1", "5.00", ""],
    ]  # fmt: skip


def test_void_carries_original_claim_number_and_validates():
    void = make_claim(9, frequency_code="8", original_payer_claim_number="PAY1")
    text = _build([void])
    assert "CLM*C9V1*160.50***11:B:8*Y*A*Y*Y~" in text
    assert "REF*F8*PAY1~" in text
    assert validate(text).findings == []


cents = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("500.00"), places=2)


@st.composite
def paid_remits(draw):
    """The primary's 835 for make_claim(11): paid + CO45 + PR1 per line."""
    lines = []
    for number, charge in ((1, Decimal("125.00")), (2, Decimal("35.50"))):
        paid = draw(cents.filter(lambda c, charge=charge: c <= charge))
        deductible = draw(cents.filter(lambda c, rest=charge - paid: c <= rest))
        lines.append(
            RemitLine(
                procedure="99213" if number == 1 else "87880",
                charge=charge,
                paid=paid,
                line_control_number=f"C11V1L{number}",
                adjustments=[
                    a
                    for a in (
                        _adj("PR", "1", str(deductible)),
                        _adj("CO", "45", str(charge - paid - deductible)),
                    )
                    if a.amount
                ],
            )
        )
    return RemitClaim(
        patient_control_number="C11V1",
        status_code="1",
        charge=Decimal("160.50"),
        paid=sum((line.paid for line in lines), Decimal(0)),
        patient_responsibility=Decimal("0.00"),
        lines=lines,
        service_through=date(2026, 3, 1),
    )


@settings(max_examples=15, deadline=None)
@given(paid_remits())
def test_property_secondary_claims_validate_and_round_trip(remit):
    secondary = build_secondary_claim(make_claim(11), remit, MEDICARE)
    text = _build([secondary])
    assert validate(text).findings == []
    assert parse_837(text) == [secondary]


# --------------------------------------------------------- 837I and 837D secondaries

_DENTAL_CODES = {"99213": "D0120", "87880": "D1110"}


def _institutional(claim: Claim, remit: RemitClaim) -> tuple[Claim, RemitClaim]:
    """The claim as an outpatient hospital bill: its second line is billed by
    revenue code alone, and the 835 pays that line by revenue code (NU)."""
    # An 837I line has no place of service or diagnosis pointers of its own.
    plain = {"place_of_service": "", "diagnosis_pointers": [1]}
    first, second = claim.lines
    lines = [
        first.model_copy(update={"revenue_code": "0510", **plain}),
        second.model_copy(update={"revenue_code": "0300", "procedure": "", **plain}),
    ]
    rendering = claim.rendering_provider.model_copy(update={"taxonomy": None})
    bill = claim.model_copy(
        update={
            "kind": "institutional",
            "facility_type_code": "13",
            "statement_from": claim.from_date,
            "statement_through": claim.through_date,
            "institutional": InstitutionalDetails(patient_status="01"),
            "rendering_provider": rendering,
            "lines": lines,
        }
    )
    paid_by_revenue = remit.lines[1].model_copy(
        update={"qualifier": "NU", "procedure": "0300", "modifiers": []}
    )
    return bill, remit.model_copy(update={"lines": [remit.lines[0], paid_by_revenue]})


def _dental(claim: Claim, remit: RemitClaim) -> tuple[Claim, RemitClaim]:
    """The claim as a dental bill: CDT codes on the lines and in the 835 (AD)."""
    lines = [
        line.model_copy(update={"procedure": _DENTAL_CODES[line.procedure]})
        for line in claim.lines
    ]
    paid = [
        line.model_copy(
            update={"qualifier": "AD", "procedure": _DENTAL_CODES[line.procedure]}
        )
        for line in remit.lines
    ]
    bill = claim.model_copy(update={"kind": "dental", "lines": lines})
    return bill, remit.model_copy(update={"lines": paid})


_KINDS = {
    "institutional": (_institutional, build_837i),
    "dental": (_dental, build_837d),
}


def _secondary_of_kind(kind: str, claim_id: int, remit: RemitClaim) -> tuple:
    as_kind, builder = _KINDS[kind]
    claim, remit = as_kind(make_claim(claim_id), remit)
    secondary = build_secondary_claim(claim, remit, MEDICARE)
    return secondary, builder([secondary], make_envelope(), SUBMITTER, "P", "PAYERSIM")


def test_837i_secondary_claim_carries_2320_2330_and_2430():
    secondary, text = _secondary_of_kind("institutional", 7, _remit())

    assert validate(text).findings == []
    assert parse_837(text) == [secondary]
    other = text[text.index("SBR*P*18") : text.index("LX*1")].splitlines()
    assert other == ACME_LOOPS_2320_2330
    lines = text[text.index("LX*1") : text.index("SE*")].splitlines()
    assert lines == [
        "LX*1~",
        "SV2*0510*HC:99213:25*125.00*UN*1~",
        "DTP*472*D8*20260227~",
        "REF*6R*C7V1L1~",
        "SVD*ACME1*80.00*HC:99213:25*0510*1~",
        "CAS*CO*45*25.00~",
        "CAS*PR*2*20.00~",
        "DTP*573*D8*20260227~",
        "LX*2~",
        "SV2*0300**35.50*UN*2~",
        "DTP*472*D8*20260227~",
        "REF*6R*C7V1L2~",
        "SVD*ACME1*20.00**0300*2~",
        "CAS*CO*45*15.50~",
        "DTP*573*D8*20260227~",
    ]


def test_837d_secondary_claim_names_the_procedure_with_ad_in_2430():
    secondary, text = _secondary_of_kind("dental", 7, _remit())

    assert validate(text).findings == []
    assert parse_837(text) == [secondary]
    other = text[text.index("SBR*P*18") : text.index("LX*1")].splitlines()
    assert other == ACME_LOOPS_2320_2330
    assert (
        "REF*6R*C7V1L1~\nSVD*ACME1*80.00*AD:D0120:25**1~\nCAS*CO*45*25.00~\n"
        "CAS*PR*2*20.00~\nDTP*573*D8*20260227~\nLX*2~"
    ) in text
    assert "SVD*ACME1*20.00*AD:D1110**2~\nCAS*CO*45*15.50~" in text


@pytest.mark.parametrize("kind", ["institutional", "dental"])
def test_unbalanced_other_payer_is_refused_on_837i_and_837d(kind):
    secondary, _ = _secondary_of_kind(kind, 7, _remit())
    other = secondary.other_payers[0].model_copy(update={"paid": Decimal("99.99")})
    builder = _KINDS[kind][1]
    with pytest.raises(X12BuildError) as caught:
        builder(
            [secondary.model_copy(update={"other_payers": [other]})],
            make_envelope(),
            SUBMITTER,
            "P",
            "PAYERSIM",
        )
    assert str(caught.value) == (
        "AMT: other payer's paid amount and adjustments do not balance; "
        "found '160.49'; expected 160.50"
    )


@settings(max_examples=15, deadline=None)
@given(paid_remits(), st.sampled_from(["institutional", "dental"]))
def test_property_837i_and_837d_secondaries_validate_and_round_trip(remit, kind):
    secondary, text = _secondary_of_kind(kind, 11, remit)
    assert validate(text).findings == []
    assert parse_837(text) == [secondary]
