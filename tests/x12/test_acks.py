"""999 and 277CA: shared samples, builders validated by pyx12, round trips."""

from __future__ import annotations

import pytest

from claimflow.models import AckKind, ClaimAcknowledgment
from claimflow.x12 import (
    X12Finding,
    build_277ca,
    build_837p,
    build_999,
    parse_277ca,
    parse_999,
    validate,
)
from claimflow.x12.batch import acknowledge

from .conftest import SUBMITTER, make_claim, make_envelope, read_fixture


def test_emedny_999_rejected_with_ik3():
    (ack,) = parse_999(read_fixture("999/emedny-999-rejected-ik3.999"))
    assert ack.kind is AckKind.FILE_999
    assert (ack.transaction_control_number, ack.accepted) == ("0028", False)
    assert ack.status_codes == ["R", "5"]
    assert ack.message == (
        "transaction set rejected (one or more segments in error); "
        "segment NM at position 17: unrecognized segment ID"
    )


def test_ims_999_accepted():
    (ack,) = parse_999(read_fixture("999/ims-999-accepted.999"))
    assert (ack.transaction_control_number, ack.accepted) == ("0001", True)
    assert ack.status_codes == ["A"]


def _received() -> str:
    return build_837p(
        [make_claim(1)], make_envelope("0042"), SUBMITTER, "PAYER SIM", "PAYERSIM"
    )


def test_built_999_accepting_validates_and_round_trips():
    text = build_999(_received(), {}, make_envelope("0900"))
    assert validate(text).findings == []
    assert "AK1*HC*7*005010X222A2~" in text
    assert "AK9*A*1*1*1~" in text
    assert parse_999(text) == [
        ClaimAcknowledgment(
            kind=AckKind.FILE_999,
            accepted=True,
            transaction_control_number="0042",
            status_codes=["A"],
            message="transaction set accepted",
        )
    ]


def test_built_999_rejecting_with_located_finding():
    finding = X12Finding(21, "CLM", 2, "160.5X", "bad amount")
    text = build_999(_received(), {"0042": [finding]}, make_envelope("0900"))
    assert validate(text).findings == []
    assert "IK3*CLM*19**8~\nIK4*2**7*160.5X~\nIK5*R*5~\nAK9*R*1*1*0~" in text
    (ack,) = parse_999(text)
    assert not ack.accepted
    assert ack.message == (
        "transaction set rejected (one or more segments in error); "
        "segment CLM at position 19: segment has data "
        "element errors; element 2: invalid code value (160.5X)"
    )


def test_emedny_277ca_accepted():
    (ack,) = parse_277ca(read_fixture("277CA/emedny-277ca-accepted.277"))
    assert ack.kind is AckKind.CLAIM_277CA
    assert ack.accepted
    assert ack.patient_control_number == "5781"
    assert ack.payer_claim_number == "1107000000014420"
    assert ack.status_codes == ["A2:20"]


def test_emedny_277ca_rejected_pipe_separator():
    (ack,) = parse_277ca(read_fixture("277CA/emedny-277ca-rejected-pipe-separator.277"))
    assert not ack.accepted
    assert ack.patient_control_number == "3920394930203"
    assert ack.status_codes == ["A7:562:85"]


def _acks() -> list[ClaimAcknowledgment]:
    return [
        ClaimAcknowledgment(
            kind=AckKind.CLAIM_277CA,
            accepted=True,
            patient_control_number="C1V1",
            payer_claim_number="PCN0001",
            status_codes=["A2:20"],
        ),
        ClaimAcknowledgment(
            kind=AckKind.CLAIM_277CA,
            accepted=False,
            patient_control_number="C2V1",
            status_codes=["A7:562:85"],
        ),
    ]


def _build_277ca() -> str:
    return build_277ca(
        _acks(),
        [make_claim(1), make_claim(2)],
        "ACME PPO",
        "ACME1",
        "CLAIMFLOW BILLING",
        make_envelope("0500"),
    )


def test_built_277ca_round_trips():
    text = _build_277ca()
    assert "TRN*2*C1V1~\nSTC*A2:20*20260302*WQ*160.50~\nREF*1K*PCN0001~" in text
    assert "STC*A7:562:85*20260302*U*160.50~" in text
    assert parse_277ca(text) == _acks()


def test_built_277ca_validates_clean():
    # No provider-level STC (2200C) is written: the X214 guide makes it
    # situational, for a status about the billing provider as a whole. pyx12's
    # map required it; ours follows the guide (claimflow/x12/maps/README.md).
    text = _build_277ca()
    assert "HL*3*2*19*1~\nNM1*85*2*SUNRISE FAMILY MEDICINE" in text
    assert "TRN*1*1245319599~\nHL*4*3*PT~" in text
    assert validate(text).findings == []


