"""The payer's side of a claim status inquiry: read a 276, answer with a 277.

``claimflow.x12`` has the provider's side (``build_276``, ``parse_277``); the
simulator needs the other half. The 277 echoes the 276's hierarchy (payer,
receiver, provider, subscriber and dependent loops with their names) and, for each
claim asked about (TRN*1), writes TRN*2 with the same trace number, the claim's
STC, the payer claim number (REF*1K), the patient control number (REF*EJ) and the
service dates the inquiry gave. Only the claim level is answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date
from claimflow.x12.segments import Segment, TransactionSet, read_transactions

VERSION = "005010X212"

# Loop segments copied from the inquiry into the answer.
_ECHOED = ("HL", "NM1")


@dataclass(frozen=True)
class StatusAnswer:
    """What the payer says about one claim.

    Attributes:
        status: STC01 as ``category:code``, e.g. ``F1:65``.
        effective: STC02, the date the status took effect.
        charge: STC04, the claim's total charge, when known.
        paid: STC05, the amount paid, when adjudicated.
        payer_claim_number: REF*1K, when the claim was accepted.
    """

    status: str
    effective: date
    charge: Decimal | None = None
    paid: Decimal | None = None
    payer_claim_number: str | None = None


Lookup = Callable[[str], StatusAnswer]


def read_276(text: str) -> list[TransactionSet]:
    """Return the 276 transaction sets of ``text`` (raises ``X12Error``)."""
    return read_transactions(text, "276")


def inquiry_numbers(inquiry: TransactionSet) -> list[str]:
    """Return the patient control numbers one 276 asks about (REF*EJ or TRN02)."""
    return [pcn for _, pcn, _ in _claims(inquiry)]


def build_277(
    inquiries: list[TransactionSet], lookup: Lookup, envelope: Envelope
) -> str:
    """Answer 276 transaction sets with one 277 transaction set.

    Args:
        inquiries: from ``read_276``.
        lookup: the answer for a patient control number.
        envelope: control numbers, parties and time of the 277.

    Returns:
        The interchange text.
    """
    w = Writer(envelope)
    control = envelope.transaction_control_number
    w.add(
        "BHT",
        "0010",
        "08",
        control,
        fmt_date(envelope.created),
        envelope.created.strftime("%H%M"),
        "DG",
    )
    for inquiry in inquiries:
        claims = {start: (trace, pcn) for start, pcn, trace in _claims(inquiry)}
        skip_until_hl = False
        for index, segment in enumerate(inquiry.body):
            if segment.id == "HL":
                skip_until_hl = False
            if index in claims:
                trace, pcn = claims[index]
                _answer(w, trace, pcn, lookup(pcn), _following(inquiry.body, index))
                skip_until_hl = True
            elif segment.id in _ECHOED and not skip_until_hl:
                w.add(segment.id, *segment.elements)
    return w.render("HN", "277", VERSION)


def _claims(inquiry: TransactionSet) -> list[tuple[int, str, str]]:
    """(body index of TRN*1, patient control number, trace) per claim asked."""
    found = []
    body = inquiry.body
    for index, segment in enumerate(body):
        if segment.id != "TRN" or segment.get(1) != "1":
            continue
        trace = segment.get(2)
        pcn = trace
        for later in _following(body, index):
            if later.id == "REF" and later.get(1) == "EJ":
                pcn = later.get(2)
        found.append((index, pcn, trace))
    return found


def _following(body: list[Segment], index: int) -> list[Segment]:
    """The segments after ``body[index]`` up to the next HL or TRN."""
    tail = []
    for segment in body[index + 1 :]:
        if segment.id in ("HL", "TRN"):
            break
        tail.append(segment)
    return tail


def _asked(asked: list[Segment], seg_id: str, qualifier: str) -> Segment | None:
    """The inquiry's segment of that kind for the claim (DTP*472, AMT*T3)."""
    return next((s for s in asked if s.id == seg_id and s.get(1) == qualifier), None)


def _answer(
    w: Writer,
    trace: str,
    pcn: str,
    answer: StatusAnswer,
    asked: list[Segment],
) -> None:
    # STC04 is required: a claim the payer does not know gets the charge the
    # inquiry gave (AMT*T3), or zero when it gave none.
    charge = answer.charge
    if charge is None:
        amount = _asked(asked, "AMT", "T3")
        charge = amount.amount(2) if amount is not None else Decimal("0.00")
    w.add("TRN", "2", trace)
    w.add(
        "STC",
        answer.status.split(":"),
        fmt_date(answer.effective),
        "",
        fmt_amount(charge),
        fmt_amount(answer.paid) if answer.paid is not None else "",
    )
    if answer.payer_claim_number:
        w.add("REF", "1K", answer.payer_claim_number)
    w.add("REF", "EJ", pcn)
    dates = _asked(asked, "DTP", "472")
    if dates is not None:
        w.add("DTP", *dates.elements)
