"""Compile an edit's conditions into one Python function, for the scrub hot path.

The closures in :mod:`dsl.conditions` stay the reference semantics (``explain`` and
gateways use them). For scrubbing, each edit is also turned into a single function
whose body is built from a fixed vocabulary: field reads such as ``L.procedure``,
comparison operators, ``and``/``or``/``not`` and set tests. Nothing the analyst wrote
is pasted into the source: every literal, code list, pattern and data table is bound
to a generated name (``k0``, ``k1``...) in the function's namespace. The generated
expressions follow the closures exactly, including "missing makes a comparison
false"; ``tests/dsl/test_dsl_properties.py`` checks both agree on generated claims.

Names inside generated code: ``E`` the :class:`~dsl.fields.Env`, ``L`` the line,
``O`` the other line of ``any other line``, ``D`` the diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dsl.conditions import (
    TEXT_TYPES,
    CodeMatcher,
    DataRef,
    Value,
    _missing,
    compare_values,
)
from dsl.fields import FIELDS

GenFn = Callable[["Gen"], str]

_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class Gen:
    """Collects the constants and temporaries of one generated function."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"_missing": _missing, "_compare": compare_values}
        self.count = 0

    def const(self, value: Any) -> str:
        """Bind ``value`` to a fresh name; data references are resolved now."""
        if isinstance(value, DataRef):
            value = value.get().codes
        name = f"k{self.count}"
        self.count += 1
        self.ns[name] = value
        return name

    def temp(self) -> str:
        """A fresh local name for an assignment expression."""
        self.count += 1
        return f"t{self.count}"

    def value(self, value: Value) -> str:
        """The expression that reads a field, or the name of a literal."""
        if value.path is None:
            return self.const(value.literal)
        spec = FIELDS.get(value.path)
        if spec is not None and spec.code is not None:
            return spec.code
        return f"{self.const(value.getter)}(E)"


def _base(value: Value) -> str:
    return (value.type or "").removeprefix("list:")


def _is_list(value: Value) -> bool:
    return (value.type or "").startswith("list:")


def compare(left: Value, op: str, right: Value) -> GenFn:
    """Code for ``left op right``; see :func:`dsl.conditions.compare`."""

    def gen(g: Gen) -> str:
        a, b = g.value(left), g.value(right)
        if _is_list(left) or _is_list(right) or left.path is None:
            return f"_compare({a}, {b}, {g.const(op)})"
        t = g.temp()
        if right.path is None:
            if right.literal is None or isinstance(right.literal, list):
                return f"_compare({a}, {b}, {g.const(op)})"
            return f"(({t} := {a}) is not None and {t} {_OPS[op]} {b})"
        u = g.temp()
        return (
            f"(({t} := {a}) is not None and ({u} := {b}) is not None "
            f"and {t} {_OPS[op]} {u})"
        )

    return gen


def _membership(g: Gen, t: str, matcher: Any, value: Value) -> str:
    """Code testing whether the text in ``t`` is one of ``matcher``'s codes."""
    if isinstance(matcher, DataRef):
        return f"{t} in {g.const(matcher)}"
    if isinstance(matcher, CodeMatcher) and _base(value) in TEXT_TYPES:
        if not matcher.ranges:
            return f"{t} in {g.const(matcher.codes)}"
        digits = matcher.digit_codes
        if digits is not None:
            # Same-length digit strings compare like numbers, so a digit value is
            # in a range exactly when it is in the expanded set.
            return (
                f"({t} in {g.const(digits)} or "
                f"(not {t}.isdigit() and {t} in {g.const(matcher)}))"
            )
    return f"{t} in {g.const(matcher)}"


def member(value: Value, matcher: Any, negate: bool = False) -> GenFn:
    """Code for ``value in [...]`` / ``not in``; false when missing."""

    def gen(g: Gen) -> str:
        t = g.temp()
        test = _membership(g, t, matcher, value)
        test = f"not ({test})" if negate else f"({test})"
        return f"(({t} := {g.value(value)}) is not None and {test})"

    return gen


