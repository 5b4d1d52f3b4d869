"""Reading per transaction: quarantine, several ISA/GS/ST per file, the 999."""

from __future__ import annotations

from decimal import Decimal

from claimflow.models import AckKind
from claimflow.x12 import (
    build_270,
    build_271,
    build_276,
    build_837p,
    parse_270,
    parse_271,
    parse_835,
    parse_837,
    parse_999,
    validate,
)
from claimflow.x12.batch import acknowledge, read_file
from claimflow.x12.intake837 import read_837_file

from .conftest import SUBMITTER, make_claim, make_envelope, read_fixture
from .test_eligibility_status import ACTIVE, INQUIRY


def _837(claim_ids: list[int], control: str) -> str:
    claims = [make_claim(i) for i in claim_ids]
    return build_837p(claims, make_envelope(control), SUBMITTER, "PAYER", "PAYERSIM")


def _joined(*texts: str) -> str:
    """Several interchanges in one file, with a BOM and CRLF line breaks."""
    return "\ufeff" + "".join(texts).replace("\n", "\r\n")


def test_good_transactions_survive_a_bad_one_beside_them():
    bad = _837([2], "0002").replace("SV1*HC:87880*35.50", "SV1*HC:87880*35.5X")
    text = _joined(_837([1], "0001"), bad, _837([3, 4], "0003"))
    result = read_file(text, "837")
    assert [c.patient_control_number for c in result.items] == ["C1V1", "C3V1", "C4V1"]
    assert [t.transaction_control_number for t in result.accepted] == ["0001", "0003"]
    (rejected,) = result.rejected
    assert rejected.transaction_control_number == "0002"
    assert rejected.reason == (
        "segment 67 SV1 element 02: not a decimal number; found '35.5X'; "
        "expected digits with '.'"
    )
    assert rejected.segment_number == 67
    # Kept verbatim: the bad set's own ISA, GS and ST..SE as received.
    assert "SV1*HC:87880*35.5X*UN*2***1~\r\nDTP*472" in rejected.text
    assert rejected.text.startswith("ISA*00*")
    assert "ST*837*0002*005010X222A2~" in rejected.text
    assert parse_837(_837([1], "0001")) == [result.items[0]]


def test_a_set_without_se_and_a_wrong_count_are_quarantined():
    open_set = _837([1], "0001").replace("SE*32*0001~\n", "")
    wrong_count = _837([2], "0002").replace("SE*32*0002~", "SE*31*0002~")
    result = read_file(_joined(open_set, wrong_count, _837([3], "0003")), "837")
    assert [c.claim_id for c in result.items] == [3]
    assert [r.reason for r in result.rejected] == [
        "segment 3 ST element 02: transaction set is not closed; found '0001'; "
        "expected a matching SE before GE",
        "segment 69 SE element 01: wrong segment count; found '31'; "
        "expected 32 (ST..SE inclusive)",
    ]


def test_a_malformed_segment_id_rejects_only_its_transaction():
    bad = _837([2], "0002").replace("REF*6R*C2V1L1~", "R.F*6R*C2V1L1~")
    result = read_file(_joined(bad, _837([5], "0005")), "837")
    assert [c.claim_id for c in result.items] == [5]
    assert result.rejected[0].reason == (
        "segment 29: bad segment ID; found 'R.F'; expected 2-3 upper-case "
        "letters/digits"
    )


def test_every_parser_reads_several_interchanges():
    env2 = make_envelope("0002")
    text = _joined(build_270(INQUIRY, make_envelope()), build_270(INQUIRY, env2))
    assert parse_270(text) == [INQUIRY, INQUIRY]
    text = _joined(
        build_271(ACTIVE, INQUIRY, make_envelope()), build_271(ACTIVE, INQUIRY, env2)
    )
    assert parse_271(text) == [ACTIVE, ACTIVE]
    one = read_fixture("835/emedny-paid-and-denied-timely-filing.835")
    remits = parse_835(_joined(one, one.replace("ST*835*", "ST*835*9")))
    assert [len(r.claims) for r in remits] == [3, 3]
    assert sum(r.payment_amount for r in remits) == Decimal("91.50")
    claims = parse_837(_joined(_837([1, 2], "0001"), _837([3], "0002")))
    assert [c.claim_id for c in claims] == [1, 2, 3]


def test_read_file_reads_every_kind_it_knows():
    claim = make_claim(3)
    text = _joined(
        build_270(INQUIRY, make_envelope()),
        build_276(claim, make_envelope("0002"), "CLAIMFLOW BILLING", "CLAIMFLOW"),
    )
    result = read_file(text)
    assert [t.transaction_code for t in result.accepted] == ["270"]
    assert result.rejected[0].reason == (
        "segment 37 ST element 01: no reader for this transaction set; found '276'; "
        "expected 837/835/270/271/277/277CA/999"
    )
    acks = read_file(read_fixture("277CA/emedny-277ca-accepted.277"))
    assert acks.accepted[0].transaction_code == "277"
    assert acks.items[0].kind is AckKind.CLAIM_277CA


def test_999_accepts_the_good_set_and_rejects_the_bad_one():
    bad = _837([2], "0002").replace("SV1*HC:87880*35.50", "SV1*HC:87880*35.5X")
    good = _837([1], "0001")
    # One group with two sets: the 999 answers one functional group.
    second = bad[bad.index("ST*837") : bad.index("GE*")]
    text = good[: good.index("GE*")] + second + good[good.index("GE*") :]
    text = text.replace("GE*1*7~", "GE*2*7~")
    ack_text, result = acknowledge(text, make_envelope("0900"))
    assert [c.claim_id for c in result.items] == [1]
    assert "IK5*A~" in ack_text
    assert "IK3*SV1*29**8~" in ack_text
    assert "IK4*2**6*35.5X~" in ack_text
    assert "AK9*P*2*2*1~" in ack_text
    acks = parse_999(ack_text)
    assert [(a.transaction_control_number, a.accepted) for a in acks] == [
        ("0001", True),
        ("0002", False),
    ]


