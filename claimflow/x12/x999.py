"""999 implementation acknowledgment, implementation guide 005010X231A1."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from claimflow.models import AckKind, ClaimAcknowledgment
from claimflow.x12.envelope import Envelope, Writer, render_group
from claimflow.x12.errors import X12BuildError, X12StructureError
from claimflow.x12.segments import (
    Segment,
    TransactionSet,
    read_transactions,
    tokenize,
)
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
    "6": "segment not in defined transaction set",
    "8": "segment has data element errors",
    "I4": "segment not used",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent 'not used' segment present",
}
_IK4 = {
    "1": "required element missing",
    "2": "conditional element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent 'not used' data element present",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
}
# IK502 codes that say what is wrong with a transaction set as a whole (its ST
# or SE), as opposed to 5 / I5, one or more of its segments in error.
_SET_ERRORS = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "control number in header and trailer do not match",
    "4": "number of included segments does not match actual count",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "18": "transaction set not in functional group",
    "23": "transaction set control number not unique within the functional group",
}
# AK905 codes (functional group syntax errors) the 999 writer checks for.
_GROUP_TRAILER_MISSING = "3"
_GROUP_CONTROL_DIFFERS = "4"  # GE02 is not the GS06
_GROUP_COUNT_DIFFERS = "5"  # GE01 is not the number of sets in the group
_SEGMENTS_IN_ERROR = "5"
_IMPLEMENTATION_SEGMENTS_IN_ERROR = "I5"
_SYNTAX_ERRORS = {
    **_SET_ERRORS,
    _SEGMENTS_IN_ERROR: "one or more segments in error",
    _IMPLEMENTATION_SEGMENTS_IN_ERROR: "implementation one or more segments in error",
}
_DATA_ELEMENT_ERRORS = "8"  # IK304 of a segment whose fault is in an element
_INVALID_CODE_VALUE = "7"  # IK403 when the finding carries no code of the list


Findings = Mapping[int | str, Sequence[str | X12Finding]]


def build_999(
    interchange_text_received: str,
    findings: Findings,
    envelope: Envelope,
) -> str:
    """Acknowledge every functional group received, one 999 transaction each.

    A file may hold several interchanges and groups, and a 999 transaction set
    answers exactly one group: AK1 names it (GS01, GS06, GS08), one AK2 follows
    per transaction set in it, and AK9 counts its sets and the accepted ones.
    The 999 sets share one interchange and one FA group; the first has the
    envelope's ST02, the next ones count up from it.

    A transaction set with no findings is accepted (IK5*A); one with findings is
    rejected (IK5*R) with the implementation transaction set syntax error codes
    of its findings. A finding about the set as a whole (on its ST or SE, with
    an IK502 code such as 4, segment count differs, or 3, SE02 is not ST02)
    gives that code and no IK3. An :class:`X12Finding` located inside the set
    becomes an IK3 (segment position counted from the ST, IK304 the finding's
    segment code) and, with an element, an IK4 (IK403 the finding's element
    code, 7 when it has none) and makes the IK502 5, or I5 when every such
    finding is an implementation one (code I...). A plain text finding also
    gives 5, since the 999 has no place for free text. A set outside any GS
    (which a 999 cannot name) is left out.

    AK9 gives the group's outcome (A, P or R by its sets), AK902 the count
    its GE01 declares, and AK905.. what is wrong with the group's trailer:
    3 no GE, 4 GE02 is not GS06, 5 GE01 is not the number of sets. A group
    with such a fault whose sets were all accepted is E (accepted, errors
    noted): the sets are read and billed, as the intake does.

    Args:
        interchange_text_received: The file being acknowledged.
        findings: Problems per transaction set, keyed by the position of its ST
            in the file (ISA = 1; unique even when two groups reuse a control
            number) or by its ST02 (then for every set with that number); a set
            with no entry is accepted.
        envelope: Control numbers and parties of the 999 itself.

    Returns:
        The 999 interchange text.

    Raises:
        X12Error: The received text cannot be read, or holds no group.
    """
    from claimflow.x12.batch import transaction_sets

    groups: dict[int, list[TransactionSet]] = {}
    for t in transaction_sets(interchange_text_received):
        if t.gs.id == "GS":
            groups.setdefault(t.gs.number, []).append(t)
    if not groups:
        raise X12StructureError("nothing to acknowledge", expected="GS, ST..SE")
    first = envelope.transaction_control_number
    trailers = _group_trailers(interchange_text_received)
    sets = [
        (
            "999",
            _nth_control(first, index),
            _acknowledge_group(group, findings, envelope, trailers.get(number)),
        )
        for index, (number, group) in enumerate(groups.items())
    ]
    return render_group(envelope, "FA", VERSION, sets)


def _acknowledge_group(
    group: list[TransactionSet],
    findings: Findings,
    envelope: Envelope,
    trailer: Segment | None,
) -> list[str]:
    gs = group[0].gs
    w = Writer(envelope)
    w.add("AK1", gs.get(1), gs.get(6), gs.get(8))
    accepted = 0
    for t in group:
        control = t.st.get(2)
        problems = [*findings.get(t.st.number, ()), *findings.get(control, ())]
        w.add("AK2", t.st.get(1), control, t.st.get(3))
        codes = [_located(w, t, finding) for finding in problems]
        if problems:
            w.add("IK5", "R", *_set_codes(codes))
        else:
            accepted += 1
            w.add("IK5", "A")
    count = len(group)
    code = "A" if accepted == count else ("R" if accepted == 0 else "P")
    problems_of_group = _group_errors(gs, trailer, count)
    if problems_of_group and code == "A":
        code = "E"  # every set was taken; the envelope's faults are noted
    included = trailer.get(1) if trailer is not None else ""
    included = included if included.isdigit() else str(count)
    w.add("AK9", code, included, str(count), str(accepted), *problems_of_group)
    return w.body


def _group_errors(gs: Segment, trailer: Segment | None, count: int) -> list[str]:
    """AK905..: what is wrong with the group's GE, as the guide codes it."""
    if trailer is None:
        return [_GROUP_TRAILER_MISSING]
    codes = []
    if trailer.get(2) != gs.get(6):
        codes.append(_GROUP_CONTROL_DIFFERS)
    if not trailer.get(1).isdigit() or int(trailer.get(1)) != count:
        codes.append(_GROUP_COUNT_DIFFERS)
    return codes


