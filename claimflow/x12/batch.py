"""Read a file transaction by transaction, quarantining the bad ones.

A real file may hold several interchanges, groups and transaction sets, and one
malformed transaction must not cost the good ones beside it. :func:`read_file`
cuts the file into transaction sets without trusting their content, parses each
on its own and returns the parsed models of the good ones together with the bad
ones, each kept verbatim (its ISA, GS and ST..SE text exactly as received) with
the error that rejected it. :func:`acknowledge` writes the 999 for such a file.

Known limits: an ISA header that cannot be read stops the reading at that
interchange (its delimiters are unknown, so nothing after it can be cut).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from claimflow.x12.envelope import Envelope
from claimflow.x12.errors import X12Error, X12StructureError
from claimflow.x12.segments import Segment, TransactionSet, strip_bom, tokenize
from claimflow.x12.validate import X12Finding, validate

# IK502 codes (implementation transaction set syntax errors) our cutting finds.
_NOT_SUPPORTED = "1"
_TRAILER_MISSING = "2"
_CONTROL_DIFFERS = "3"  # SE02 is not the ST02
_COUNT_DIFFERS = "4"  # SE01 is not the number of segments ST..SE
_NOT_IN_GROUP = "18"


@dataclass(frozen=True)
class RejectedTransaction:
    """One transaction set that could not be read, kept as received."""

    text: str  # its ISA, GS and ST..SE exactly as in the file
    reason: str  # the error, naming segment number, ID, element, value, expected
    error: X12Error | None = None
    transaction_control_number: str | None = None  # ST02
    transaction_code: str | None = None  # ST01
    segment_number: int | None = None  # where the problem is, in the file
    st_segment_number: int | None = None  # where its ST is, in the file
    # CLM01 of every claim the set holds, as sent: the claims a person has to
    # correct and send again, named without reading the raw text.
    patient_control_numbers: tuple[str, ...] = ()
    # Every pyx12 finding when pyx12 rejected the set (the first is the
    # reason), so the 999 can name each problem, not only the first.
    findings: tuple[X12Finding, ...] = ()


@dataclass(frozen=True)
class AcceptedTransaction:
    """One transaction set that was read, with what it produced."""

    transaction_control_number: str
    transaction_code: str
    items: list[Any]
    findings: list[X12Finding] = field(default_factory=list)  # pyx12, if asked


@dataclass
class ReadResult:
    """What :func:`read_file` found."""

    accepted: list[AcceptedTransaction] = field(default_factory=list)
    rejected: list[RejectedTransaction] = field(default_factory=list)

    @property
    def items(self) -> list[Any]:
        """Every model parsed from the accepted transactions, in file order."""
        return [item for t in self.accepted for item in t.items]


@dataclass
class _Cut:
    """A transaction set cut from the file, possibly broken."""

    transaction: TransactionSet
    error: X12Error | None = None


def _parsers() -> dict[str, Callable[[str], list[Any]]]:
    # Imported here: the codec modules import this package's siblings.
    from claimflow.x12.x270 import parse_270, parse_271
    from claimflow.x12.x276 import parse_277
    from claimflow.x12.x277ca import parse_277ca
    from claimflow.x12.x835 import parse_835
    from claimflow.x12.x837p import parse_837
    from claimflow.x12.x999 import parse_999

    return {
        "837": parse_837,
        "835": parse_835,
        "270": parse_270,
        "271": parse_271,
        "277": parse_277,
        "277CA": parse_277ca,
        "999": parse_999,
    }


def read_file(
    text: str,
    *codes: str,
    check_with_pyx12: bool = False,
    parser: Callable[[str], list[Any]] | None = None,
) -> ReadResult:
    """Parse every transaction set of a file on its own.

    Args:
        text: The file as received (BOM, CRLF, several ISA/GS/ST allowed).
        *codes: ST01 values to read (``"837"``, ``"835"``, ...); others are
            rejected as unexpected. None given means every kind we can read.
        check_with_pyx12: Also validate each transaction with pyx12 and reject
            the ones with findings (the first finding is the reason).
        parser: Parse one transaction's text into models; by default the
            codec's parser for its ST01 (a 277 whose BHT06 is ``TH`` is a 277CA).

    Returns:
        Accepted transactions with their models, rejected ones verbatim.

    Raises:
        X12Error: Nothing in the text can be cut into transactions (no ISA, or
            the first ISA is unreadable).
    """
    source = strip_bom(text)
    result = ReadResult()
    for cut in _cut(tokenize(source, lenient=True)):
        t = cut.transaction
        raw = _verbatim(source, t)
        code = t.st.get(1)
        error = cut.error
        if error is None and codes and code not in codes:
            error = t.st.fail(
                1, "unexpected transaction set", "/".join(codes), _NOT_SUPPORTED
            )
        items: list[Any] = []
        findings: list[X12Finding] = []
        if error is None:
            try:
                items = (parser or _parser_for(t))(raw)
            except X12Error as exc:
                error = _in_file(exc, t)
        if error is None and check_with_pyx12:
            findings = [_to_file(f, t) for f in validate(raw).findings]
            if findings:
                first = findings[0]
                error = X12StructureError(
                    first.message,
                    segment_number=first.segment_number,
                    segment_id=first.segment_id,
                    element=first.element,
                    value=first.value,
                    code=first.code,
                )
        if error is not None:
            result.rejected.append(
                RejectedTransaction(
                    raw,
                    str(error),
                    error,
                    t.st.get(2) or None,
                    code or None,
                    error.segment_number,
                    t.st.number,
                    tuple(seg.get(1) for seg in t.body if seg.id == "CLM"),
                    tuple(findings),
                )
            )
        else:
            result.accepted.append(
                AcceptedTransaction(t.st.get(2), code, items, findings)
            )
    return result


def transaction_sets(text: str) -> list[TransactionSet]:
    """Every transaction set of a file as :func:`read_file` cuts it, broken or not.

    Segment numbers are the file's (ISA = 1, BOM left out), so a set's
    ``st.number`` tells it apart from another with the same ST02.

    Raises:
        X12Error: The text does not start with a readable ISA.
    """
    source = strip_bom(text)
    return [cut.transaction for cut in _cut(tokenize(source, lenient=True))]


def _parser_for(t: TransactionSet) -> Callable[[str], list[Any]]:
    code = t.st.get(1)
    if code == "277" and t.body and t.body[0].get(6) == "TH":
        code = "277CA"
    parsers = _parsers()
    if code not in parsers:
        raise t.st.fail(
            1, "no reader for this transaction set", "/".join(parsers), _NOT_SUPPORTED
        )
    return parsers[code]


def _cut(segments: list[Segment]) -> Iterator[_Cut]:
    """Group segments into transaction sets, marking broken ones instead of failing.

    The envelope segments (ISA, GS) of each set are the last seen before its ST.
    A set is broken when it holds a malformed segment, is not closed by SE before
    the next ST/GE/IEA, or its SE01/SE02 do not match.
    """
    isa: Segment | None = None
    gs: Segment | None = None
    current: _Cut | None = None
    for segment in segments:
        if segment.id in ("ISA", "GS", "GE", "IEA", "ST") and current is not None:
            current.error = current.error or X12StructureError(
                "transaction set is not closed",
                segment_number=current.transaction.st.number,
                segment_id="ST",
                element=2,
                value=current.transaction.st.get(2),
                expected="a matching SE before " + segment.id,
                code=_TRAILER_MISSING,
            )
            yield current
            current = None
        if segment.id == "ISA":
            isa, gs = segment, None
        elif segment.id == "GS":
            gs = segment
        elif segment.id == "ST":
            if isa is None or gs is None:
                # The tokenizer only starts at an ISA; this is an ST before GS.
                placeholder = gs or segment
                current = _Cut(
                    TransactionSet(isa or segment, placeholder, segment),
                    X12StructureError(
                        "transaction set outside a functional group",
                        segment_number=segment.number,
                        segment_id="ST",
                        expected="a GS before the ST",
                        code=_NOT_IN_GROUP,
                    ),
                )
            else:
                current = _Cut(TransactionSet(isa, gs, segment))
        elif segment.id == "SE" and current is not None:
            current.transaction.se = segment
            current.error = current.error or _check_se(current.transaction)
            yield current
            current = None
        elif current is not None:
            current.transaction.body.append(segment)
            if segment.error is not None and current.error is None:
                current.error = segment.error
    if current is not None:
        current.error = current.error or X12StructureError(
            "transaction set is not closed",
            segment_number=current.transaction.st.number,
            segment_id="ST",
            element=2,
            value=current.transaction.st.get(2),
            expected="a matching SE",
            code=_TRAILER_MISSING,
        )
        yield current


def _check_se(t: TransactionSet) -> X12Error | None:
    se = t.se
    assert se is not None
    count = str(len(t.body) + 2)
    if se.get(1) != count:
        return se.fail(
            1, "wrong segment count", f"{count} (ST..SE inclusive)", _COUNT_DIFFERS
        )
    if se.get(2) != t.st.get(2):
        return se.fail(
            2, "control number differs from ST02", t.st.get(2), _CONTROL_DIFFERS
        )
    return None


def _verbatim(source: str, t: TransactionSet) -> str:
    """The ISA, GS and ST..SE of a transaction as they stand in the file."""
    last = t.se or (t.body[-1] if t.body else t.st)
    parts = [source[t.isa.start : t.isa.end]]
    if t.gs is not t.isa and t.gs is not t.st:
        parts.append(source[t.gs.start : t.gs.end])
    parts.append(source[t.st.start : last.end])
    text = "\n".join(part.strip() for part in parts)
    term = t.st.delimiters.segment
    group = t.gs.get(6) if t.gs.id == "GS" else ""
    element = t.st.delimiters.element
    return (
        f"{text}\n{element.join(['GE', '1', group])}{term}\n"
        f"{element.join(['IEA', '1', t.isa.get(13)])}{term}\n"
    )


def _in_file(exc: X12Error, t: TransactionSet) -> X12Error:
    """Re-number an error raised on the cut-out text to the file's numbering."""
    number = exc.segment_number
    if number is None or number < 3:
        return exc
    return type(exc)(
        exc.problem,
        segment_number=number - 3 + t.st.number,
        segment_id=exc.segment_id,
        element=exc.element,
        value=exc.value,
        expected=exc.expected,
        code=exc.code,
    )


