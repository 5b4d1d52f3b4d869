"""Validate X12 text against pyx12's implementation-guide maps.

pyx12 is called as a library on an in-memory copy of the text, never through the
``x12valid`` command (which writes a ``.997`` beside its input and exits 1 even
for a clean file). Before validation the layout is normalised: a UTF-8 BOM is
dropped and whitespace between segments is removed, since pyx12 rejects both.
pyx12 4.0.0 has maps for 837P X222A1, 837I X223A2, 835 X221A1, 277CA X214 and
999 X231(A1); a file of any other GS08 version gets a finding saying so.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass, field

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from claimflow.x12.errors import X12Error
from claimflow.x12.segments import tokenize

_LOG_LINE = re.compile(r"Line:(\d+) (?:SEG|ELE):\S+ - (.*)$")


@dataclass(frozen=True)
class X12Finding:
    """One problem pyx12 (or our tokenizer) found, located in the file."""

    segment_number: int | None  # position in the file, ISA = 1
    segment_id: str | None
    element: int | None
    value: str | None
    message: str


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
            pyx12.params.params(), io.StringIO(body), None, None, fd_json=out
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
    findings.sort(key=lambda f: (f.segment_number or 0, f.element or 0))
    return ValidationReport(findings)


def _from_error(exc: X12Error) -> X12Finding:
    return X12Finding(
        exc.segment_number, exc.segment_id, exc.element, exc.value, str(exc)
    )


def _no_map(segments: list, detail: str) -> X12Finding:
    gs = next((s for s in segments if s.id == "GS"), None)
    version = gs.get(8) if gs else None
    return X12Finding(
        gs.number if gs else None,
        "GS",
        8,
        version,
        f"pyx12 4.0.0 has no map for {version}; not validated ({detail.strip()})",
    )


def _from_log(message: str) -> X12Finding:
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
        found.append(
            X12Finding(
                node.get("cur_line"), seg_id, None, err.get("err_val"), err["err_str"]
            )
        )


def _segment(found: list[X12Finding], seg: dict) -> None:
    line, seg_id = seg.get("cur_line"), seg.get("seg_id")
    for err in seg.get("errors", []):
        found.append(X12Finding(line, seg_id, None, err.get("err_val"), err["err_str"]))
    for ele in seg.get("elements", []):
        for err in ele.get("errors", []):
            found.append(
                X12Finding(
                    line,
                    seg_id,
                    ele.get("ele_pos"),
                    err.get("err_val"),
                    err["err_str"],
                )
            )