def _se_of(text: str) -> str:
    return next(s for s in text.split("~\n") if s.startswith("SE*"))


def _received_with(change) -> str:
    text = _received()
    return change(text, _se_of(text))


_BAD_SETS = [
    pytest.param(
        lambda text, se: text.replace(se, "SE*33*0042"),
        "IK5*R*4",
        id="se01-count-differs-ik502-4",
    ),
    pytest.param(
        lambda text, se: text.replace(se, "SE*32*0043"),
        "IK5*R*3",
        id="se02-control-number-differs-ik502-3",
    ),
    pytest.param(
        lambda text, se: text.replace("NM1*40*2*PAYER SIM*****46*PAYERSIM~\n", "")
        .replace(se, "SE*31*0042"),
        "IK3*NM1*5**3~\nIK5*R*5",
        id="required-segment-missing-ik304-3",
    ),
    pytest.param(
        lambda text, se: text.replace("35.50*UN*", "35.50*XX*"),
        "IK3*SV1*29**8~\nIK4*3**7*XX~\nIK5*R*5",
        id="invalid-code-value-ik403-7",
    ),
    pytest.param(
        lambda text, se: text.replace("DTP*472*D8*20260227", "DTP*472*D8*2026022X", 1),
        "IK3*DTP*26**8~\nIK4*3**8*2026022X~\nIK5*R*5",
        id="invalid-date-ik403-8",
    ),
    pytest.param(
        lambda text, se: text.replace("SV1*HC:87880*35.50", "SV1*HC:87880*35.5X"),
        "IK3*SV1*29**8~\nIK4*2**6*35.5X~\nIK5*R*5",
        id="letter-in-amount-ik403-6",
    ),
]


@pytest.mark.parametrize(("change", "answer"), _BAD_SETS)
def test_999_codes_say_what_is_wrong_with_each_rejected_set(change, answer):
    text = _received_with(change)
    assert _se_of(_received()) == "SE*32*0042"

    ack, read = acknowledge(text, make_envelope("0900"))

    assert [r.transaction_control_number for r in read.rejected] == ["0042"]
    body = ack[ack.index("AK2*") : ack.index("~\nSE*")]
    assert body == f"AK2*837*0042*005010X222A2~\n{answer}~\nAK9*R*1*1*0"
    assert validate(ack).findings == []


def test_999_lists_every_set_code_once_and_plain_text_as_segments_in_error():
    control_differs = X12Finding(34, "SE", 2, "0043", "differs", "3")
    located = X12Finding(21, "CLM", 2, "160.5X", "bad amount", "6")
    findings = {"0042": [control_differs, located, "not readable", located]}

    text = build_999(_received(), findings, make_envelope("0900"))

    twice = "IK3*CLM*19**8~\nIK4*2**6*160.5X~\n" * 2
    assert f"AK2*837*0042*005010X222A2~\n{twice}IK5*R*3*5~\nAK9*R*1*1*0~" in text
    assert validate(text).findings == []
    (ack,) = parse_999(text)
    assert ack.status_codes == ["R", "3", "5"]
    assert ack.message.startswith(
        "transaction set rejected (control number in header and trailer do not "
        "match, one or more segments in error); segment CLM at position 19: "
    )


@pytest.mark.parametrize(
    ("old", "new", "ak9"),
    [
        pytest.param("GE*1*7~", "GE*2*7~", "AK9*E*2*1*1*5", id="ge01-count-ak905-5"),
        pytest.param("GE*1*7~", "GE*1*8~", "AK9*E*1*1*1*4", id="ge02-control-ak905-4"),
        pytest.param("GE*1*7~\n", "", "AK9*E*1*1*1*3", id="ge-missing-ak905-3"),
    ],
)
def test_999_names_what_is_wrong_with_the_group_trailer(old, new, ak9):
    received = _received()
    assert old in received

    text = build_999(received.replace(old, new), {}, make_envelope("0900"))

    assert f"IK5*A~\n{ak9}~\nSE*" in text
    assert validate(text).findings == []
    (ack,) = parse_999(text)
    assert ack.accepted


def test_999_names_every_pyx12_finding_of_a_rejected_set():
    text = _received().replace("*UN*", "*XX*")

    ack, read = acknowledge(text, make_envelope("0900"))

    [rejected] = read.rejected
    assert [(f.segment_id, f.element, f.value, f.code) for f in rejected.findings] == [
        ("SV1", 3, "XX", "7"),
        ("SV1", 3, "XX", "7"),
    ]
    body = ack[ack.index("AK2*") : ack.index("~\nSE*")]
    assert body == (
        "AK2*837*0042*005010X222A2~\nIK3*SV1*25**8~\nIK4*3**7*XX~\n"
        "IK3*SV1*29**8~\nIK4*3**7*XX~\nIK5*R*5~\nAK9*R*1*1*0"
    )
    assert validate(ack).findings == []