def quantified(value: Value, matcher: Any, mode: str) -> GenFn:
    """Code for ``any of`` / ``none of``; false when missing."""

    def gen(g: Gen) -> str:
        t = g.temp()
        plain = isinstance(matcher, DataRef) or (
            isinstance(matcher, CodeMatcher)
            and not matcher.ranges
            and _base(value) in TEXT_TYPES
        )
        if plain:
            codes = g.const(matcher if isinstance(matcher, DataRef) else matcher.codes)
            hit = f"not {codes}.isdisjoint({t})"
        else:
            x = g.temp()
            hit = f"any({x} in {g.const(matcher)} for {x} in {t})"
        test = hit if mode == "any" else f"not ({hit})"
        return f"(({t} := {g.value(value)}) is not None and {test})"

    return gen


def has(value: Value, targets: list[str], negate: bool = False) -> GenFn:
    """Code for ``has`` / ``has no``; false when missing."""

    def gen(g: Gen) -> str:
        t = g.temp()
        if _base(value) in TEXT_TYPES:
            hit = f"not {g.const(frozenset(targets))}.isdisjoint({t})"
        else:
            x = g.temp()
            wanted = g.const(frozenset(targets))
            hit = f"not {wanted}.isdisjoint([str({x}) for {x} in {t}])"
        test = f"not ({hit})" if negate else hit
        return f"(({t} := {g.value(value)}) is not None and {test})"

    return gen


def has_format(value: Value, regex: Any) -> GenFn:
    """Code for ``has format "..."``; false when missing."""

    def gen(g: Gen) -> str:
        t = g.temp()
        return (
            f"(({t} := {g.value(value)}) is not None "
            f"and {g.const(regex)}.match(str({t})) is not None)"
        )

    return gen


def presence(value: Value, want_missing: bool) -> GenFn:
    """Code for ``is missing`` / ``is present``."""

    def gen(g: Gen) -> str:
        test = f"_missing({g.value(value)})"
        return test if want_missing else f"(not {test})"

    return gen


def validity(
    value: Value, check: Callable[..., bool], negate: bool, day: Value | None = None
) -> GenFn:
    """Code for ``is valid npi|icd10 [on <date>]`` / ``is not valid``; false when
    missing. ``day`` is passed to ``check`` (it picks the ICD-10-CM release)."""

    def gen(g: Gen) -> str:
        t = g.temp()
        when = f", {g.value(day)}" if day is not None else ""
        return (
            f"(not _missing({t} := {g.value(value)}) "
            f"and {g.const(check)}(str({t}){when}) != {negate})"
        )

    return gen


def call(fn: Callable[..., bool]) -> GenFn:
    """Code that calls a closure reading only claim-level data (not the line)."""
    return lambda g: f"{g.const(fn)}(E)"


def any_other_line(inner: GenFn) -> GenFn:
    """Code for ``any other line where ( ... )``."""

    def gen(g: Gen) -> str:
        return f"any({inner(g)} for O in E.claim.lines if O is not L)"

    return gen


def always() -> GenFn:
    return lambda g: "True"


def both(a: GenFn, b: GenFn) -> GenFn:
    return lambda g: f"({a(g)} and {b(g)})"


def either(a: GenFn, b: GenFn) -> GenFn:
    return lambda g: f"({a(g)} or {b(g)})"


def negation(a: GenFn) -> GenFn:
    return lambda g: f"(not {a(g)})"


