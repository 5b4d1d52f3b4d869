"""Tokenizer: delimiters come from the ISA, layout noise is ignored."""

from __future__ import annotations

import pytest

from claimflow.x12 import (
    X12StructureError,
    X12SyntaxError,
    X12ValueError,
    parse_277ca,
    parse_835,
    tokenize,
)
from claimflow.x12.segments import transactions

from .conftest import read_fixture

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*260302*0930*^*00501*000000001*0*T*:~"
)


def _small(isa: str = ISA, body: str = "NM1*QC*1*ISAAC*ISAACSON~") -> str:
    return (
        f"{isa}GS*HC*S*R*20260302*0930*1*X*005010X222A1~ST*837*0001~{body}"
        "SE*3*0001~GE*1*1~IEA*1*000000001~"
    )


def test_delimiters_are_read_from_the_isa():
    text = _small().replace("*", "|").replace("~", "\n")
    text = text.replace("|^|", "|!|").replace("|:\n", "|>\n", 1)
    segments = tokenize(text)
    assert [s.id for s in segments] == ["ISA", "GS", "ST", "NM1", "SE", "GE", "IEA"]
    delimiters = segments[0].delimiters
    assert (delimiters.element, delimiters.repetition) == ("|", "!")
    assert (delimiters.component, delimiters.segment) == (">", "\n")
    assert segments[3].get(3) == "ISAAC"


def test_bom_crlf_and_indentation_are_ignored():
    text = "\ufeff" + _small().replace("~", "~\r\n   ")
    segments = tokenize(text)
    assert len(segments) == 7
    assert segments[3].elements == ["QC", "1", "ISAAC", "ISAACSON"]
    assert segments[3].number == 4


def test_isa_inside_data_is_data():
    text = _small(body="NM1*QC*1*ISAAC~REF*EA*ISA*ISAAC~")
    segments = tokenize(text)
    assert [s.id for s in segments].count("ISA") == 1
    assert segments[4].elements == ["EA", "ISA", "ISAAC"]


def test_pipe_component_separator_in_277ca():
    acks = parse_277ca(read_fixture("277CA/emedny-277ca-rejected-pipe-separator.277"))
    assert acks[0].status_codes == ["A7:562:85"]


def test_several_interchanges_each_with_own_delimiters():
    second = _small().replace("*", "|")
    segments = tokenize(_small() + "\n" + second)
    assert [s.id for s in segments].count("ISA") == 2
    assert segments[7].delimiters.element == "|"
    assert len(list(transactions(segments))) == 2


def test_missing_isa_names_the_first_segment():
    with pytest.raises(X12SyntaxError) as caught:
        parse_835(read_fixture("835/bcbsnc-no-envelope.835"))
    assert str(caught.value) == (
        "segment 1 ST: interchange does not start with ISA; expected ISA"
    )


def test_bad_date_names_segment_element_and_value():
    with pytest.raises(X12ValueError) as caught:
        parse_835(read_fixture("835/tr3-managed-care-two-claims.835"))
    error = caught.value
    assert (error.segment_number, error.segment_id, error.element) == (4, "BPR", 16)
    assert error.value == "20002316"
    assert str(error) == (
        "segment 4 BPR element 16: not a date; found '20002316'; expected CCYYMMDD"
    )


def test_unclosed_transaction_is_reported_at_its_st():
    text = _small().replace("SE*3*0001~", "")
    with pytest.raises(X12StructureError) as caught:
        list(transactions(tokenize(text)))
    assert (caught.value.segment_number, caught.value.value) == (3, "0001")


def test_bad_segment_id():
    with pytest.raises(X12SyntaxError) as caught:
        tokenize(_small(body="nm1*QC~"))
    assert (caught.value.segment_number, caught.value.value) == (4, "nm1")
