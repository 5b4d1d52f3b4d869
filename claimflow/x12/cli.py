"""``claimflow x12 validate|show|json FILE``: X12 files for people.

Each command reads one file, prints to standard output and returns the process
exit status: 0 when the file is clean (validate) or fully read (show, json),
1 when it has findings or rejected transactions, 2 when it cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

from claimflow.x12.batch import read_file
from claimflow.x12.errors import X12Error
from claimflow.x12.segments import Segment, tokenize
from claimflow.x12.validate import validate

_ENVELOPE = {"ISA": 0, "IEA": 0, "GS": 1, "GE": 1, "ST": 2, "SE": 2}


def _read(path: str) -> str:
    return Path(path).read_bytes().decode("utf-8")


def validate_command(path: str) -> int:
    """Validate a file with pyx12 and print each finding, located.

    Args:
        path: The X12 file.

    Returns:
        0 when clean, 1 when there are findings.
    """
    report = validate(_read(path))
    if report.ok:
        print(f"{path}: clean")
        return 0
    print(f"{path}: {len(report.findings)} finding(s)")
    for f in report.findings:
        value = f" (value {f.value!r})" if f.value else ""
        print(f"  {f}{value}")
    return 1


def show_command(path: str) -> int:
    """Print the file one segment a line, indented by the loop it opens or sits in.

    Args:
        path: The X12 file.

    Returns:
        0, 1 when an envelope is not closed (the findings follow the view),
        or 2 when the file cannot be split into segments.
    """
    try:
        segments = tokenize(_read(path), lenient=True)
    except X12Error as exc:
        print(f"{path}: {exc}")
        return 2
    indent = _Indent()
    for segment in segments:
        depth = indent.level(segment)
        text = segment.delimiters.element.join([segment.id, *segment.elements])
        marker = f"  <- {segment.error}" if segment.error else ""
        print(f"{segment.number:>6} {'  ' * depth}{text}{marker}")
    findings = envelope_findings(segments)
    if findings:
        print(f"{path}: {len(findings)} structural finding(s)")
        for finding in findings:
            print(f"  {finding}")
    return 1 if findings else 0


_CLOSES = {"IEA": "ISA", "GE": "GS", "SE": "ST"}


def envelope_findings(segments: list[Segment]) -> list[str]:
    """Envelopes opened and never closed, or closed without being opened.

    A truncated file (cut off in transfer, or by an editor) still splits into
    segments; this names what is missing so that the view is not mistaken for
    a whole file.
    """
    findings: list[str] = []
    open_: dict[str, Segment] = {}
    for segment in segments:
        sid = segment.id
        if sid in _CLOSES.values():
            if sid in open_:
                findings.append(_unclosed(open_[sid]))
            open_[sid] = segment
        elif sid in _CLOSES:
            opener = _CLOSES[sid]
            if open_.pop(opener, None) is None:
                findings.append(
                    f"segment {segment.number} {sid}: closes a {opener} that "
                    "was not opened"
                )
    for sid in ("ST", "GS", "ISA"):
        if sid in open_:
            findings.append(_unclosed(open_[sid]))
    return findings


def _unclosed(segment: Segment) -> str:
    closer = {v: k for k, v in _CLOSES.items()}[segment.id]
    return (
        f"segment {segment.number} {segment.id}: has no {closer} "
        "(the file ends, or the next envelope starts, before it is closed)"
    )


class _Indent:
    """Loop depth of each segment: envelope, HL tree, claim, line, names."""

    def __init__(self) -> None:
        self.hl: dict[str, int] = {}
        self.levels: dict[str, int] = {}  # opener kind -> its depth
        self.container = 2  # depth of the innermost HL/CLM/SBR/LX-like loop
        self.current = 2  # depth of the innermost loop (container or NM1)

    def level(self, segment: Segment) -> int:
        sid = segment.id
        if sid in _ENVELOPE:
            self.container = self.current = _ENVELOPE[sid]
            self.levels.clear()
            return _ENVELOPE[sid]
        if sid == "HL":
            parent = self.hl.get(segment.get(2), 2)
            self.hl[segment.get(1)] = parent + 1
            self.levels = {"HL": parent + 1}
            return self._open(parent + 1)
        if sid in ("CLM", "CLP"):
            depth = self.levels.get("HL", 2) + 1
            self.levels["claim"] = depth
            return self._open(depth)
        if sid in ("LX", "SVC") or (sid == "SBR" and "claim" in self.levels):
            return self._open(self.levels.get("claim", 3) + 1, "line")
        if sid == "SVD":
            return self._open(self.levels.get("line", 4) + 1)
        if sid in ("NM1", "N1", "ENT", "LQ"):
            self.current = self.container + 1
            return self.current
        return self.current + 1

    def _open(self, depth: int, kind: str | None = None) -> int:
        if kind:
            self.levels[kind] = depth
        self.container = self.current = depth
        return depth


def json_command(path: str) -> int:
    """Print the models parsed from every readable transaction set as JSON.

    Args:
        path: The X12 file.

    Returns:
        0 when every transaction was read, 1 when some were rejected (they are
        listed with their reasons), 2 when nothing could be read.
    """
    try:
        result = read_file(_read(path))
    except X12Error as exc:
        print(json.dumps({"error": str(exc)}, indent=2))
        return 2
    out = {
        "transactions": [
            {
                "transaction_control_number": t.transaction_control_number,
                "transaction_code": t.transaction_code,
                "items": [
                    item.model_dump(mode="json")
                    if hasattr(item, "model_dump")
                    else str(item)
                    for item in t.items
                ],
            }
            for t in result.accepted
        ],
        "rejected": [
            {
                "transaction_control_number": r.transaction_control_number,
                "reason": r.reason,
                "text": r.text,
            }
            for r in result.rejected
        ],
    }
    print(json.dumps(out, indent=2, default=str))
    return 1 if result.rejected else 0
