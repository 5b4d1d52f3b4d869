import pytest

from claimflow.intake.identifiers import (
    is_valid_npi,
    luhn_check_digit,
    synthetic_npi,
    synthetic_tax_id,
    zip5,
    zip9,
)


def test_known_npi_check_digit():
    # The NPI rule: Luhn over 80840 + the first nine digits.
    assert luhn_check_digit("80840123456789") == "3"
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")


def test_sample_parties_get_unique_valid_identifiers(sample):
    people = [synthetic_npi(uuid, organization=False) for uuid in sample.providers]
    orgs = [synthetic_npi(uuid, organization=True) for uuid in sample.organizations]
    tax_ids = [synthetic_tax_id(uuid) for uuid in sample.organizations]

    assert len(people) == 166 and len(orgs) == 63
    assert len(set(people + orgs)) == len(people) + len(orgs)
    assert all(is_valid_npi(npi) for npi in people + orgs)
    assert {npi[0] for npi in people} == {"1"}
    assert {npi[0] for npi in orgs} == {"2"}
    assert len(set(tax_ids)) == 63
    assert all(len(t) == 9 and t.isdigit() and t[:2] == "99" for t in tax_ids)
    assert synthetic_npi("abc", organization=False) == synthetic_npi("abc", False)


@pytest.mark.parametrize(
    ("given", "nine", "five"),
    [
        pytest.param("02138", "021380001", "02138", id="five-digits"),
        pytest.param("2703", "027030001", "02703", id="leading-zero-lost"),
        pytest.param("02649-2047", "026492047", "02649", id="zip-plus-four"),
    ],
)
def test_zips(given, nine, five):
    assert zip9(given) == nine
    assert zip5(given) == five
