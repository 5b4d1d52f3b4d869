"""Transformer callbacks for flows: timely filing, waits, gateways, tables, routes."""

from __future__ import annotations

from lark import Transformer, v_args

from dsl.codes import shape_problem
from dsl.model import Branch, DenialTable, Gateway, Row, Timely
from dsl.plan import Action, CycleTimer, Duration, Route, Task, WaitStep

_UNIT = {
    "hour": "hour",
    "day": "day",
    "business_day": "business_day",
    "week": "week",
    "month": "month",
    "year": "year",
}
_OUTCOMES = {
    "999": {"accepted", "rejected", "timeout"},
    "277CA": {"accepted", "rejected", "timeout"},
    "835": {"received", "timeout"},
}


@v_args(meta=True)
class FlowMixin(Transformer):
    """Builds plan data (``dsl.plan``) for everything that happens after scrubbing."""

    def _words(self, meta, children):
        return " ".join(str(t) for t in children)

    filing_kind = anchor = dos_choice = outcome = hit_policy = _words
    severity_word = claim_kind = npi_role = data_kind = key_basis = _words

    def unit(self, meta, children):
        return _UNIT[str(children[0]).removesuffix("s")]

    def duration(self, meta, children):
        number, unit = children
        if not str(number).isdigit():
            self.error(self.pos_of(number), f"`{number}` is not a whole number", "")
            return Duration(n=0, unit=unit)
        return Duration(n=int(str(number)), unit=unit)

    # ------------------------------------------------------------------ timely filing

    def tf_limit(self, meta, children):
        kind, duration, anchor = children
        return ("limit", kind, duration, anchor, self.pos(meta))

    def tf_dos(self, meta, children):
        return ("dos", {"professional": children[0], "institutional": children[1]})

    def tf_roll(self, meta, children):
        return ("roll",)

    def tf_warn(self, meta, children):
        return ("warn", children[0])

    def tf_exceptions(self, meta, children):
        self.route_ref(children[0])
        return ("exceptions", str(children[0]))

    def timely_filing(self, meta, items):
        self.section("timely filing", meta)
        timely = Timely(pos=self.pos(meta))
        for item in items:
            if item[0] == "limit":
                _, kind, duration, anchor, pos = item
                if kind in timely.limits:
                    self.error(pos, f"`{kind}` is given twice in timely filing", "")
                timely.limits[kind] = (duration, anchor)
            elif item[0] == "dos":
                timely.dos_rule = item[1]
            elif item[0] == "roll":
                timely.roll = True
            elif item[0] == "warn":
                timely.warn = item[1]
            else:
                timely.exceptions_route = item[1]
        self.set_once("timely", timely, meta)

    # ------------------------------------------------------------------ actions

    def _action(self, meta, do, args=(), within=None, reason=None):
        return Action(
            do=do, args=list(args), within=within, reason=reason, line=meta.line
        )

    def act_continue(self, meta, children):
        return self._action(meta, "continue")

    def act_route(self, meta, children):
        self.route_ref(children[0])
        return self._action(meta, "route", [str(children[0])])

    def act_route_table(self, meta, children):
        return self._action(meta, "route_by_denial_table")

    def act_goto(self, meta, children):
        self.file.gateway_refs.append((str(children[0]), self.pos_of(children[0])))
        return self._action(meta, "goto", [str(children[0])])

    def act_escalate(self, meta, children):
        within = children[1] if len(children) > 1 else None
        return self._action(meta, "escalate", [self.unquote(children[0])], within)

    def act_send(self, meta, children):
        if str(children[0]) != "276":
            self.error(
                self.pos_of(children[0]),
                f"Cannot send `{children[0]}`",
                "Only `send 276` (claim status inquiry) is supported.",
            )
        return self._action(meta, "send", [str(children[0])])

    def act_resubmit(self, meta, children):
        return self._action(meta, "resubmit")

    def act_appeal(self, meta, children):
        return self._action(meta, "appeal", within=children[0] if children else None)

    def act_write_off(self, meta, children):
        reason = self.unquote(children[0]) if children else None
        return self._action(meta, "write_off", reason=reason)

    def act_bill_patient(self, meta, children):
        return self._action(meta, "bill_patient")

    def act_close(self, meta, children):
        return self._action(meta, "close")

    def act_stop(self, meta, children):
        return self._action(meta, "stop")

    def actions(self, meta, children):
        return list(children)

    # ------------------------------------------------------------------ waits

    def wait_on(self, meta, children):
        return ("on", children[0], children[1], self.pos(meta))

    def wait_every(self, meta, children):
        return CycleTimer(every=children[0], actions=children[1])

    def wait_step(self, meta, children):
        event, timeout, *items = children
        allowed = _OUTCOMES.get(str(event))
        if allowed is None:
            self.error(
                self.pos_of(event),
                f"Cannot wait for `{event}`",
                "Wait for 999, 277CA or 835.",
            )
            allowed = set()
        step = WaitStep(
            wait_for=str(event) if str(event) in _OUTCOMES else "835",
            timeout=timeout,
            line=meta.line,
        )
        for item in items:
            if isinstance(item, CycleTimer):
                step.every.append(item)
                continue
            _, outcome, actions, pos = item
            if outcome not in allowed:
                self.error(
                    pos,
                    f"A {event} wait has no `{outcome}` outcome",
                    "Use one of: " + ", ".join(sorted(allowed)) + ".",
                )
            step.on[outcome] = actions
        return step

    def after_submission(self, meta, children):
        self.section("after submission", meta)
        self.set_once("waits", list(children), meta)

    # ------------------------------------------------------------------ gateways

    def gateway_when(self, meta, children):
        return Branch(children[0], children[1], self.pos(meta))

    def gateway_otherwise(self, meta, children):
        return Branch(None, children[0], self.pos(meta))

    def gateway(self, meta, children):
        self.section("gateway", meta)
        name = str(children[0])
        rest = children[1:]
        title = (
            self.unquote(rest.pop(0))
            if rest and not isinstance(rest[0], Branch)
            else name
        )
        pos = self.pos(meta)
        defaults = [b for b in rest if b.cond is None]
        if not defaults:
            self.error(
                pos,
                f"Gateway `{name}` has no `otherwise` branch",
                "A claim that matches no `when` would be stuck. "
                'Add `otherwise: escalate to queue "..."`.',
                "gateway-without-otherwise",
                caret=False,
            )
        elif rest[-1].cond is not None or len(defaults) > 1:
            self.error(
                defaults[0].pos,
                f"Gateway `{name}` must end with exactly one `otherwise`",
                "",
            )
        for branch in rest:
            if branch.cond is not None:
                self.only_claim_fields(branch.cond, "a gateway")
        if name in self.file.gateways:
            self.error(pos, f"Gateway `{name}` is defined twice", "")
        self.file.gateways[name] = Gateway(name, title, rest, pos)

    # ------------------------------------------------------------------ denial table

    def table_head(self, meta, children):
        return None

    def any_cell(self, meta, children):
        return None

    def cell(self, meta, children):
        return [(str(t), self.pos_of(t)) for t in children]

    def route_cell(self, meta, children):
        self.route_ref(children[0])
        return str(children[0])

    def table_row(self, meta, children):
        cells = []
        for kind, cell in zip(("group", "carc", "rarc"), children[:3], strict=True):
            if cell is not None:
                for code, pos in cell:
                    problem = shape_problem(kind, code)
                    if problem:
                        self.error(pos, *problem, code="malformed-code")
                cell = [code for code, _ in cell]
            cells.append(cell)
        return Row(*cells, route=children[3], pos=self.pos(meta))

    def denial_table(self, meta, children):
        self.section("denial routing", meta)
        policy, *rows = [c for c in children if c is not None]
        pos = self.pos(meta)
        if not rows or not rows[-1].catch_all:
            self.error(
                pos,
                "The denial table has no catch-all last row",
                "End it with `| - | - | - | human_review |` so every denial "
                "goes somewhere.",
                "table-without-catch-all",
                caret=False,
            )
        self.set_once("denial_table", DenialTable(policy, rows, pos), meta)

    # ------------------------------------------------------------------ routes

    def task_due(self, meta, children):
        return ("due", children[0])

    def task_done(self, meta, children):
        return ("on_done", children[0])

    def task_overdue(self, meta, children):
        return ("on_overdue", children[0])

    def task(self, meta, children):
        title, queue, *items = children
        task = Task(
            title=self.unquote(title), queue=self.unquote(queue), line=meta.line
        )
        for key, value in items:
            setattr(task, key, value)
        return task

    def route(self, meta, children):
        self.section("route", meta)
        name, title, *steps = children
        name = str(name)
        if name in self.file.routes:
            self.error(self.pos(meta), f"Route `{name}` is defined twice", "")
        self.file.routes[name] = Route(
            name=name, title=self.unquote(title), steps=steps
        )
        self.file.route_pos[name] = self.pos(meta)
