"""Transformer callbacks that compile conditions into closures, checking fields."""

from __future__ import annotations

import difflib
from datetime import date

from lark import Token, Transformer, v_args

from dsl import codegen as cg
from dsl import conditions as c
from dsl.codes import icd10_is_billable, icd10_release, npi_is_valid, shape_problem
from dsl.conditions import CodeMatcher, Cond, NumberMatcher, Value
from dsl.fields import FIELDS, fields_of, roots

_ORDERED = {"number", "money", "date"}


@v_args(meta=True)
class ConditionsMixin(Transformer):
    """Compiles condition trees; needs ``pos``, ``error`` and ``data`` from the host."""

    # ------------------------------------------------------------------ values

    def value(self, meta, children):
        tok = children[0]
        pos = self.pos_of(tok)
        if tok.type == "PATH":
            return self._field(str(tok), pos)
        if tok.type == "STRING":
            text = self.unquote(tok)
            return Value(lambda env, v=text: v, pos, literal=text)
        if tok.type == "DATE":
            day = self.check_date(tok)
            return Value(lambda env, v=day: v, pos, literal=day)
        if tok.type == "USDATE":
            self.check_date(tok)
            return Value(lambda env: None, pos, literal=None)
        return Value(lambda env, v=str(tok): v, pos, literal=str(tok))

    def diagnosis_value(self, meta, children):
        return self._field("diagnosis", self.pos(meta))

    def _field(self, path: str, pos) -> Value:
        spec = FIELDS.get(path)
        if spec is None:
            self._unknown_field(path, pos)
            return Value(lambda env: None, pos, path=path, type="unknown")
        return Value(spec.getter, pos, path=path, type=spec.type)

    def _unknown_field(self, path: str, pos) -> None:
        root, _, name = path.partition(".")
        if root not in roots():
            close = difflib.get_close_matches(root, roots(), n=1)
            hint = f"Did you mean `{close[0]}.{name}`? " if close else ""
            self.error(
                pos,
                f"Unknown field root `{root}`",
                hint + "Roots: " + ", ".join(roots()) + ".",
                "unknown-field",
            )
            return
        names = fields_of(root)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"Did you mean `{root}.{close[0]}`? " if close else ""
        self.error(
            pos,
            f"`{root}` has no field `{name}`",
            hint + f"Fields of {root}: " + ", ".join(names),
            "unknown-field",
        )

    def _coerce(self, lit: Value, ftype: str | None) -> Value:
        """Parse a literal the way the field it is compared with needs it."""
        if ftype in (None, "unknown", "text", "bool") or lit.path is not None:
            return lit
        base = ftype.removeprefix("list:")
        if base == "date":
            if not isinstance(lit.literal, date):
                self.error(
                    lit.pos, f"`{lit.pos.text}` is not a date", "Write YYYY-MM-DD."
                )
            return lit
        problem = shape_problem(base, str(lit.literal))
        if problem:
            self.error(lit.pos, *problem, code="malformed-code")
            return Value(lambda env: None, lit.pos)
        if base in ("number", "money"):
            number = c.to_decimal(str(lit.literal))
            return Value(lambda env, v=number: v, lit.pos, literal=number)
        return lit

    # ------------------------------------------------------------------ atoms

    def _cond(self, meta, fn, *values: Value, gen, data=(), releases=()) -> Cond:
        paths = [v.path for v in values if v.path]
        return Cond(fn, self.pos(meta), paths, list(data), list(releases), gen)

    def compare(self, meta, children):
        left, op, right = children
        if left.path is None and right.path is None:
            self.error(left.pos, "A comparison needs a field on one side", "")
        if left.path is None:
            left = self._coerce(left, right.type)
        if right.path is None:
            right = self._coerce(right, left.type)
        kinds = {v.type for v in (left, right) if v.path}
        if op not in ("=", "!=") and kinds - _ORDERED - {"unknown"}:
            self.error(
                self.pos(meta),
                f"`{op}` needs numbers, amounts or dates",
                "Use `=`, `!=`, `in [...]` or `has` for codes and text.",
            )
        return self._cond(
            meta,
            c.compare(left, op, right),
            left,
            right,
            gen=cg.compare(left, op, right),
        )

    def cmp_op(self, meta, children):
        return str(children[0])

    def code_list(self, meta, children):
        return children

    def list_item(self, meta, children):
        return ("code", str(children[0]), None, self.pos_of(children[0]))

    def code_range(self, meta, children):
        lo, hi = children
        return ("range", str(lo), str(hi), self.pos_of(lo))

    def _matcher(self, items, ftype: str | None) -> CodeMatcher | NumberMatcher:
        base = (ftype or "").removeprefix("list:")
        for _, lo, hi, pos in items:
            for code in (lo, hi) if hi else (lo,):
                problem = shape_problem(base, code)
                if problem:
                    self.error(pos, *problem, code="malformed-code")
        codes = [lo for kind, lo, _, _ in items if kind == "code"]
        ranges = [(lo, hi) for kind, lo, hi, _ in items if kind == "range"]
        if base in ("number", "money"):
            return NumberMatcher(codes, ranges)
        return CodeMatcher(codes, ranges)

    def _scalar(self, value: Value, how: str) -> None:
        if value.type and value.type.startswith("list:"):
            self.error(
                value.pos,
                f"`{value.path}` holds several values",
                f"Use `any of {value.path} {how}` or `none of {value.path} {how}`.",
            )

    def _list(self, value: Value) -> None:
        if value.path and not (value.type or "").startswith(("list:", "unknown")):
            self.error(
                value.pos, f"`{value.path}` holds one value", "Use `in` instead."
            )

    def in_list(self, meta, children, negate=False):
        value, items = children
        self._scalar(value, "in [...]")
        matcher = self._matcher(items, value.type)
        return self._cond(
            meta,
            c.member(value, matcher, negate),
            value,
            gen=cg.member(value, matcher, negate),
        )

    def not_in_list(self, meta, children):
        return self.in_list(meta, children, negate=True)

    def _data(self, name: Token, kind: str) -> c.DataRef:
        alias = str(name)
        self.data_ref(alias, kind, self.pos_of(name))
        return c.DataRef(self.data, alias)

    def in_codeset(self, meta, children, kind="codeset"):
        value, name = children
        self._scalar(value, f"in {kind} {name}")
        ref = self._data(name, kind)
        return self._cond(
            meta,
            c.member(value, ref),
            value,
            gen=cg.member(value, ref),
            data=[ref],
        )

    def in_table(self, meta, children):
        return self.in_codeset(meta, children, kind="table")

    def _quantified(self, meta, value, matcher, mode):
        self._list(value)
        data = [matcher] if isinstance(matcher, c.DataRef) else []
        return self._cond(
            meta,
            c.quantified(value, matcher, mode),
            value,
            gen=cg.quantified(value, matcher, mode),
            data=data,
        )

    def none_in_list(self, meta, children):
        matcher = self._matcher(children[1], children[0].type)
        return self._quantified(meta, children[0], matcher, "none")

    def any_in_list(self, meta, children):
        matcher = self._matcher(children[1], children[0].type)
        return self._quantified(meta, children[0], matcher, "any")

    def none_in_codeset(self, meta, children):
        matcher = self._data(children[1], "codeset")
        return self._quantified(meta, children[0], matcher, "none")

    def any_in_codeset(self, meta, children):
        matcher = self._data(children[1], "codeset")
        return self._quantified(meta, children[0], matcher, "any")

    def _targets(self, value: Value, target) -> list[str]:
        items = (
            target
            if isinstance(target, list)
            else [("code", str(target), None, self.pos_of(target))]
        )
        self._matcher(items, value.type)
        return [lo for _, lo, _, _ in items]

    def has(self, meta, children, negate=False):
        value, target = children
        self._list(value)
        targets = self._targets(value, target)
        return self._cond(
            meta,
            c.has(value, targets, negate),
            value,
            gen=cg.has(value, targets, negate),
        )

    def has_no(self, meta, children):
        return self.has(meta, children, negate=True)

    def has_format(self, meta, children):
        value, pattern = children
        regex = c.format_regex(self.unquote(pattern))
        return self._cond(
            meta,
            c.has_format(value, self.unquote(pattern)),
            value,
            gen=cg.has_format(value, regex),
        )

    def is_missing(self, meta, children):
        value = children[0]
        return self._cond(
            meta, c.presence(value, True), value, gen=cg.presence(value, True)
        )

    def is_present(self, meta, children):
        value = children[0]
        return self._cond(
            meta, c.presence(value, False), value, gen=cg.presence(value, False)
        )

    def is_code(self, meta, children, op="="):
        value, code = children
        self._scalar(value, f"in [{code}]")
        lit = self._coerce(
            Value(lambda env, v=str(code): v, self.pos_of(code), literal=str(code)),
            value.type,
        )
        return self._cond(
            meta, c.compare(value, op, lit), value, gen=cg.compare(value, op, lit)
        )

    def is_not_code(self, meta, children):
        return self.is_code(meta, children, op="!=")

    def validator(self, meta, children):
        return str(children[0])

    def is_valid(self, meta, children, negate=False):
        value, check, *on = children
        if check == "npi":
            return self._cond(
                meta,
                c.validity(value, check, negate),
                value,
                gen=cg.validity(value, npi_is_valid, negate),
            )
        # The release is the one in force on the date of service: `on <date>`
        # when given, else the claim's first date of service.
        day = on[0] if on else self._field("claim.from_date", self.pos(meta))
        if day.type not in ("date", "unknown") and not isinstance(day.literal, date):
            self.error(
                day.pos,
                "`is valid icd10 on ...` needs a date",
                "Write `on claim.from_date`, `on line.service_date` or a date.",
            )
        read_day = day.getter
        return self._cond(
            meta,
            c.validity(value, check, negate, day),
            value,
            *([day] if on else []),
            gen=cg.validity(value, icd10_is_billable, negate, day),
            releases=[lambda env: icd10_release(read_day(env))],
        )

    def is_not_valid(self, meta, children):
        return self.is_valid(meta, children, negate=True)

    def any_other_line(self, meta, children):
        inner: Cond = children[0]
        outer = [p for p in inner.paths if not p.startswith("other.")]
        return Cond(
            c.any_other_line(inner),
            self.pos(meta),
            outer,
            inner.data,
            inner.releases,
            cg.any_other_line(inner.gen),
        )

    def coverage_active(self, meta, children):
        return Cond(
            c.coverage_active,
            self.pos(meta),
            ["coverage.active"],
            gen=cg.call(c.coverage_active),
        )

    def always(self, meta, children):
        return Cond(lambda env: True, self.pos(meta), [], gen=cg.always())

    # ------------------------------------------------------------------ logic

    def and_cond(self, meta, children):
        a, b = children
        fa, fb = a.fn, b.fn
        return Cond(
            lambda env: fa(env) and fb(env),
            self.pos(meta),
            *_joined(a, b),
            cg.both(a.gen, b.gen),
        )

    def or_cond(self, meta, children):
        a, b = children
        fa, fb = a.fn, b.fn
        return Cond(
            lambda env: fa(env) or fb(env),
            self.pos(meta),
            *_joined(a, b),
            cg.either(a.gen, b.gen),
        )

    def not_cond(self, meta, children):
        inner = children[0]
        fn = inner.fn
        return Cond(
            lambda env: not fn(env),
            self.pos(meta),
            inner.paths,
            inner.data,
            inner.releases,
            cg.negation(inner.gen),
        )


def _joined(a: Cond, b: Cond) -> tuple[list[str], list[str], list[str]]:
    return a.paths + b.paths, a.data + b.data, a.releases + b.releases
