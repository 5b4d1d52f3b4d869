"""Shapes and validity of the codes rule files mention, by field type.

ICD-10-CM validity comes from the ``simple-icd-10-cm`` package (MIT), which ships the
CDC April 2026 tabular release offline; a code is valid for billing when it exists
and is a leaf (no further subdivision). Releases change every October 1, and a code
must be judged by the release in force on the date of service: the package carries
only the latest, so ``icd10cm_changes.csv`` lists codes added or subdivided at a
release boundary, and for an earlier date of service those changes are undone (an
added code is not yet valid, a subdivided one is still billable). Changes that are
not in that table are not undone; the trace names the release used either way.
"""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

ICD10_RELEASE = "CDC ICD-10-CM April 2026 (simple-icd-10-cm 1.5.0)"
ICD10_FIRST_DAY = date(2015, 10, 1)  # ICD-10-CM replaced ICD-9-CM on this date
ICD10_LATEST_YEAR = 2026  # the fiscal year of the pinned release
CHANGES_FILE = Path(__file__).with_name("icd10cm_changes.csv")

_SHAPES = {
    "procedure": (
        re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$"),
        "CPT/HCPCS code",
        "CPT/HCPCS codes are 5 characters, e.g. 99213 or G0438.",
    ),
    "modifier": (
        re.compile(r"^[0-9A-Z]{2}$"),
        "modifier",
        "Modifiers are 2 characters, e.g. 25, 59 or XU.",
    ),
    "pos": (
        re.compile(r"^\d{2}$"),
        "place of service code",
        "Place of service codes are 2 digits, e.g. 11 or 02.",
    ),
    "icd10": (
        # U is used too: U07.1 (COVID-19) and U09.9 are billable since 2020/2021.
        re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$"),
        "ICD-10-CM code",
        "ICD-10-CM codes are written with the dot, e.g. J02.9 or M54.50.",
    ),
    "npi": (
        re.compile(r"^\d{10}$"),
        "NPI",
        "An NPI is 10 digits.",
    ),
    "sex": (re.compile(r"^[MFU]$"), "sex code", "Use M, F or U."),
    "revenue": (
        re.compile(r"^\d{4}$"),
        "revenue code",
        "Revenue codes are 4 digits, e.g. 0450 or 0300.",
    ),
    "bill_type": (
        re.compile(r"^[1-9]\d[0-9A-Z]$"),
        "type of bill",
        "A type of bill is facility type and frequency, e.g. 131 or 111.",
    ),
    "number": (
        re.compile(r"^\d+(\.\d+)?$"),
        "number",
        "Write a plain number such as 1 or 2.5.",
    ),
    "money": (
        re.compile(r"^\d+(\.\d{1,2})?$"),
        "amount",
        "Write an amount such as 0 or 125.50.",
    ),
    "carc": (
        re.compile(r"^([1-9]\d{0,2}|[A-Z]\d{1,2})$"),
        "CARC",
        "Claim adjustment reason codes look like 16, 45 or B7.",
    ),
    "rarc": (
        re.compile(r"^(M|MA|N)\d{1,3}$"),
        "RARC",
        "Remark codes look like N115, M76 or MA130.",
    ),
    "group": (
        re.compile(r"^(CO|OA|PI|PR|CR)$"),
        "claim adjustment group code",
        "Group codes are CO, OA, PI or PR.",
    ),
}


def shape_problem(kind: str, code: str) -> tuple[str, str] | None:
    """Say what is wrong with ``code`` as a ``kind``, or ``None`` when it fits.

    Args:
        kind: A field type (``procedure``, ``modifier``, ``icd10``...) or code kind
            (``carc``, ``rarc``, ``group``). Unknown kinds accept anything.
        code: The literal as written.

    Returns:
        ``(message, hint)`` or ``None``.
    """
    if kind not in _SHAPES:
        return None
    pattern, label, hint = _SHAPES[kind]
    if pattern.match(code):
        return None
    article = "an" if label[0] in "AEIOU" else "a"
    return f"`{code}` is not {article} valid {label}", hint


def npi_is_valid(npi: str) -> bool:
    """Check an NPI's Luhn digit, computed over the ``80840`` prefix plus 9 digits.

    Args:
        npi: The NPI as billed.

    Returns:
        True for a 10-digit NPI whose check digit is right.
    """
    if not re.fullmatch(r"\d{10}", npi or ""):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


@cache
def _icd():
    with warnings.catch_warnings():  # the package uses importlib.resources' old API
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import simple_icd_10_cm
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                "ICD-10-CM checks need the package simple-icd-10-cm==1.5.0"
            ) from exc
        simple_icd_10_cm.is_valid_item("A00.0")  # loads the release now
    return simple_icd_10_cm


def preload_icd10() -> None:
    """Load the ICD-10-CM release and its change table now (the release takes
    about a second and a half), so that evaluating a claim reads no file."""
    _icd()
    icd10_changes()


@dataclass(frozen=True)
class Icd10Change:
    """A code added, or subdivided (no longer billable), from ``effective`` on."""

    code: str
    change: str  # added | subdivided
    effective: date
    source: str


@cache
def icd10_changes() -> tuple[str, dict[str, tuple[Icd10Change, ...]]]:
    """The shipped change table: its release and the changes of each code, oldest
    first."""
    lines = [
        ln for ln in CHANGES_FILE.read_text().splitlines() if not ln.startswith("#")
    ]
    found: dict[str, list[Icd10Change]] = {}
    releases = set()
    for row in csv.DictReader(lines):
        releases.add(row["release"])
        change = Icd10Change(
            row["code"],
            row["change"],
            date.fromisoformat(row["effective"]),
            row["source"],
        )
        found.setdefault(change.code, []).append(change)
    (release,) = releases
    ordered = {k: tuple(sorted(v, key=lambda c: c.effective)) for k, v in found.items()}
    return release, ordered


def fiscal_year(day: date) -> int:
    """The ICD-10-CM release year of a date: FY 2024 runs 2023-10-01..2024-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def icd10_release(day: date | None) -> str:
    """Name the ICD-10-CM release used for a date of service, for traces."""
    if day is None:
        return f"{ICD10_RELEASE} (no date of service)"
    if day < ICD10_FIRST_DAY:
        return f"none: ICD-10-CM starts {ICD10_FIRST_DAY} (date of service {day})"
    year = fiscal_year(day)
    if year > ICD10_LATEST_YEAR:
        return f"FY {year} is not shipped; {ICD10_RELEASE} used"
    if year == ICD10_LATEST_YEAR:
        return f"FY {year}: {ICD10_RELEASE}"
    changes = icd10_changes()[0]
    return (
        f"FY {year}: {ICD10_RELEASE} with the later changes of {changes} undone"
    )


def icd10_is_billable(code: str, day: date | None = None) -> bool:
    """True when ``code`` is an ICD-10-CM code at its most specific level.

    Args:
        code: The code with its dot, e.g. ``M54.50``.
        day: The date of service that picks the release; ``None`` for the pinned
            (latest) release.

    Returns:
        Whether the code is billable in the release in force on ``day``.
    """
    if not code or not _SHAPES["icd10"][0].match(code):
        return False
    if day is not None and day < ICD10_FIRST_DAY:
        return False
    icd = _icd()
    if day is not None:
        for change in icd10_changes()[1].get(code, ()):
            if change.effective > day:  # the first change still to come decides
                return change.change == "subdivided" and icd.is_valid_item(code)
    return bool(icd.is_valid_item(code) and icd.is_leaf(code))
