"""270/271 and 276/277: shared samples, round trips, validation (X279A1, X212)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claimflow.models import EligibilityInquiry, EligibilityResult
from claimflow.x12 import (
    build_270,
    build_271,
    build_276,
    parse_270,
    parse_271,
    parse_277,
    validate,
)

from .conftest import BILLING, make_claim, make_envelope, read_fixture

INQUIRY = EligibilityInquiry(
    trace_number="T0001",
    payer_id="ACME1",
    payer_name="ACME PPO",
    provider=BILLING.model_copy(
        update={"address": None, "taxonomy": None, "tax_id": None}
    ),
    member_id="M12345",
    first_name="ISAAC",
    last_name="ISAACSON",
    birth_date=date(1980, 5, 1),
    service_date=date(2026, 3, 2),
)


def test_subscriber_271_sample():
    (result,) = parse_271(read_fixture("271/tr3-subscriber-eligibility.271"))
    assert result.active
    assert (result.member_id, result.payer_id) == ("123456789", "841610001")
    assert result.coverage_start == date(2006, 1, 1)
    assert result.copay == Decimal("10.00")
    assert result.service_date == date(2006, 5, 1)
    assert result.message == "GOLD 123 PLAN"


def test_dependent_271_sample():
    (result,) = parse_271(read_fixture("271/tr3-dependent-eligibility.271"))
    assert result.active
    assert result.member_id == "123456789"
    assert result.copay == Decimal("10.00")


def test_aaa_rejection_271_sample():
    (result,) = parse_271(
        read_fixture("271/tr3-error-aaa-not-eligible-for-inquiries.271")
    )
    assert not result.active
    assert result.rejection_code == "50"
    assert result.member_id == ""


def test_270_samples():
    (sub,) = parse_270(read_fixture("270/tr3-subscriber-eligibility.270"))
    assert (sub.member_id, sub.last_name, sub.birth_date) == (
        "11122333301",
        "SMITH",
        date(1943, 5, 19),
    )
    (dep,) = parse_270(read_fixture("270/tr3-dependent-eligibility.270"))
    assert (dep.member_id, dep.first_name, dep.trace_number) == (
        "11122333301",
        "MARY",
        "93175-012547",
    )


def test_270_round_trip_validates_with_the_x279a1_map():
    text = build_270(INQUIRY, make_envelope())
    assert parse_270(text) == [INQUIRY]
    assert validate(text).findings == []


ACTIVE = EligibilityResult(
    active=True,
    member_id="M12345",
    payer_id="ACME1",
    service_date=date(2026, 3, 2),
    plan_type="PR",
    coverage_start=date(2026, 1, 1),
    coverage_end=date(2026, 12, 31),
    copay=Decimal("25.00"),
    coinsurance_percent=Decimal("20"),
    deductible_remaining=Decimal("350.00"),
)


def test_271_round_trip_with_benefits():
    text = build_271(ACTIVE, INQUIRY, make_envelope())
    assert "EB*A**30*****0.2~" in text
    assert parse_271(text) == [ACTIVE]


def test_271_round_trip_rejection():
    result = EligibilityResult(
        active=False,
        member_id="M12345",
        payer_id="ACME1",
        service_date=date(2026, 3, 2),
        rejection_code="72",
    )
    text = build_271(result, INQUIRY, make_envelope())
    assert "AAA*N**72*C~" in text
    assert parse_271(text) == [result]


def test_277_sample_claim_statuses():
    statuses = parse_277(read_fixture("277/tr3-claim-level-status.277"))
    assert [s.status_codes for s in statuses] == [["P3:317"], ["F0:3"], ["F2:88:QC"]]
    assert [s.payer_claim_number for s in statuses] == [
        "05347006051",
        "0529675341",
        "051681010827",
    ]
    assert statuses[1].paid == Decimal("7599.00")
    assert statuses[2].total_charge == Decimal("150.00")


def test_276_for_one_claim():
    text = build_276(make_claim(3), make_envelope(), "CLAIMFLOW BILLING", "CLAIMFLOW")
    assert "TRN*1*C3V1~\nREF*EJ*C3V1~\nAMT*T3*160.50~\nDTP*472*D8*20260227~" in text
    assert "ST*276*0001*005010X212~" in text
