"""Compiled conditions: closures over an :class:`~dsl.fields.Env`, with source text.

Every condition keeps the analyst's own text and the fields it reads, so a finding
can say which condition decided it and what each field held. A comparison with a
missing value is false; ``is missing`` and ``is present`` are the way to test for
absence. ``not`` negates the whole result, so ``not (line.units > 1)`` is true when
the units are missing: write ``line.units <= 1`` to keep missing data false.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dsl.codes import icd10_is_billable, npi_is_valid
from dsl.fields import Env

Getter = Callable[[Env], Any]


@dataclass(frozen=True)
class Pos:
    """Where something was written: file, 1-based line and column, and its text."""

    file: str
    line: int
    column: int
    text: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Value:
    """One side of a condition: a field or a literal, with its getter."""

    getter: Getter
    pos: Pos
    path: str | None = None  # set for fields
    type: str | None = None  # field type; None for literals
    literal: Any = None


@dataclass
class Cond:
    """A compiled condition: ``fn(env) -> bool`` plus its text and what it reads.

    ``paths`` are the fields read; ``data`` the code sets and tables consulted (as
    :class:`DataRef`); ``releases`` name the built-in data release used, as
    functions of the evaluation (ICD-10-CM is chosen by the date of service).
    """

    fn: Callable[[Env], bool]
    pos: Pos
    paths: list[str] = field(default_factory=list)
    data: list[Any] = field(default_factory=list)
    releases: list[Callable[[Env], str]] = field(default_factory=list)
    gen: Any = None  # builds the same test as Python source (dsl.codegen)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        # A condition spread over several lines reads as one line in traces.
        self.text = " ".join(self.pos.text.split())


class CodeMatcher:
    """Membership in a list of codes and inclusive ranges like ``99221..99223``."""

    def __init__(self, codes: Iterable[str], ranges: Iterable[tuple[str, str]] = ()):
        self.codes = frozenset(codes)
        self.ranges = tuple(ranges)

    @property
    def plain(self) -> frozenset[str] | None:
        """The codes as a set when there are no ranges (a faster test for text)."""
        return None if self.ranges else self.codes

    @property
    def digit_codes(self) -> frozenset[str] | None:
        """Codes plus every digit string inside the ranges, when ranges are digits.

        ``None`` when a range has letters, ends of different lengths, or more than
        10,000 members.
        """
        expanded = set(self.codes)
        for lo, hi in self.ranges:
            if not (lo.isdigit() and hi.isdigit() and len(lo) == len(hi)):
                return None
            if int(hi) - int(lo) > 10_000 or len(expanded) > 10_000:
                return None
            width = len(lo)
            expanded.update(f"{n:0{width}d}" for n in range(int(lo), int(hi) + 1))
        return frozenset(expanded)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            code = str(code)
        if code in self.codes:
            return True
        return any(len(code) == len(lo) and lo <= code <= hi for lo, hi in self.ranges)


class NumberMatcher:
    """Membership in numbers and inclusive numeric ranges like ``18..64``."""

    def __init__(self, numbers: Iterable[str], ranges: Iterable[tuple[str, str]] = ()):
        self.numbers = frozenset(Decimal(n) for n in numbers)
        self.ranges = tuple((Decimal(lo), Decimal(hi)) for lo, hi in ranges)

    def __contains__(self, value: object) -> bool:
        number = Decimal(str(value))
        if number in self.numbers:
            return True
        return any(lo <= number <= hi for lo, hi in self.ranges)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _missing(value: Any) -> bool:
    return value is None or value == [] or value == ""


# Field types whose values are always text: a set test on them equals a matcher test.
TEXT_TYPES = frozenset(
    {"procedure", "modifier", "pos", "icd10", "npi", "sex", "text", "revenue"}
    | {"bill_type"}
)


def _constant(value: Value) -> tuple[bool, Any]:
    """``(True, v)`` when ``value`` is a literal that is never missing."""
    if value.path is None and value.literal is not None:
        return True, value.literal
    return False, None


def _is_list(value: Value) -> bool:
    return (value.type or "").startswith("list:")


def compare_values(a: Any, b: Any, op: str) -> bool:
    """``a op b``; false when either is missing. Lists compare as sets."""
    if a is None or b is None:
        return False
    if isinstance(a, list) and isinstance(b, list):
        a, b = sorted(a), sorted(b)
    return bool(_OPS[op](a, b))


def compare(left: Value, op: str, right: Value) -> Callable[[Env], bool]:
    """Compare two values; false when either is missing. Lists compare as sets."""
    ga, gb, fn = left.getter, right.getter, _OPS[op]
    fixed, constant = _constant(right)
    if fixed and not _is_list(left) and not isinstance(constant, list):

        def run_constant(env: Env) -> bool:
            a = ga(env)
            return a is not None and bool(fn(a, constant))

        return run_constant

    def run(env: Env) -> bool:
        a, b = ga(env), gb(env)
        if a is None or b is None:
            return False
        if isinstance(a, list) and isinstance(b, list):
            a, b = sorted(a), sorted(b)
        return bool(fn(a, b))

    return run


def _fast_set(matcher: Any, value: Value) -> frozenset[str] | None:
    """A plain code set standing in for ``matcher`` when the field holds text."""
    if value.type is None or value.type.removeprefix("list:") not in TEXT_TYPES:
        return None
    return getattr(matcher, "plain", None)


def member(value: Value, matcher: Any, negate: bool = False):
    """``value in [...]`` (or ``not in``); false when the value is missing.

    ``matcher`` is a code list, or a :class:`DataRef` resolved on first use.
    """
    get = value.getter
    if not isinstance(matcher, DataRef):
        codes = _fast_set(matcher, value)
        if codes is not None:
            if negate:
                return lambda env: (v := get(env)) is not None and v not in codes
            return lambda env: (v := get(env)) is not None and v in codes
    resolve = matcher.get if isinstance(matcher, DataRef) else lambda: matcher

    def run(env: Env) -> bool:
        v = get(env)
        if v is None:
            return False
        return (v in resolve()) != negate

    return run


def quantified(value: Value, matcher: Any, mode: str):
    """``any of`` / ``none of`` a list field in a code list; false when missing."""
    get = value.getter
    codes = None if isinstance(matcher, DataRef) else _fast_set(matcher, value)
    if codes is not None:
        if mode == "any":
            return lambda env: (v := get(env)) is not None and not codes.isdisjoint(v)
        return lambda env: (v := get(env)) is not None and codes.isdisjoint(v)
    resolve = matcher.get if isinstance(matcher, DataRef) else lambda: matcher

    def run(env: Env) -> bool:
        items = get(env)
        if items is None:
            return False
        codes = resolve()
        hit = any(item in codes for item in items)
        return hit if mode == "any" else not hit

    return run


def has(value: Value, targets: list[str], negate: bool = False):
    """``list has X`` / ``has [X, Y]`` (any of them) / ``has no [...]``."""
    get, wanted = value.getter, tuple(targets)
    if (value.type or "").removeprefix("list:") in TEXT_TYPES:
        wanted_set = frozenset(targets)
        if negate:
            return lambda env: (v := get(env)) is not None and wanted_set.isdisjoint(v)
        return lambda env: (v := get(env)) is not None and not wanted_set.isdisjoint(v)

    def run(env: Env) -> bool:
        items = get(env)
        if items is None:
            return False
        present = {str(item) for item in items}
        return any(t in present for t in wanted) != negate

    return run


class DataRef:
    """A code set or table of a rule file, looked up once the linker loaded it."""

    def __init__(self, data: dict[str, Any], alias: str):
        self.data = data
        self.alias = alias
        self._value: Any = None

    def get(self) -> Any:
        """The loaded data (cached after the first call)."""
        if self._value is None:
            self._value = self.data[self.alias]
        return self._value


def format_regex(pattern: str) -> re.Pattern[str]:
    """``A`` is a letter, ``#`` a digit, ``*`` a letter or digit; the rest literal."""
    parts = {"A": "[A-Za-z]", "#": "[0-9]", "*": "[A-Za-z0-9]"}
    return re.compile("".join(parts.get(c, re.escape(c)) for c in pattern) + r"\Z")


