"""Validate X12 text against pyx12's implementation-guide maps.

pyx12 is called as a library on an in-memory copy of the text, never through the
``x12valid`` command (which writes a ``.997`` beside its input and exits 1 even
for a clean file). Before validation the layout is normalised: a UTF-8 BOM is
dropped and whitespace between segments is removed, since pyx12 rejects both.

pyx12 reads its maps from :data:`MAP_PATH` (``claimflow/x12/maps``), not from its
own package: that folder holds the 5010 maps pyx12 4.0.0 ships (unchanged) plus
the ones claimflow derived for the versions real files carry (837P X222A2, 837I
X223A3, 837D X224A2, 270/271 X279A1, 276/277 X212), registered in its
``maps.xml``. Only 5010 interchanges are registered; a file of any other version
gets a finding saying there is no map.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from claimflow.x12.errors import X12Error
from claimflow.x12.segments import tokenize

MAP_PATH = str(Path(__file__).with_name("maps"))
"""The folder pyx12 reads maps from (``map_path``)."""

_BUFFER = re.compile(r'"<_io\.StringIO object at 0x[0-9a-fA-F]+>"')
_LOG_LINE = re.compile(r"Line:(\d+) (?:SEG|ELE):\S+ - (.*)$")


@dataclass(frozen=True)
class X12Finding:
    """One problem pyx12 (or our tokenizer) found, located in the file."""

    segment_number: int | None  # position in the file, ISA = 1
    segment_id: str | None
    element: int | None
    value: str | None
    message: str
    # The X12 error code pyx12 or our reader gave: an IK502 code for a finding
    # about the transaction set (ST/SE), IK403 for an element, IK304 for a
    # segment. pyx12 also uses codes of its own (HL1, SEG1, LX, ...).
    code: str | None = None

    def __str__(self) -> str:
        where = [f"segment {self.segment_number}" if self.segment_number else "file"]
        if self.segment_id:
            where.append(self.segment_id)
        if self.element:
            where.append(f"element {self.element:02d}")
        return f"{' '.join(where)}: {self.message}"


@dataclass
class ValidationReport:
    """Result of :func:`validate`."""

    findings: list[X12Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    @property
    def first_error(self) -> X12Finding | None:
        """The finding earliest in the file, or None."""
        return self.findings[0] if self.findings else None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validate(text: str) -> ValidationReport:
    """Validate an X12 file with pyx12 and return its findings.

    Args:
        text: The file's text.

    Returns:
        A report; ``ok`` is true only when pyx12 had a map and found nothing.
    """
    try:
        segments = tokenize(text)
    except X12Error as exc:
        return ValidationReport([_from_error(exc)])
    term = segments[0].delimiters.segment
    element = segments[0].delimiters.element
    body = (
        (term + "\n").join(element.join([s.id, *s.elements]) for s in segments)
        + term
        + "\n"
    )

    collector = _Collect()
    pyx12_logger = logging.getLogger("pyx12")
    pyx12_logger.addHandler(collector)
    propagate = pyx12_logger.propagate
    pyx12_logger.propagate = False
    out = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(),
            io.StringIO(body),
            None,
            None,
            map_path=MAP_PATH,
            fd_json=out,
        )
    except pyx12.errors.EngineError as exc:
        return ValidationReport([_no_map(segments, str(exc))])
    finally:
        pyx12_logger.removeHandler(collector)
        pyx12_logger.propagate = propagate

    findings = _from_json(out.getvalue())
    if not findings and not ok:
        findings = [_from_log(message) for message in collector.messages]
        findings = [f for f in findings if "999 response" not in f.message]
    findings = [_with_segment_id(f, segments) for f in findings]
    findings.sort(key=lambda f: (f.segment_number or 0, f.element or 0))
    return ValidationReport(findings)


def _with_segment_id(finding: X12Finding, segments: list) -> X12Finding:
    """Name the segment of a finding pyx12 located only by its line number."""
    number = finding.segment_number
    if finding.segment_id or number is None or not 1 <= number <= len(segments):
        return finding
    return dataclasses.replace(finding, segment_id=segments[number - 1].id)


def _from_error(exc: X12Error) -> X12Finding:
    # The finding carries the location and value itself; the message says the rest.
    message = exc.problem + (f"; expected {exc.expected}" if exc.expected else "")
    return X12Finding(
        exc.segment_number, exc.segment_id, exc.element, exc.value, message, exc.code
    )


def _no_map(segments: list, detail: str) -> X12Finding:
    gs = next((s for s in segments if s.id == "GS"), None)
    version = gs.get(8) if gs else None
    return X12Finding(
        gs.number if gs else None,
        "GS",
        8,
        version,
        f"no pyx12 map for {version}; not validated ({detail.strip()})",
    )


def _from_log(message: str) -> X12Finding:
    # pyx12 names its input by repr; ours is an in-memory buffer.
    message = _BUFFER.sub("the file", message)
    match = _LOG_LINE.search(message)
    if match:
        return X12Finding(int(match[1]), None, None, None, match[2])
    return X12Finding(None, None, None, None, message)


def _from_json(raw: str) -> list[X12Finding]:
    if not raw.strip():
        return []
    tree = json.loads(raw)
    found: list[X12Finding] = []
    for isa in tree.get("interchanges", []):
        _level(found, isa, "ISA")
        for gs in isa.get("groups", []):
            _level(found, gs, "GS")
            for st in gs.get("transactions", []):
                _level(found, st, "ST")
                for seg in st.get("segments", []):
                    _segment(found, seg)
    return found


def _level(found: list[X12Finding], node: dict, seg_id: str) -> None:
    for err in node.get("errors", []):
        found.append(_finding(node.get("cur_line"), seg_id, None, err))


def _segment(found: list[X12Finding], seg: dict) -> None:
    line, seg_id = seg.get("cur_line"), seg.get("seg_id")
    for err in seg.get("errors", []):
        found.append(_finding(line, seg_id, None, err))
    for ele in seg.get("elements", []):
        for err in ele.get("errors", []):
            found.append(_finding(line, seg_id, ele.get("ele_pos"), err))


def _finding(
    line: int | None, seg_id: str | None, element: int | None, err: dict
) -> X12Finding:
    return X12Finding(
        line, seg_id, element, err.get("err_val"), err["err_str"], err.get("err_cde")
    )
