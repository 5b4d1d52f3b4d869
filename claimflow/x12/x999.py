"""999 implementation acknowledgment, implementation guide 005010X231A1."""

from __future__ import annotations

from claimflow.models import AckKind, ClaimAcknowledgment
from claimflow.x12.envelope import Envelope, Writer
from claimflow.x12.errors import X12StructureError
from claimflow.x12.segments import Segment, read_transactions, tokenize, transactions
from claimflow.x12.validate import X12Finding

VERSION = "005010X231A1"
_IK5 = {
    "A": "accepted",
    "E": "accepted with errors",
    "R": "rejected",
    "M": "rejected, message authentication failed",
    "W": "rejected",
    "X": "rejected, content could not be analysed",
}
_IK3 = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "segment not used",
}
_IK4 = {
    "1": "required element missing",
    "2": "conditional element missing",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "I12": "implementation pattern match failure",
}


def build_999(
    interchange_text_received: str,
    findings_by_st02: dict[str, list[str | X12Finding]],
    envelope: Envelope,
) -> str:
    """Acknowledge every transaction set of the first functional group received.

    A transaction set with no findings is accepted (IK5*A); one with findings is
    rejected (IK5*R*5). An :class:`X12Finding` with a segment number becomes an
    IK3 (segment position counted from the ST) and, with an element, an IK4; a
    plain text finding only marks the set rejected, since the 999 has no place
    for free text.

    Args:
        interchange_text_received: The file being acknowledged.
        findings_by_st02: Problems per ST02; missing keys mean accepted.
        envelope: Control numbers and parties of the 999 itself.

    Returns:
        The 999 interchange text.

    Raises:
        X12Error: The received text cannot be read.
    """
    segments = tokenize(interchange_text_received)
    received = list(transactions(segments))
    if not received:
        raise X12StructureError("nothing to acknowledge", expected="an ST..SE")
    gs = received[0].gs
    w = Writer(envelope)
    w.add("AK1", gs.get(1), gs.get(6), gs.get(8))
    accepted = 0
    group = [t for t in received if t.gs is gs]
    for t in group:
        control = t.st.get(2)
        findings = findings_by_st02.get(control, [])
        w.add("AK2", t.st.get(1), control, t.st.get(3))
        for finding in findings:
            if isinstance(finding, X12Finding) and finding.segment_number:
                position = finding.segment_number - t.st.number + 1
                w.add("IK3", finding.segment_id or "", str(position), "", "8")
                if finding.element:
                    w.add(
                        "IK4", str(finding.element), "", "7", (finding.value or "")[:99]
                    )
        if findings:
            w.add("IK5", "R", "5")
        else:
            accepted += 1
            w.add("IK5", "A")
    code = "A" if accepted == len(group) else ("R" if accepted == 0 else "P")
    w.add("AK9", code, str(len(group)), str(len(group)), str(accepted))
    return w.render("FA", "999", VERSION)


def parse_999(text: str) -> list[ClaimAcknowledgment]:
    """Read every 999 in ``text``: one acknowledgment per AK2 set.

    ``accepted`` is true for IK5 codes A and E. ``status_codes`` holds IK5-01
    then IK5-02..06. ``message`` describes each IK3/IK4 with its position.

    Args:
        text: One or more interchanges.

    Returns:
        Acknowledgments in file order.
    """
    acks: list[ClaimAcknowledgment] = []
    for t in read_transactions(text, "999"):
        current: ClaimAcknowledgment | None = None
        notes: list[str] = []
        for s in t.body:
            if s.id == "AK2":
                current = ClaimAcknowledgment(
                    kind=AckKind.FILE_999,
                    accepted=False,
                    transaction_control_number=s.get(2),
                )
                notes = []
                acks.append(current)
            elif current is None:
                continue
            elif s.id == "IK3":
                notes.append(_ik3(s))
            elif s.id == "IK4":
                notes.append(_ik4(s))
            elif s.id == "IK5":
                code = s.get(1)
                current.accepted = code in ("A", "E")
                current.status_codes = [code] + [
                    s.get(p) for p in range(2, 7) if s.get(p)
                ]
                notes.insert(0, f"transaction set {_IK5.get(code, code)}")
                current.message = "; ".join(notes)
    return acks


def _ik3(s: Segment) -> str:
    code = s.get(4)
    loop = f" in loop {s.get(3)}" if s.get(3) else ""
    return (
        f"segment {s.get(1)} at position {s.get(2)}{loop}: "
        f"{_IK3.get(code, 'error code ' + code)}"
    )


def _ik4(s: Segment) -> str:
    code = s.get(3)
    value = f" ({s.get(4)})" if s.get(4) else ""
    return f"element {s.get(1)}: {_IK4.get(code, 'error code ' + code)}{value}"