def _to_file(finding: X12Finding, t: TransactionSet) -> X12Finding:
    number = finding.segment_number
    if number is None or number < 3:
        return finding
    return X12Finding(
        number - 3 + t.st.number,
        finding.segment_id,
        finding.element,
        finding.value,
        finding.message,
        finding.code,
    )


def acknowledge(text: str, envelope: Envelope) -> tuple[str, ReadResult]:
    """Read an inbound 837 file and write the 999 that answers it.

    Each transaction set is parsed and validated with pyx12; one with a parse
    error or a pyx12 finding is rejected in the 999 (IK5*R, with IK3/IK4 naming
    the first problem's segment and element) and quarantined, the others are
    accepted. The 999 has one transaction set per functional group received.

    Args:
        text: The 837 file as received.
        envelope: Control numbers and parties of the 999.

    Returns:
        The 999 text and the read result (claims of the accepted sets, the
        rejected sets verbatim).

    Raises:
        X12Error: The file cannot be cut into transactions at all.
    """
    from claimflow.x12.x999 import build_999

    result = read_file(text, "837", check_with_pyx12=True)
    return build_999(text, rejections(result), envelope), result


def rejections(result: ReadResult) -> dict[int, list[str | X12Finding]]:
    """The rejected sets of a read, as :func:`build_999` takes them.

    Keyed by the position of each rejected set's ST in the file; the problems
    are every pyx12 finding of a set pyx12 rejected, else the reason as a
    located finding when the error names a segment, else its text.
    """
    problems: dict[int, list[str | X12Finding]] = {}
    for rejected in result.rejected:
        if rejected.findings:
            key = rejected.st_segment_number or 0
            problems.setdefault(key, []).extend(rejected.findings)
            continue
        error = rejected.error
        finding: str | X12Finding = rejected.reason
        if error is not None and error.segment_number is not None:
            finding = X12Finding(
                error.segment_number,
                error.segment_id,
                error.element,
                error.value,
                rejected.reason,
                error.code,
            )
        problems.setdefault(rejected.st_segment_number or 0, []).append(finding)
    return problems