def test_999_answers_each_group_of_two_interchanges_that_reuse_numbers():
    # Both interchanges carry GS06 7 and ST02 0001, as real senders' files do:
    # only the position in the file tells the bad set from the good one.
    good = _837([1, 2], "0001")
    bad = _837([3], "0001").replace("SV1*HC:87880*35.50", "SV1*HC:87880*35.5X")
    ack_text, result = acknowledge(_joined(good, bad), make_envelope("0900"))
    assert [c.claim_id for c in result.items] == [1, 2]
    (rejected,) = result.rejected
    assert (rejected.st_segment_number, rejected.segment_number) == (52, 80)
    assert validate(ack_text).findings == []
    assert ack_text.count("ST*999*") == 2
    assert "GE*2*7~" in ack_text
    first, second = ack_text.split("ST*999*")[1:]
    assert first.startswith("0900*005010X231A1~\nAK1*HC*7*005010X222A2~\n")
    assert "AK2*837*0001*005010X222A2~\nIK5*A~\nAK9*A*1*1*1~" in first
    assert second.startswith("0901*005010X231A1~\nAK1*HC*7*005010X222A2~\n")
    assert (
        "AK2*837*0001*005010X222A2~\nIK3*SV1*29**8~\nIK4*2**6*35.5X~\n"
        "IK5*R*5~\nAK9*R*1*1*0~\nSE*8*0901~"
    ) in second
    acks = parse_999(ack_text)
    assert [(a.transaction_control_number, a.accepted) for a in acks] == [
        ("0001", True),
        ("0001", False),
    ]


def test_999_answers_two_groups_of_one_interchange():
    first, second = _837([1], "0001"), _837([2], "0002")
    group_two = second[second.index("GS*") : second.index("IEA*")]
    group_two = group_two.replace("*7*X*", "*8*X*").replace("GE*1*7", "GE*1*8")
    text = first[: first.index("IEA*")] + group_two + first[first.index("IEA*") :]
    bad = text.replace("CLM*C2V1*160.50*", "CLM*C2V1*16O.50*")
    ack_text, result = acknowledge(bad, make_envelope("0900"))
    assert [c.claim_id for c in result.items] == [1]
    assert validate(ack_text).findings == []
    assert "AK1*HC*7*005010X222A2~" in ack_text
    assert "AK1*HC*8*005010X222A2~" in ack_text
    assert "IK3*CLM*19**8~\nIK4*2**6*16O.50~" in ack_text
    assert ack_text.count("AK9*A*1*1*1~") == ack_text.count("AK9*R*1*1*0~") == 1


def test_999_for_the_shared_two_interchange_sample():
    # ims-multiple-isa.837: two interchanges, each one group with ST02 987654.
    text = read_fixture("837P/ims-multiple-isa.837")
    ack_text, result = acknowledge(text, make_envelope("0900"))
    assert validate(ack_text).findings == []
    assert [t.transaction_control_number for t in result.rejected] == [
        "987654",
        "987654",
    ]
    assert [a.transaction_control_number for a in parse_999(ack_text)] == [
        "987654",
        "987654",
    ]
    assert ack_text.count("AK1*HC*1*005010X222A1~") == 2


def test_refused_ims_sets_name_their_claims_and_the_first_problem():
    # The IMS sample's two sets misstate their SE01 count, and with the count
    # put right the first claim still has no patient DMG or N3/N4 (837P: with
    # no 2000C loop the subscriber is the patient, and 2010BA then requires
    # both). Each set is refused whole, kept verbatim, its claims named.
    text = read_fixture("837P/ims-two-st-six-claims-cob.837")
    claims = ("A37YH556", "A37YH667", "A37YH668")
    first, second = read_837_file(text).rejected
    assert first.reason == (
        "segment 149 SE element 01: wrong segment count; found '25'; "
        "expected 147 (ST..SE inclusive)"
    )
    assert (first.patient_control_numbers, second.patient_control_numbers) == (
        claims,
        claims,
    )
    counted = text.replace("SE*25*987654", "SE*147*987654")
    repaired = read_837_file(counted).rejected[0]
    assert repaired.reason == (
        "segment 27 CLM: patient has no DMG or N3/N4; "
        "expected DMG and N3/N4 in the patient's loop"
    )
    assert repaired.text.startswith("ISA*00*")
    assert "CLM*A37YH668*500***11:B:1*Y*A*Y*I*P~" in repaired.text


def test_intake_reads_claims_and_keeps_the_rejected_verbatim():
    bad = read_fixture("837P/tr3-ex12-bad-component-sep-mismatch.837")
    good = read_fixture("837P/tr3-ex3c-cob-payer-a-to-payer-b-with-adjudication.837")
    intake = read_837_file(bad + good)
    (claim,) = intake.claims
    assert claim.total_charge == Decimal("79.04")
    (other,) = claim.other_payers
    assert (other.payer_name, other.paid) == ("KEY INSURANCE COMPANY", Decimal("39.15"))
    assert [len(line.adjudications) for line in claim.lines] == [1, 1, 1]
    (rejected,) = intake.rejected
    assert rejected.reason == (
        "segment 39 SV1 element 01: unknown procedure code qualifier; "
        "found 'HC>99284'; expected HC:<code> (SV101-1)"
    )
    assert "SV1*HC>99284*" in rejected.text
    assert rejected.text.startswith("ISA*")
