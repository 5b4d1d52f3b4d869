import random
from decimal import Decimal

import pytest

from claimflow.clearinghouse.adjudication import (
    Decision,
    adjudicate,
    claim_seed,
    mix_bucket,
    payer_claim_number,
)
from claimflow.clearinghouse.payers import PROFILES, payer_profile
from claimflow.clearinghouse.scenarios import parse_scenario

D = Decimal
DENIALS = {"16", "50", "97"}


def cas(line):
    return [(a.group, a.reason, a.amount) for a in line.adjustments]


def run(claim):
    payer = payer_profile(claim.coverage.payer_id)
    return adjudicate(claim, payer, claim_seed(claim))


def test_medicaid_pays_allowed_in_full_without_patient_share(make_claim):
    claim = make_claim(1, [("99213", "120.00"), ("85025", "35.00")])

    remit = run(claim)

    assert remit.status_code == "1"
    assert remit.charge == D("155.00")
    assert remit.paid == D("69.75")
    assert remit.patient_responsibility == D("0.00")
    assert [line.paid for line in remit.lines] == [D("54.00"), D("15.75")]
    assert cas(remit.lines[0]) == [("CO", "45", D("66.00"))]
    assert cas(remit.lines[1]) == [("CO", "45", D("19.25"))]
    assert [line.line_control_number for line in remit.lines] == ["C1V1L1", "C1V1L2"]
    assert remit.payer_claim_number == payer_claim_number("C1V1")
    assert remit.filing_indicator == "MC"


def test_medicare_coinsurance_is_twenty_percent_of_allowed(make_claim):
    claim = make_claim(
        2, [("99214", "180.00"), ("93000", "57.35")], payer_id="MEDICARE"
    )

    remit = run(claim)

    # 57.35 * 55 % = 31.5425 -> 31.54; 20 % of that = 6.308 -> 6.31
    assert cas(remit.lines[0]) == [("CO", "45", D("81.00")), ("PR", "2", D("19.80"))]
    assert cas(remit.lines[1]) == [("CO", "45", D("25.81")), ("PR", "2", D("6.31"))]
    assert [line.paid for line in remit.lines] == [D("79.20"), D("25.23")]
    assert remit.paid == D("104.43")
    assert remit.patient_responsibility == D("26.11")


def test_commercial_copay_on_office_visit_and_none_on_preventive(make_claim):
    claim = make_claim(2, [("99213", "150.00"), ("99395", "200.00")], payer_id="AETNA")

    remit = run(claim)

    assert cas(remit.lines[0]) == [("CO", "45", D("45.00")), ("PR", "3", D("25.00"))]
    assert cas(remit.lines[1]) == [("CO", "45", D("60.00"))]
    assert remit.paid == D("220.00")
    assert remit.patient_responsibility == D("25.00")


def test_commercial_deductible_drawn_by_seed(make_claim):
    claim = make_claim(6, [("99214", "200.00"), ("36415", "10.00")], payer_id="HUMANA")

    remit = run(claim)

    assert cas(remit.lines[0]) == [
        ("CO", "45", D("64.00")),
        ("PR", "3", D("25.00")),
        ("PR", "1", D("50.00")),
    ]
    assert cas(remit.lines[1]) == [("CO", "45", D("3.20"))]
    assert remit.paid == D("67.80")
    assert remit.patient_responsibility == D("75.00")


def test_co16_on_first_version_then_corrected_claim_is_paid(make_claim):
    lines = [("99213", "120.00"), ("87880", "40.00")]
    original = make_claim(13, lines, payer_id="MEDICAID")

    denied = run(original)

    assert denied.status_code == "4"
    assert denied.paid == D("0.00")
    assert cas(denied.lines[0]) == [("CO", "16", D("120.00"))]
    assert cas(denied.lines[1]) == [("CO", "16", D("40.00"))]
    assert denied.lines[0].remarks == ["N290"]

    corrected = make_claim(13, lines, version=2, frequency_code="7")
    paid = run(corrected)

    assert paid.status_code == "1"
    assert paid.patient_control_number == "C13V2"
    assert paid.paid == D("72.00")
    assert cas(paid.lines[1]) == [("CO", "45", D("22.00"))]


def test_co97_denies_the_second_line_and_pays_the_rest(make_claim):
    claim = make_claim(
        5, [("99214", "180.00"), ("99211", "45.00")], payer_id="MEDICARE"
    )

    remit = run(claim)

    assert remit.status_code == "1"
    assert cas(remit.lines[1]) == [("CO", "97", D("45.00"))]
    assert remit.lines[1].paid == D("0.00")
    assert remit.lines[1].remarks == ["M15"]
    assert remit.paid == D("79.20")
    assert remit.patient_responsibility == D("19.80")