def edit_function(
    subject: str,
    where: GenFn | None,
    flag: GenFn,
    unless: GenFn | None,
    label: str,
) -> Callable[[Any], list[Any]]:
    """One function ``run(env) -> subjects that fire`` for an edit.

    Args:
        subject: ``claim``, ``line`` or ``diagnosis``.
        where: The ``for each line where`` condition, if any.
        flag: The ``flag when`` condition.
        unless: The ``unless`` condition, if any.
        label: The edit's final ID: shown as the code's file name in tracebacks,
            and the first item of each decision.

    Returns:
        The compiled function. Generated code reads the subject from its own
        loop variables and never sets ``env.line``; the one closure it calls
        (``coverage active``) reads only claim and eligibility. Its
        ``decide(env, out)`` attribute appends ``(edit ID, line number or None)``
        for each subject that fires instead.
    """
    g = Gen()
    tests = []
    if where is not None:
        tests.append(f"        if not {where(g)}:\n            continue\n")
    tests.append(f"        if not {flag(g)}:\n            continue\n")
    if unless is not None:
        tests.append(f"        if {unless(g)}:\n            continue\n")
    body = "".join(tests)
    if subject == "line":
        loop = "    D = None\n    for L in E.claim.lines:\n"
    elif subject == "diagnosis":
        loop = "    L = None\n    for D in E.claim.diagnoses:\n"
    else:
        loop = "    L = D = None\n    for _ in (None,):\n"
    item = {"line": "L", "diagnosis": "D"}.get(subject, "None")
    number = "L.line_number" if subject == "line" else "None"
    source = (
        "def run(E):\n"
        "    fired = []\n"
        f"{loop}{body}"
        f"        fired.append({item})\n"
        "    return fired\n"
        "\n"
        "def decide(E, out):\n"
        f"{loop}{body}"
        f"        out.append((EDIT_ID, {number}))\n"
    )
    namespace = dict(g.ns, EDIT_ID=label)
    exec(compile(source, f"<edit {label}>", "exec"), namespace)  # noqa: S102
    run = namespace["run"]
    run.source = source
    run.decide = namespace["decide"]
    return run


def ruleset_functions(edits: list[tuple[str, str, Any, Any, Any, bool]]):
    """Two functions that run every condition-based edit of a ruleset in one pass.

    Each edit becomes ``if where and flag and not unless: append``, so the order in
    which its conditions are tried is the same as in :func:`edit_function`. Lines
    are looped over once for all line edits, as hand-written code would.

    Args:
        edits: ``(edit ID, subject, where, flag, unless, windowed)`` per edit, in
            the ruleset's order; a windowed edit is guarded by ``A[i]``, the i-th
            entry of the per-claim tuple of "effective on the key date" flags.

    Returns:
        ``(subjects, decide)``: ``subjects(E, A, out)`` appends ``(edit index,
        subject)`` and ``decide(E, A, out)`` appends ``(edit ID, line number or
        None)``, for every subject that fires.
    """
    g = Gen()
    blocks: dict[str, list[tuple[int, str, str]]] = {
        "claim": [],
        "line": [],
        "diagnosis": [],
    }
    for index, (edit_id, subject, where, flag, unless, windowed) in enumerate(edits):
        tests = [f"A[{index}]"] if windowed else []
        if where is not None:
            tests.append(where(g))
        tests.append(flag(g))
        if unless is not None:
            tests.append(f"not {unless(g)}")
        blocks[subject].append((index, g.const(edit_id), " and ".join(tests)))

    def source(name: str, item: str) -> str:
        out = [f"def {name}(E, A, out):\n", "    L = D = None\n"]
        for index, edit_id, test in blocks["claim"]:
            out.append(
                f"    if {test}:\n        out.append({item(index, edit_id, 'c')})\n"
            )
        if blocks["line"]:
            out.append("    for L in E.claim.lines:\n")
            for index, edit_id, test in blocks["line"]:
                out.append(
                    f"        if {test}:\n"
                    f"            out.append({item(index, edit_id, 'L')})\n"
                )
            out.append("    L = None\n")
        if blocks["diagnosis"]:
            out.append("    for D in E.claim.diagnoses:\n")
            for index, edit_id, test in blocks["diagnosis"]:
                out.append(
                    f"        if {test}:\n"
                    f"            out.append({item(index, edit_id, 'D')})\n"
                )
        return "".join(out)

    def subject_item(index: int, edit_id: str, kind: str) -> str:
        return f"({index}, {'None' if kind == 'c' else kind})"

    def decision_item(index: int, edit_id: str, kind: str) -> str:
        return f"({edit_id}, {'L.line_number' if kind == 'L' else 'None'})"

    text = source("subjects", subject_item) + "\n" + source("decide", decision_item)
    namespace = dict(g.ns)
    exec(compile(text, "<ruleset>", "exec"), namespace)  # noqa: S102
    subjects, decide = namespace["subjects"], namespace["decide"]
    subjects.source = decide.source = text
    return subjects, decide