def has_format(value: Value, pattern: str):
    """``member.id has format "AAA#####"``; false when missing."""
    get, regex = value.getter, format_regex(pattern)
    return lambda env: (v := get(env)) is not None and bool(regex.match(str(v)))


def presence(value: Value, want_missing: bool):
    """``is missing`` / ``is present``: an empty list or text counts as missing."""
    get = value.getter
    return lambda env: _missing(get(env)) == want_missing


def validity(value: Value, validator: str, negate: bool, day: Value | None = None):
    """``is valid npi`` / ``is not valid icd10 [on <date>]``; false when missing.

    ``day`` picks the ICD-10-CM release (the date of service); NPIs have none.
    """
    check = npi_is_valid if validator == "npi" else icd10_is_billable

    def run(env: Env) -> bool:
        v = value.getter(env)
        if _missing(v):
            return False
        if day is None:
            return check(str(v)) != negate
        return check(str(v), day.getter(env)) != negate

    return run


def any_other_line(inner: Cond):
    """True when another line of the claim (not ``line`` itself) satisfies ``inner``."""
    fn = inner.fn

    def run(env: Env) -> bool:
        saved = env.other
        try:
            for candidate in env.claim.lines:
                if candidate is env.line:
                    continue
                env.other = candidate
                if fn(env):
                    return True
            return False
        finally:
            env.other = saved

    return run


def coverage_active(env: Env) -> bool:
    """Eligibility says active, and the date of service is inside its window."""
    elig = env.eligibility
    if elig is None or not elig.active:
        return False
    dos = env.claim.from_date
    if elig.coverage_start is not None and dos < elig.coverage_start:
        return False
    return elig.coverage_end is None or dos <= elig.coverage_end


def to_decimal(text: str) -> Decimal:
    """A literal number as a Decimal (never a float)."""
    return Decimal(text)