def test_co97_on_a_one_line_claim_denies_the_claim(make_claim):
    remit = run(make_claim(18, [("99213", "120.00")]))

    assert remit.status_code == "4"
    assert cas(remit.lines[0]) == [("CO", "97", D("120.00"))]
    assert remit.lines[0].remarks == ["M15"]
    assert remit.paid == D("0.00")


def test_co50_on_a_one_line_claim_denies_the_claim(make_claim):
    remit = run(make_claim(31, [("97110", "95.00")]))

    assert remit.status_code == "4"
    assert cas(remit.lines[0]) == [("CO", "50", D("95.00"))]
    assert remit.paid == D("0.00")


def test_forty_consecutive_claims_meet_every_denial_path():
    def path(seed):
        bucket = mix_bucket(seed)
        return (
            next(
                name
                for limit, name in ((80_000, "16"), (130_000, "97"), (170_000, "50"))
                if bucket < limit
            )
            if bucket < 170_000
            else "pay"
        )

    for start in (1, 101, 5000):
        paths = [path(seed) for seed in range(start, start + 40)]
        assert {"16", "97", "50", "pay"} <= set(paths)
        assert 2 <= paths.count("16") <= 5


def test_same_claim_same_remit_every_time(make_claim):
    claim = make_claim(6, [("99214", "200.00"), ("36415", "10.00")], payer_id="HUMANA")

    assert run(claim) == run(claim.model_copy(deep=True))


@pytest.mark.parametrize(
    ("behaviour", "status", "paid", "patient"),
    [
        pytest.param("pay", "1", D("57.60"), D("0.00"), id="pay-overrides-co16"),
        pytest.param("deny:CO:29", "4", D("0.00"), D("0.00"), id="timely-filing"),
        pytest.param("partial_pr:30.00", "1", D("27.60"), D("30.00"), id="partial"),
        pytest.param("deny_line:2:CO:97", "1", D("45.00"), D("0.00"), id="line-2"),
    ],
)
def test_scenario_decisions(make_claim, behaviour, status, paid, patient):
    claim = make_claim(13, [("99213", "100.00"), ("81002", "28.00")])
    scenario = parse_scenario(behaviour)

    remit = adjudicate(claim, PROFILES["MEDICAID"], 13, scenario.decision)

    assert (remit.status_code, remit.paid, remit.patient_responsibility) == (
        status,
        paid,
        patient,
    )
    if behaviour == "deny:CO:29":
        assert cas(remit.lines[0]) == [("CO", "29", D("100.00"))]
    if behaviour.startswith("deny_line"):
        assert cas(remit.lines[0]) == [("CO", "45", D("55.00"))]
        assert (remit.lines[1].paid, cas(remit.lines[1])) == (
            D("0.00"),
            [("CO", "97", D("28.00"))],
        )


def test_a_line_scenario_needs_a_line_number_from_one():
    with pytest.raises(ValueError, match="deny_line:0:CO:97"):
        parse_scenario("deny_line:0:CO:97")


def test_partial_pr_is_capped_by_what_each_line_allows(make_claim):
    claim = make_claim(3, [("99213", "100.00"), ("81002", "20.00")])

    remit = adjudicate(
        claim, PROFILES["MEDICAID"], 3, Decision(patient_share=D("50.00"))
    )

    assert cas(remit.lines[0]) == [("CO", "45", D("55.00")), ("PR", "1", D("45.00"))]
    assert cas(remit.lines[1]) == [("CO", "45", D("11.00")), ("PR", "1", D("5.00"))]
    assert remit.paid == D("4.00")


@pytest.mark.parametrize("payer_id", sorted(PROFILES))
def test_every_claim_balances_over_many_seeds(make_claim, payer_id):
    rng = random.Random(payer_id)
    codes = ["99213", "99214", "99395", "85025", "93000", "97110", "99203"]
    for seed in range(1, 301):
        lines = [
            (rng.choice(codes), f"{rng.randrange(1, 90000) / 100:.2f}")
            for _ in range(rng.randrange(1, 6))
        ]
        claim = make_claim(seed, lines, payer_id=payer_id)

        remit = adjudicate(claim, PROFILES[payer_id], seed)

        adjustments = remit.all_adjustments()
        assert remit.charge - remit.paid == sum(a.amount for a in adjustments)
        assert remit.patient_responsibility == sum(
            a.amount for a in adjustments if a.group == "PR"
        )
        for line in remit.lines:
            assert line.charge - line.paid == sum(a.amount for a in line.adjustments)
            assert line.paid >= 0
            assert all(a.amount > 0 for a in line.adjustments)
        denied = [
            cas(line) == [("CO", line.adjustments[0].reason, line.charge)]
            and line.adjustments[0].reason in DENIALS
            for line in remit.lines
        ]
        assert remit.status_code == ("4" if all(denied) else "1")
