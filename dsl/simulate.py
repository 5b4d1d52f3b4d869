"""Run a plan's `after submission` steps on a virtual clock, for analyst tests.

This mirrors what the claim workflow does with durable timers, in dates only: each
wait starts when the step before it ended; its cycle timers fire every period
strictly before the wait ends; the wait ends at its event (when the event comes
before the timeout) or at the timeout. Actions after which the flow does not go on
(``TERMINAL_ACTIONS``) end the run.
"""

from __future__ import annotations

from datetime import date

from dsl.plan import TERMINAL_ACTIONS, Action, Duration, FlowPlan, add_duration


def simulate(
    plan: FlowPlan, start: date, events: list[tuple[str, str, Duration]]
) -> list[tuple[date, Action]]:
    """Return every action the flow takes, with the date it happens.

    Args:
        plan: The compiled plan.
        start: The submission date.
        events: ``(transaction, outcome, after)``; ``after`` counts from ``start``.

    Returns:
        ``(date, action)`` pairs in the order they happen.
    """
    holidays = plan.holidays
    arrivals = {
        code: (outcome, add_duration(start, after, holidays))
        for code, outcome, after in events
    }
    now, log = start, []
    for step in plan.after_submission:
        timeout_at = add_duration(now, step.timeout, holidays)
        outcome, end = "timeout", timeout_at
        arrival = arrivals.get(step.wait_for)
        if arrival is not None and arrival[1] <= timeout_at:
            outcome, end = arrival[0], max(arrival[1], now)
        cycles = []
        for cycle in step.every:
            tick = add_duration(now, cycle.every, holidays)
            while tick < end:
                cycles += [(tick, action) for action in cycle.actions]
                tick = add_duration(tick, cycle.every, holidays)
        log += sorted(cycles, key=lambda item: item[0])
        actions = step.on.get(outcome, [])
        log += [(end, action) for action in actions]
        now = end
        if any(action.do in TERMINAL_ACTIONS for action in actions):
            break
    return log


def action_text(action: Action) -> str:
    """An action as an analyst writes it: ``escalate to queue "X" within 2 days``."""
    words = {
        "continue": "continue",
        "route_by_denial_table": "route by denial table",
        "resubmit": "resubmit as corrected claim",
        "bill_patient": "bill patient",
        "close": "close claim",
        "stop": "stop",
        "write_off": "write off",
        "appeal": "appeal",
    }
    if action.do == "route":
        text = f"route {action.args[0]}"
    elif action.do == "goto":
        text = f"go to gateway {action.args[0]}"
    elif action.do == "escalate":
        text = f'escalate to queue "{action.args[0]}"'
    elif action.do == "send":
        text = f"send {action.args[0]}"
    else:
        text = words[action.do]
    if action.within is not None:
        text += f" within {action.within}"
    if action.reason:
        text += f' reason "{action.reason}"'
    return text
