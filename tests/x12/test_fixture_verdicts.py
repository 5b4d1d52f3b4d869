# ruff: noqa: E501 - exact error messages stay whole so they can be searched for
"""Every fixture file with its expected verdict: what we parse and what pyx12 says.

Each entry is ``(parsed, pyx12)``. ``parsed`` is ``(count, total)`` when the
codec reads the file (claims for 837 and 835, transactions' items otherwise;
total charge of the 837 claims or total BPR02 of the 835s, to the cent), the
exact first error when it refuses the file, or None when we have no reader for
that kind. ``pyx12`` is ``"clean"`` or the first finding as (segment number,
segment ID, element, message), validated with the project's maps. A file in
``tests/fixtures/x12`` without an entry here fails the test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimflow.x12 import (
    X12Error,
    parse_270,
    parse_271,
    parse_277,
    parse_277ca,
    parse_835,
    parse_837,
    parse_999,
    parse_ta1,
    validate,
)
from claimflow.x12.totals import charge_mismatches

from .conftest import FIXTURES, read_fixture

PARSERS = {
    "837P": parse_837,
    "837I": parse_837,
    "837D": parse_837,
    "835": parse_835,
    "270": parse_270,
    "271": parse_271,
    "277": parse_277,
    "277CA": parse_277ca,
    "999": parse_999,
    "TA1": parse_ta1,
}

VERDICTS = {
    "270/tr3-dependent-eligibility.270": ((1, None), "clean"),
    "270/tr3-subscriber-eligibility.270": ((1, None), "clean"),
    "271/tr3-dependent-eligibility.271": ((1, None), "clean"),
    "271/tr3-error-aaa-not-eligible-for-inquiries.271": (
        (1, None),
        (10, "ST", None, "SE id=4323 does not match ST id=4321"),
    ),
    "271/tr3-subscriber-eligibility.271": ((1, None), "clean"),
    "276/tr3-claim-level-status.276": (None, "clean"),
    "277/tr3-claim-level-status.277": ((3, None), "clean"),
    # Service dates in the year 1001 are the sample's own placeholder.
    "277CA/emedny-277ca-accepted.277": (
        (1, None),
        (
            24,
            "DTP",
            3,
            'Data element "Claim Service Period" (DTP03) contains an invalid date (10010101)',
        ),
    ),
    "277CA/emedny-277ca-rejected-pipe-separator.277": ((1, None), "clean"),
    "835/bcbsnc-no-envelope.835": (
        "segment 1 ST: interchange does not start with ISA; expected ISA",
        (
            1,
            "ST",
            None,
            "interchange does not start with ISA; expected ISA",
        ),
    ),
    "835/emedny-paid-and-denied-timely-filing.835": ((3, "45.75"), "clean"),
    "835/pyx12-denied-three-lines.835": ((1, "0"), "clean"),
    "835/tr3-cob-contractual-adjustment-negative-cas.835": (
        (1, "34.00"),
        (
            4,
            "BPR",
            16,
            'Mandatory data element "Check Issue or EFT Effective Date" (BPR16) is missing',
        ),
    ),
    "835/tr3-managed-care-two-claims.835": (
        "segment 4 BPR element 16: not a date; found '20002316'; expected CCYYMMDD",
        (
            4,
            "BPR",
            16,
            'Data element "Check Issue or EFT Effective Date" (BPR16) contains an invalid date (20002316)',
        ),
    ),
    "835/tr3-medicare-part-a-two-claims-plb.835": (
        (2, "150000.00"),
        (
            11,
            "PER",
            None,
            'Mandatory segment "Payer Technical Contact Information" (PER) missing',
        ),
    ),
    "835/tr3-secondary-payment.835": (
        (2, "1222.00"),
        (
            4,
            "BPR",
            16,
            'Mandatory data element "Check Issue or EFT Effective Date" (BPR16) is missing',
        ),
    ),
    "835/tr3-tertiary-payment.835": (
        (1, "187.50"),
        (
            4,
            "BPR",
            16,
            'Mandatory data element "Check Issue or EFT Effective Date" (BPR16) is missing',
        ),
    ),
    "835/uhc-dme-deductible-coinsurance.835": (
        (2, "349.99"),
        (16, "N4", 2, "(NP) is not a valid code for Payee State Code (N402)"),
    ),
    "837D/ims-fork-dental-two-lines.837d": (
        (1, "150.00"),
        (
            3,
            "ST",
            None,
            "(005010X224) is not a valid code for Implementation Convention Reference (ST03) (005010X224)",
        ),
    ),
    "837I/ims-inpatient-cob-three-payers.837i": (
        (1, "73.42"),
        (
            11,
            "N4",
            3,
            'Data element "Billing Provider Postal Zone or ZIP Code" with a value of (20705) failed to match the regular expression "[0-9]{9}"',
        ),
    ),
    "837I/tr3-institutional-claim.837i": (
        (1, "89.93"),
        (
            12,
            "N4",
            3,
            'Data element "Billing Provider Postal Zone or ZIP Code" with a value of (17111) failed to match the regular expression "[0-9]{9}"',
        ),
    ),
    "837I/tr3-ppo-repriced-claim.837i": (
        "segment 43 SV2 element 02: unknown procedure code qualifier; found 'HC>92557'; expected HC:<code> (SV202-1)",
        (
            26,
            "CLM",
            5,
            'Data element "Facility Type Code" (CLM05-01) is too long: len("13>A>1") = 6 > 2 (max_len)',
        ),
    ),
    "837I/tr3-two-claims-single-provider.837i": (
        (2, "139.95"),
        (
            12,
            "N4",
            3,
            'Data element "Billing Provider Postal Zone or ZIP Code" with a value of (17111) failed to match the regular expression "[0-9]{9}"',
        ),
    ),
    # The four IMS files are a parser project's synthetic tests, not claims a
    # payer would take. Where a subscriber has no 2000C patient loop, the
    # subscriber is the patient, and the 837P guide then requires their address
    # (2010BA N3/N4) and birth date and sex (DMG), and SBR02 18; these files
    # leave all three out. A claim without them cannot be billed and we do not
    # make them up, so the set is refused; pyx12 agrees and finds more (HI codes
    # split by element separators, SE counts, HL parents). Intake keeps each
    # refused set verbatim with its reason and the CLM01s it holds, and the 999
    # rejects it, so the sender can correct and resend (see test_batch.py).
    "837P/ims-820-claims-stress.837": (
        "segment 22 CLM: patient has no DMG or N3/N4; expected DMG and N3/N4 in the patient's loop",
        (23, "HI", 1, 'Mandatory data element "Diagnosis Code" (HI01-02) is missing'),
    ),
    "837P/ims-bad-segments-out-of-order.837": (
        "segment 22 CLM: patient has no DMG or N3/N4; expected DMG and N3/N4 in the patient's loop",
        (
            11,
            "N4",
            None,
            'Mandatory segment "Billing Provider City, State, ZIP Code" (N4) missing',
        ),
    ),
    "837P/ims-multiple-isa.837": (
        "segment 22 CLM: patient has no DMG or N3/N4; expected DMG and N3/N4 in the patient's loop",
        (23, "HI", 1, 'Mandatory data element "Diagnosis Code" (HI01-02) is missing'),
    ),
    "837P/ims-two-st-six-claims-cob.837": (
        "segment 27 CLM: patient has no DMG or N3/N4; expected DMG and N3/N4 in the patient's loop",
        (28, "HI", 1, 'Mandatory data element "Diagnosis Code" (HI01-02) is missing'),
    ),
    "837P/tr3-ex-auto-accident.837": ((1, "185.00"), "clean"),
    "837P/tr3-ex1-commercial-patient-is-dependent.837": ((1, "100.00"), "clean"),
    "837P/tr3-ex10-drug-ndc-6-lines.837": ((1, "2232.93"), "clean"),
    "837P/tr3-ex12-bad-component-sep-mismatch.837": (
        "segment 39 SV1 element 01: unknown procedure code qualifier; found 'HC>99284'; expected HC:<code> (SV101-1)",
        (
            26,
            "CLM",
            5,
            'Data element "Place of Service Code" (CLM05-01) is too long: len("23>B>1") = 6 > 2 (max_len)',
        ),
    ),
    "837P/tr3-ex3a-cob-claim-to-payer-a.837": (
        (1, "79.04"),
        (44, "NM1", None, 'Mandatory loop "Other Payer Name" (2330B) missing'),
    ),
    "837P/tr3-ex3c-cob-payer-a-to-payer-b-with-adjudication.837": (
        (1, "79.04"),
        "clean",
    ),
    "837P/tr3-ex4-medicare-secondary.837": (
        (1, "120.00"),
        (
            31,
            "AMT",
            None,
            "Segment AMT*F2 not found.  Started at /ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/2320/AMT[D]",
        ),
    ),
    "837P/tr3-ex5-ambulance.837": (
        (1, "766.50"),
        (
            23,
            "CLM",
            5,
            'Mandatory data element "Facility Code Qualifier" (CLM05-02) is missing',
        ),
    ),
    "837P/uhin-icd10-single-claim.837": ((1, "2.00"), "clean"),
    "999/emedny-999-rejected-ik3.999": ((1, None), "clean"),
    "999/ims-999-accepted.999": (
        (1, None),
        (10, "ISA", None, "IEA id=000000001 does not match ISA id=000000286"),
    ),
    "TA1/uhin-ta1-rejected-4010.ta1": (
        (1, None),
        (None, None, None, "the file does not look like an X12 data file"),
    ),
}


def _files() -> list[str]:
    return sorted(
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.parent.name != "LICENSES" and p.name != "NOTICE.md"
    )


def test_every_fixture_has_a_verdict():
    assert _files() == sorted(VERDICTS)


@pytest.mark.parametrize("path", sorted(VERDICTS))
def test_fixture_verdict(path):
    expected_parsed, expected_pyx12 = VERDICTS[path]
    text = read_fixture(path)
    parser = PARSERS.get(path.split("/")[0])
    if parser is None:
        parsed = None
    else:
        try:
            items = parser(text)
        except X12Error as exc:
            parsed = str(exc)
        else:
            parsed = _count_and_total(path, items)
    assert parsed == expected_parsed
    first = validate(text).first_error
    found = (
        "clean"
        if first is None
        else (first.segment_number, first.segment_id, first.element, first.message)
    )
    assert found == expected_pyx12


# Claims whose CLM02 is not the sum of their line charges, as (CLM01, segment
# number of the CLM, CLM02, sum of the lines). The IMS samples bill 500 on every
# claim whatever their lines add up to; intake holds such a claim for a person.
# Every other 837 fixture's totals agree with its lines.
CHARGE_MISMATCHES = {
    "837I/ims-inpatient-cob-three-payers.837i": [("A37YH556", 25, "500", "73.42")],
    "837P/ims-bad-segments-out-of-order.837": [
        ("A37YH556", 22, "500", "12.25"),
        ("A37YH667", 31, "500", "12.25"),
    ],
    "837P/ims-two-st-six-claims-cob.837": [
        ("A37YH556", 27, "500", "25.51"),
        ("A37YH667", 76, "500", "12.26"),
        ("A37YH668", 131, "500", "24.61"),
        ("A37YH556", 174, "500", "25.51"),
        ("A37YH667", 223, "500", "12.26"),
        ("A37YH668", 278, "500", "24.61"),
    ],
}
# How many claims of the larger IMS files are off, all by the same 500.
CHARGE_MISMATCH_COUNTS = {
    "837P/ims-820-claims-stress.837": 820,
    "837P/ims-multiple-isa.837": 4,
}


@pytest.mark.parametrize("path", [p for p in sorted(VERDICTS) if p.startswith("837")])
def test_fixture_claim_totals_against_lines(path):
    found = charge_mismatches(read_fixture(path))

    if path in CHARGE_MISMATCH_COUNTS:
        assert len(found) == CHARGE_MISMATCH_COUNTS[path]
        assert {m.claim_total for m in found} == {Decimal("500")}
        return
    expected = CHARGE_MISMATCHES.get(path, [])
    assert [
        (m.patient_control_number, m.segment_number, *map(str, totals(m)))
        for m in found
    ] == expected


def totals(mismatch) -> tuple[Decimal, Decimal]:
    return mismatch.claim_total, mismatch.line_total


def _count_and_total(path: str, items: list) -> tuple[int, str | None]:
    if path.startswith("837"):
        return len(items), str(sum((c.total_charge for c in items), Decimal(0)))
    if path.startswith("835"):
        count = sum(len(r.claims) for r in items)
        return count, str(sum((r.payment_amount for r in items), Decimal(0)))
    return len(items), None
