"""TA1 interchange acknowledgments: the UHIN 4010 sample and one built here."""

from __future__ import annotations

from datetime import date, time

import pytest

from claimflow.x12 import (
    InterchangeAck,
    X12StructureError,
    X12SyntaxError,
    X12ValueError,
    detect,
    parse_ta1,
)

from .conftest import read_fixture

SAMPLE = "TA1/uhin-ta1-rejected-4010.ta1"
ISA_5010 = (
    "ISA*00*          *00*          *ZZ*PAYERSIM       *ZZ*CLAIMFLOW      "
    "*260302*0931*^*00501*000000555*0*T*:~\n"
)


def _ta1(*segments: str) -> str:
    """A 5010 interchange from the payer holding the given TA1 segments."""
    body = "".join(f"{segment}~\n" for segment in segments)
    return ISA_5010 + body + "IEA*0*000000555~\n"


def test_uhin_4010_rejection_is_read():
    text = read_fixture(SAMPLE)
    assert detect(text) == "TA1"
    assert parse_ta1(text) == [
        InterchangeAck(
            interchange_control_number="000000100",
            interchange_date=date(2003, 8, 9),
            interchange_time=time(8, 23),
            code="R",
            note_code="024",
            note="the content of the interchange is not valid (for example a bad GS)",
            sender_id="560891234",
        )
    ]
    assert not parse_ta1(text)[0].accepted


def test_built_ta1s_accepted_and_with_errors():
    text = _ta1("TA1*000000101*260302*0930*A*000", "TA1*000000102*260302*0945*E*025")
    accepted, warned = parse_ta1(text)
    assert (accepted.interchange_control_number, accepted.code) == ("000000101", "A")
    assert accepted.note == "no error"
    assert accepted.accepted
    assert (accepted.interchange_date, accepted.interchange_time) == (
        date(2026, 3, 2),
        time(9, 30),
    )
    assert accepted.sender_id == "PAYERSIM"
    assert warned.code == "E"
    assert warned.note == "the interchange control number was already used"
    assert warned.accepted


def test_uncommon_note_code_has_no_meaning_but_is_kept():
    (ack,) = parse_ta1(_ta1("TA1*000000101*260302*0930*R*031"))
    assert (ack.note_code, ack.note) == ("031", "")


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        (
            "TA1*000000101*260302*0930*X*000",
            "segment 2 TA1 element 04: unknown acknowledgment code; found 'X'; "
            "expected A, E or R",
        ),
        (
            "TA1*000000101*261302*0930*A*000",
            "segment 2 TA1 element 02: not an interchange date and time; "
            "found '261302'; expected YYMMDD then HHMM",
        ),
        (
            "TA1*101*260302*0930*A*000",
            "segment 2 TA1 element 01: not an interchange control number; "
            "found '101'; expected 9 digits",
        ),
    ],
)
def test_malformed_ta1_is_an_exact_error(segment, message):
    with pytest.raises(X12ValueError) as caught:
        parse_ta1(_ta1(segment))
    assert str(caught.value) == message


def test_interchange_without_ta1_is_an_exact_error():
    with pytest.raises(X12StructureError) as caught:
        parse_ta1(_ta1())
    assert str(caught.value) == "no TA1 segment found; expected a TA1 segment"


def test_truncated_4010_isa_is_an_exact_error():
    text = read_fixture(SAMPLE)
    cut = text[: text.index("*P*")]
    with pytest.raises(X12SyntaxError) as caught:
        parse_ta1(cut)
    assert str(caught.value) == (
        "segment 1 ISA: ISA has fewer than 16 elements; "
        "expected 16 elements separated by '*'"
    )
