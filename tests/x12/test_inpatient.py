"""The public 837I samples read into the model: admission, UB codes, other payers."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from claimflow.models import DatedCode, InstitutionalDetails, OtherPayer, ValueCode
from claimflow.x12 import X12Error, parse_837, read_837_file

from .conftest import read_fixture

COB = "837I/ims-inpatient-cob-three-payers.837i"
TR3 = "837I/tr3-institutional-claim.837i"
PPO = "837I/tr3-ppo-repriced-claim.837i"


def test_three_payer_sample_is_rejected_at_intake_for_its_se_count():
    read = read_837_file(read_fixture(COB))

    assert read.claims == []
    assert [r.reason for r in read.rejected] == [
        "segment 50 SE element 01: wrong segment count; found '25'; "
        "expected 48 (ST..SE inclusive)"
    ]


def test_three_payer_inpatient_claim_at_intake():
    read = read_837_file(read_fixture(COB).replace("SE*25*987654", "SE*48*987654"))

    assert read.rejected == []
    [claim] = read.claims
    assert claim.kind == "institutional"
    assert claim.facility_type_code == "11"
    # CLM02 says 500 but the one SV2 line charges 73.42; the lines are billed.
    assert claim.total_charge == Decimal("73.42")
    assert [(ln.revenue_code, ln.procedure, ln.charge) for ln in claim.lines] == [
        ("0300", "81099", Decimal("73.42"))
    ]
    assert claim.lines[0].service_date == date(2005, 3, 14)
    assert (claim.statement_from, claim.statement_through) == (
        date(2012, 3, 30),
        date(2012, 3, 30),
    )
    assert claim.diagnoses == ["1739"]
    assert claim.institutional == InstitutionalDetails(
        admission_date=date(2015, 3, 30),
        admission_type="1",
        admission_source="7",
        patient_status="30",
    )
    cov = claim.coverage
    assert (cov.priority, cov.payer_id, cov.payer_name, cov.member_id) == (
        "primary",
        "11122333",
        "HEALTH INSURANCE COMPANY",
        "123456",
    )
    assert cov.group_number == "SUBSCRIBER GROUP"
    assert claim.other_payers == [
        OtherPayer(
            payer_id="54321",
            payer_name="AETNA",
            priority="secondary",
            member_id="ABCDER1234",
            subscriber_first_name="JOHN",
            subscriber_last_name="DOE",
            relationship="01",
        ),
        OtherPayer(
            payer_id="12345",
            payer_name="ANOTHER NAME",
            priority="tertiary",
            member_id="GDAFA1232",
            relationship="18",
        ),
    ]


def test_tr3_outpatient_claim_keeps_its_ub_codes():
    [claim] = parse_837(read_fixture(TR3))

    assert claim.total_charge == Decimal("89.93")
    assert claim.diagnoses == ["3669", "4019", "79431"]
    assert claim.institutional == InstitutionalDetails(
        admission_type="3",
        patient_status="01",
        occurrence_codes=[
            DatedCode(code="A1", on=date(1926, 11, 11)),
            DatedCode(code="A2", on=date(1991, 11, 1)),
            DatedCode(code="B1", on=date(1926, 11, 11)),
            DatedCode(code="B2", on=date(1987, 1, 1)),
        ],
        value_codes=[ValueCode(code="A2", amount=Decimal("15.31"))],
        condition_codes=["09"],
    )
    [other] = claim.other_payers
    assert (other.payer_name, other.priority, other.group_number) == (
        "STATE TEACHERS",
        "secondary",
        "351630",
    )


def test_admission_hour_is_read_from_a_dt_date():
    # The PPO sample writes '>' where its ISA16 says ':'; with that mended it
    # is an inpatient-style claim admitted 2005-07-06 at 08:00.
    [claim] = parse_837(read_fixture(PPO).replace(">", ":"))

    details = claim.institutional
    assert (details.admission_date, details.admission_hour) == (
        date(2005, 7, 6),
        time(8, 0),
    )
    assert (details.admission_type, details.admission_source) == ("1", "2")
    assert details.occurrence_codes == [DatedCode(code="11", on=date(2005, 7, 6))]
    assert claim.total_charge == Decimal("237.50")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "DTP*435*D8*20150330",
            "DTP*435*DT*201503301",
            "segment 26 DTP element 03: not a date or time; found '201503301'; "
            "expected CCYYMMDDHHMM (DT)",
            id="short-admission-hour",
        ),
        pytest.param(
            "HI*BK:1739**",
            "HI*BK:1739*BH:11:D8:2015",
            "segment 30 HI element 02: not a date; found 'BH:11:D8:2015'; "
            "expected CCYYMMDD",
            id="occurrence-date",
        ),
        pytest.param(
            "HI*BK:1739**",
            "HI*BK:1739*BE:80:::TEN",
            "segment 30 HI element 02: not a decimal number; found 'BE:80:::TEN'; "
            "expected digits with '.'",
            id="value-amount",
        ),
        pytest.param(
            "HI*BK:1739**",
            "HI*BK:1739*BBR:02703ZZ",
            "segment 30 HI element 02: a dated code needs a D8 date; "
            "found 'BBR:02703ZZ'; expected <code>:D8:CCYYMMDD",
            id="procedure-without-date",
        ),
    ],
)
def test_wrong_institutional_values_are_refused_where_they_are(old, new, message):
    with pytest.raises(X12Error) as caught:
        parse_837(read_fixture(COB).replace(old, new))
    assert str(caught.value) == message
