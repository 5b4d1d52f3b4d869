"""Test controls: a named behaviour per patient control number.

A scenario overrides the seeded denial mix for one claim version:

| behaviour | effect |
| --- | --- |
| ``pay`` | paid under the payer's profile, no denial |
| ``deny:<group>:<carc>`` | every line denied with that adjustment (CLP02 4) |
| ``deny_line:<n>:<group>:<carc>`` | line ``n`` (from 1) denied with that adjustment,
  the others paid under the payer's profile (CLP02 1 on a claim of more lines) |
| ``reject_277ca`` | 999 accepted, 277CA rejects the claim (A7:21), no 835 |
| ``no_response`` | 999 and 277CA sent, never an 835 |
| ``no_ack`` | nothing at all about this claim |
| ``partial_pr:<amount>`` | paid, with exactly ``amount`` (capped at the allowed amount)
  owed by the patient as deductible (PR-1) instead of the payer's usual share |
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimflow.clearinghouse.adjudication import PAY, Decision
from claimflow.models import money

_DENY = re.compile(r"^deny:(CO|OA|PI|PR):([A-Z0-9]{1,5})$")
_DENY_LINE = re.compile(r"^deny_line:([1-9]\d*):(CO|OA|PI|PR):([A-Z0-9]{1,5})$")
_SHARE = re.compile(r"^partial_pr:(\d+(?:\.\d{1,2})?)$")
_PLAIN = frozenset({"pay", "reject_277ca", "no_response", "no_ack"})


@dataclass(frozen=True)
class Scenario:
    """One parsed behaviour.

    Attributes:
        behaviour: the text as configured.
        decision: the adjudication override, or None to keep the seeded mix.
        acknowledge: whether a 277CA is sent for the claim.
        reject: whether that 277CA rejects it.
        remit: whether an 835 is sent for it.
    """

    behaviour: str
    decision: Decision | None = None
    acknowledge: bool = True
    reject: bool = False
    remit: bool = True


def parse_scenario(behaviour: str) -> Scenario:
    """Parse a behaviour string (see the module docstring for the list).

    Raises:
        ValueError: for a behaviour this simulator does not know.
    """
    text = behaviour.strip()
    if text in _PLAIN:
        return Scenario(
            behaviour=text,
            decision=PAY if text == "pay" else None,
            acknowledge=text != "no_ack",
            reject=text == "reject_277ca",
            remit=text == "pay",
        )
    denied = _DENY.match(text)
    if denied:
        group, carc = denied.groups()
        return Scenario(text, Decision("deny_claim", group, carc))
    line = _DENY_LINE.match(text)
    if line:
        number, group, carc = line.groups()
        decision = Decision("deny_line", group, carc, line_index=int(number) - 1)
        return Scenario(text, decision)
    share = _SHARE.match(text)
    if share:
        amount = money(share.group(1))
        return Scenario(text, Decision(patient_share=amount))
    raise ValueError(f"unknown scenario behaviour {text!r}")


def parse_scenarios(raw: dict[str, str]) -> dict[str, Scenario]:
    """Parse a ``{patient control number: behaviour}`` mapping.

    Raises:
        ValueError: naming the first behaviour that does not parse.
    """
    if not isinstance(raw, dict):
        raise ValueError("scenarios must be a JSON object")
    return {str(pcn): parse_scenario(str(text)) for pcn, text in raw.items()}
