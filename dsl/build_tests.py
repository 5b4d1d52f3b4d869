"""Transformer callbacks for analyst ``test`` blocks (givens and expectations)."""

from __future__ import annotations

from lark import Transformer, v_args

from dsl.model import Expectation, TestCase


@v_args(meta=True)
class TestsMixin(Transformer):
    """Turns ``test`` blocks into :class:`~dsl.model.TestCase` data."""

    # ------------------------------------------------------------------ given claim

    def fact_type(self, meta, children):
        return ("kind", children[0])

    def fact_patient(self, meta, children):
        return ("patient", dict(children))

    def patient_age(self, meta, children):
        return ("age", int(str(children[0])))

    def patient_sex(self, meta, children):
        return ("sex", str(children[0]))

    def patient_zip(self, meta, children):
        return ("zip", str(children[0]) if children else "")

    def fact_coverage(self, meta, children):
        return ("coverage", dict(children))

    def coverage_on(self, meta, children):
        return ("active", True)

    def coverage_off(self, meta, children):
        return ("active", False)

    def coverage_unchecked(self, meta, children):
        return ("checked", None)

    def coverage_checked(self, meta, children):
        return ("checked_days_ago", int(str(children[0])))

    def coverage_plan(self, meta, children):
        return ("plan", str(children[0]))

    def fact_member(self, meta, children):
        return ("member_id", self.unquote(children[0]))

    def fact_dos(self, meta, children):
        return ("date_of_service", children[0])

    def fact_diagnoses(self, meta, children):
        return ("diagnoses", [str(t) for t in children])

    def fact_npi(self, meta, children):
        role = children[0]
        value = str(children[1]) if len(children) > 1 else ""
        return (f"{role}_npi", value)

    def fact_prior_auth(self, meta, children):
        return ("prior_auth_number", self.unquote(children[0]))

    def fact_frequency(self, meta, children):
        return ("frequency_code", str(children[0]))

    def fact_expected(self, meta, children):
        return ("expected_amount", str(children[0]))

    def fact_line(self, meta, children):
        number, procedure, *attrs = children
        line = {"number": int(str(number)), "procedure": str(procedure)}
        line.update(attrs)
        return ("line", line)

    def fact_revenue_line(self, meta, children):
        number, revenue, *attrs = children
        line = {"number": int(str(number)), "procedure": "", "revenue": str(revenue)}
        line.update(attrs)
        return ("line", line)

    def fact_facility(self, meta, children):
        return ("facility_type_code", str(children[0]))

    def line_revenue(self, meta, children):
        return ("revenue", str(children[0]))

    def line_units(self, meta, children):
        return ("units", str(children[0]))

    def line_pos(self, meta, children):
        return ("pos", str(children[0]))

    def line_modifiers(self, meta, children):
        return ("modifiers", [str(t) for t in children])

    def line_charge(self, meta, children):
        return ("charge", str(children[0]))

    def line_date(self, meta, children):
        return ("service_date", children[0])

    def line_pointers(self, meta, children):
        return ("pointers", [int(str(t)) for t in children])

    def given_claim(self, meta, facts):
        spec: dict = {"lines": []}
        for key, value in facts:
            if key == "line":
                spec["lines"].append(value)
            else:
                spec[key] = value
        return ("claim", spec)

    def given_claim_file(self, meta, children):
        return ("claim_file", (self.unquote(children[0]), self.pos_of(children[0])))

    # ------------------------------------------------------------------ remittance

    def remit_adjustment(self, meta, children):
        group, carc = str(children[0]), str(children[1])
        adj = {"group": group, "carc": carc, "rarc": None, "amount": None, "line": None}
        for tok in children[2:]:
            keyword = self.text[: tok.start_pos].split()[-1]  # rarc | amount | line
            adj[keyword] = str(tok)
        return ("adjustment", adj)

    def remit_status(self, meta, children):
        return ("status", str(children[0]))

    def remit_charge(self, meta, children):
        return ("charge", str(children[0]))

    def remit_paid(self, meta, children):
        return ("paid", str(children[0]))

    def remit_pr(self, meta, children):
        return ("patient_responsibility", str(children[0]))

    def remit_expected(self, meta, children):
        return ("expected_amount", str(children[0]))

    def given_remittance(self, meta, facts):
        spec: dict = {"adjustments": []}
        for key, value in facts:
            if key == "adjustment":
                spec["adjustments"].append(value)
            else:
                spec[key] = value
        return ("remittance", spec)

    # ------------------------------------------------------------------ submission

    def event(self, meta, children):
        code, outcome, after = children
        return (str(code), outcome, after)

    def given_submission(self, meta, children):
        return ("submission", (children[0], list(children[1:])))

    # ------------------------------------------------------------------ expectations

    def _expect(self, meta, kind, **args):
        return Expectation(kind, self.pos(meta), args)

    def expect_edit(self, meta, children):
        line = int(str(children[1])) if len(children) > 1 else None
        return self._expect(meta, "edit", id=children[0], line=line)

    def expect_no_edit(self, meta, children):
        return self._expect(meta, "no_edit", id=children[0])

    def expect_no_edits(self, meta, children):
        return self._expect(meta, "no_edits")

    def expect_deadline(self, meta, children):
        return self._expect(meta, "deadline", filing=children[0], date=children[1])

    def expect_warning(self, meta, children):
        return self._expect(meta, "warning", filing=children[0], date=children[1])

    def expect_gateway(self, meta, children):
        self.file.gateway_refs.append((str(children[0]), self.pos(meta)))
        return self._expect(
            meta, "gateway", gateway=str(children[0]), actions=children[1]
        )

    def expect_action(self, meta, children):
        after = children[1] if len(children) > 1 else None
        return self._expect(meta, "action", action=children[0], after=after)

    def test(self, meta, children):
        name, *parts = children
        case = TestCase(self.unquote(name), self.pos(meta))
        for part in parts:
            if isinstance(part, tuple):
                setattr(case, part[0], part[1])
            else:
                case.expectations.append(part)
        self.file.tests.append(case)