def _group_trailers(text: str) -> dict[int, Segment | None]:
    """The GE closing each GS, keyed by the GS's segment number; None if none
    does before the next GS, ISA or IEA."""
    trailers: dict[int, Segment | None] = {}
    open_group: int | None = None
    for s in tokenize(text, lenient=True):
        if s.id in ("GS", "GE", "ISA", "IEA") and open_group is not None:
            trailers[open_group] = s if s.id == "GE" else None
            open_group = None
        if s.id == "GS":
            open_group = s.number
    if open_group is not None:
        trailers[open_group] = None
    return trailers


def _located(w: Writer, t: TransactionSet, finding: str | X12Finding) -> str:
    """IK3 (and IK4) for a finding that names a segment inside the set.

    Returns:
        The finding's IK502 code: its own for a finding about the whole set,
        else 5 (I5 for an implementation finding written as IK3).
    """
    if not isinstance(finding, X12Finding):
        return _SEGMENTS_IN_ERROR
    if finding.segment_id in ("ST", "SE") and finding.code in _SET_ERRORS:
        return finding.code
    if not finding.segment_number:
        return _SEGMENTS_IN_ERROR
    last = t.se.number if t.se is not None else t.st.number + len(t.body)
    if not t.st.number <= finding.segment_number <= last:
        return _SEGMENTS_IN_ERROR
    position = finding.segment_number - t.st.number + 1
    code = finding.code or ""
    if finding.element:
        element_code = code if code in _IK4 else _INVALID_CODE_VALUE
        w.add("IK3", finding.segment_id or "", str(position), "", "8")
        w.add("IK4", str(finding.element), "", element_code, (finding.value or "")[:99])
    else:
        segment_code = code if code in _IK3 else _DATA_ELEMENT_ERRORS
        w.add("IK3", finding.segment_id or "", str(position), "", segment_code)
    if code.startswith("I") and code in (_IK3 if not finding.element else _IK4):
        return _IMPLEMENTATION_SEGMENTS_IN_ERROR
    return _SEGMENTS_IN_ERROR


def _set_codes(codes: list[str]) -> list[str]:
    """IK502..IK506: each code once, file order; I5 only if no plain 5."""
    if _SEGMENTS_IN_ERROR in codes:
        codes = [c for c in codes if c != _IMPLEMENTATION_SEGMENTS_IN_ERROR]
    return list(dict.fromkeys(codes))[:5]


def _nth_control(first: str, index: int) -> str:
    """ST02 of the ``index``-th 999 set: the first one counted up, same width."""
    if index == 0:
        return first
    if first.isdigit():
        number = str(int(first) + index).zfill(len(first))
    else:
        number = f"{first}{index}"
    if len(number) > 9:
        raise X12BuildError(
            "too many functional groups for the 999 control number",
            value=first,
            expected="an ST02 with room to count up to 9 characters",
        )
    return number


def parse_999(text: str) -> list[ClaimAcknowledgment]:
    """Read every 999 in ``text``: one acknowledgment per AK2 set.

    ``accepted`` is true for IK5 codes A and E. ``status_codes`` holds IK5-01
    then IK5-02..06. ``message`` says the outcome with the meaning of each
    IK5-02..06 code, then describes each IK3/IK4 with its position.

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
                outcome = f"transaction set {_IK5.get(code, code)}"
                causes = ", ".join(
                    _SYNTAX_ERRORS.get(c, f"error code {c}")
                    for c in current.status_codes[1:]
                )
                notes.insert(0, f"{outcome} ({causes})" if causes else outcome)
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
