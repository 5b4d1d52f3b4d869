"""270/271 eligibility inquiry and response, implementation guide 005010X279A1.

pyx12 4.0.0 has no X279A1 map, so these transactions are not validated by
:func:`claimflow.x12.validate.validate`; the maps come with a later issue.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claimflow.models import EligibilityInquiry, EligibilityResult, Provider
from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date, fmt_number
from claimflow.x12.segments import Segment, TransactionSet, read_transactions

VERSION = "005010X279A1"
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
_HUNDRED = Decimal(100)


def _header(w: Writer, inquiry: EligibilityInquiry, purpose: str) -> None:
    env = w.envelope
    w.add(
        "BHT",
        "0022",
        purpose,
        inquiry.trace_number,
        fmt_date(env.created),
        env.created.strftime("%H%M"),
    )
    w.add("HL", "1", "", "20", "1")
    w.add("NM1", "PR", "2", inquiry.payer_name, "", "", "", "", "PI", inquiry.payer_id)
    w.add("HL", "2", "1", "21", "1")
    provider = inquiry.provider
    if provider.is_organization:
        w.add("NM1", "1P", "2", provider.name, "", "", "", "", "XX", provider.npi)
    else:
        last, _, first = provider.name.partition(", ")
        w.add("NM1", "1P", "1", last, first, "", "", "", "XX", provider.npi)


def _trace_origin(provider: Provider) -> str:
    return "1" + provider.tax_id if provider.tax_id else "9" + provider.npi[:9]


def _subscriber(
    w: Writer, inquiry: EligibilityInquiry, trace_type: str, member_id: str
) -> None:
    """Subscriber HL, its trace (1 = asked, 2 = answered) and its name."""
    w.add("HL", "3", "2", "22", "0")
    w.add("TRN", trace_type, inquiry.trace_number, _trace_origin(inquiry.provider))
    w.add(
        "NM1",
        "IL",
        "1",
        inquiry.last_name,
        inquiry.first_name,
        "",
        "",
        "",
        "MI",
        member_id,
    )


def build_270(inquiry: EligibilityInquiry, envelope: Envelope) -> str:
    """Write a subscriber eligibility inquiry (005010X279A1, EQ*30).

    The member is asked about as the subscriber; TRN02 is the inquiry's trace
    number and TRN03 is ``1`` + the provider's tax ID (or ``9`` + NPI).

    Args:
        inquiry: Who is asked about, at which payer, for which date.
        envelope: Control numbers, parties and time.

    Returns:
        The interchange text.
    """
    w = Writer(envelope)
    _header(w, inquiry, "13")
    _subscriber(w, inquiry, "1", inquiry.member_id)
    if inquiry.birth_date:
        w.add("DMG", "D8", fmt_date(inquiry.birth_date))
    w.add("DTP", "291", "D8", fmt_date(inquiry.service_date))
    w.add("EQ", "30")
    return w.render("HS", "270", VERSION)


def build_271(
    result: EligibilityResult, inquiry: EligibilityInquiry, envelope: Envelope
) -> str:
    """Write the answer to ``inquiry`` as a 271 (005010X279A1).

    An active result gives EB*1 (inactive EB*6) for service type 30 with
    ``plan_type`` in EB04, then EB*B copay (per visit), EB*A coinsurance (EB08 as
    a fraction) and EB*C remaining deductible when present. Plan dates are
    DTP*346/347. A rejection code gives AAA*N**code*C instead of benefits.

    Args:
        result: The outcome to send.
        inquiry: The 270 being answered (names, provider, trace number).
        envelope: Control numbers, parties and time.

    Returns:
        The interchange text.
    """
    w = Writer(envelope)
    _header(w, inquiry, "11")
    _subscriber(w, inquiry, "2", result.member_id)
    if result.rejection_code:
        w.add("AAA", "N", "", result.rejection_code, "C")
    if inquiry.birth_date:
        w.add("DMG", "D8", fmt_date(inquiry.birth_date))
    w.add("DTP", "291", "D8", fmt_date(result.service_date))
    if result.coverage_start:
        w.add("DTP", "346", "D8", fmt_date(result.coverage_start))
    if result.coverage_end:
        w.add("DTP", "347", "D8", fmt_date(result.coverage_end))
    if not result.rejection_code:
        w.add("EB", "1" if result.active else "6", "", "30", result.plan_type or "")
        if result.message:
            w.add("MSG", result.message)
        if result.copay is not None:
            w.add("EB", "B", "", "30", "", "", "27", fmt_amount(result.copay))
        if result.coinsurance_percent is not None:
            fraction = fmt_number(result.coinsurance_percent / _HUNDRED)
            w.add("EB", "A", "", "30", "", "", "", "", fraction)
        if result.deductible_remaining is not None:
            w.add(
                "EB",
                "C",
                "",
                "30",
                "",
                "",
                "29",
                fmt_amount(result.deductible_remaining),
            )
    return w.render("HB", "271", VERSION)


# --------------------------------------------------------------------------- reading


def parse_270(text: str) -> list[EligibilityInquiry]:
    """Read every inquiry of every 270 in ``text``.

    A dependent inquiry (HL code 23) gives the dependent's name and birth date
    with the subscriber's member ID. Without DTP*291 the service date is BHT04.

    Args:
        text: One or more interchanges.

    Returns:
        One inquiry per subscriber or dependent loop that carries a TRN.
    """
    found: list[EligibilityInquiry] = []
    for t in read_transactions(text, "270"):
        for person in _people(t):
            if not person.get("trace"):
                continue
            found.append(
                EligibilityInquiry(
                    trace_number=person["trace"],
                    payer_id=person["payer_id"],
                    payer_name=person["payer_name"],
                    provider=person["provider"],
                    member_id=person["member_id"],
                    first_name=person.get("first_name", ""),
                    last_name=person.get("last_name", ""),
                    birth_date=person.get("birth_date"),
                    service_date=person.get("service_date") or person["bht_date"],
                )
            )
    return found


def parse_271(text: str) -> list[EligibilityResult]:
    """Read every eligibility answer of every 271 in ``text``.

    One result per subscriber or dependent loop, plus one for an AAA rejection at
    the payer or provider level (then ``member_id`` is empty). ``active`` is true
    when an EB01 is 1-5 and no AAA rejected the request. Copay is the first EB*B
    amount that is in network or not qualified (EB12 Y or empty); coinsurance is
    EB*A EB08 turned into a percent (0.2 gives 20); remaining deductible is EB*C
    with EB06 29. The plan type is EB04 of the first active/inactive EB; the plan
    description (EB05) goes to ``message`` when there is no MSG or AAA text.

    Args:
        text: One or more interchanges.

    Returns:
        Results in file order.
    """
    results: list[EligibilityResult] = []
    for t in read_transactions(text, "271"):
        for person in _people(t):
            if not person.get("has_name") and not person.get("rejection"):
                continue
            results.append(_result(person))
    return results


def _people(t: TransactionSet) -> list[dict]:
    """Walk the HL tree; return one dict per level-22/23 loop and error level."""
    common: dict = {"bht_date": None, "provider": None}
    people: list[dict] = []
    current: dict = common
    for s in t.body:
        if s.id == "BHT":
            common["bht_date"] = s.date(4) if s.get(4) else None
        elif s.id == "HL":
            level = s.get(3)
            if level in ("22", "23"):
                parent = current if level == "23" and current is not common else {}
                current = dict(common)
                current["eb"] = []
                if parent:
                    current["member_id"] = parent.get("member_id", "")
                    parent["superseded"] = bool(s.get(3) == "23")
                people.append(current)
            else:
                current = common
        elif s.id == "NM1":
            _name(common, current, s)
        elif s.id == "AAA":
            target = current
            if current is common:
                target = dict(common, eb=[], error_level=True)
                people.append(target)
            target.setdefault("rejection", s.get(3))
        elif s.id == "TRN" and current is not common:
            current.setdefault("trace", s.get(2))
        elif s.id == "DMG" and current is not common and s.get(2):
            current["birth_date"] = s.date(2)
        elif s.id == "DTP" and current is not common:
            _dates(current, s)
        elif s.id == "EB" and current is not common:
            current["eb"].append(s)
        elif s.id == "MSG" and current is not common:
            current.setdefault("msg", s.get(1))
    # A subscriber loop that only heads a dependent carries no answer of its own.
    return [p for p in people if not p.get("superseded")]


def _name(common: dict, current: dict, s: Segment) -> None:
    code = s.get(1)
    if code == "PR":
        common.update(payer_name=s.get(3), payer_id=s.get(9))
        current.update(payer_name=s.get(3), payer_id=s.get(9))
    elif code == "1P":
        organization = s.get(2) == "2"
        name = s.get(3) if organization or not s.get(4) else f"{s.get(3)}, {s.get(4)}"
        common["provider"] = Provider(
            npi=s.get(9), name=name, is_organization=organization
        )
        current["provider"] = common["provider"]
    elif code in ("IL", "03") and current is not common:
        if code == "IL" or not current.get("member_id"):
            current["member_id"] = s.get(9) or current.get("member_id", "")
        current.update(first_name=s.get(4), last_name=s.get(3), has_name=True)


def _dates(person: dict, s: Segment) -> None:
    qualifier = s.get(1)
    if not s.get(3):
        return
    start, end = s.period(3)
    if qualifier == "291":
        person["service_date"] = start
    elif qualifier == "346":
        person["coverage_start"] = start
    elif qualifier == "347":
        person["coverage_end"] = start
    elif qualifier in ("307", "292") and s.get(2) == "RD8":
        person.setdefault("coverage_start", start)
        person.setdefault("coverage_end", end)


def _result(person: dict) -> EligibilityResult:
    benefits: list[Segment] = person.get("eb", [])
    status = next(
        (s for s in benefits if s.get(1) in ACTIVE_CODES | {"6", "7", "8"}), None
    )
    rejection = person.get("rejection")
    copay = coinsurance = deductible = None
    for s in benefits:
        kind = s.get(1)
        if kind == "B" and copay is None and s.get(12) in ("", "Y") and s.get(7):
            copay = s.amount(7)
        elif kind == "A" and coinsurance is None and s.get(8):
            coinsurance = (s.amount(8) * _HUNDRED).normalize()
        elif kind == "C" and deductible is None and s.get(6) == "29" and s.get(7):
            deductible = s.amount(7)
    message = person.get("msg") or ""
    if not message and status is not None and status.get(5):
        message = status.get(5)
    service_date: date = person.get("service_date") or person["bht_date"]
    return EligibilityResult(
        active=bool(
            status is not None and status.get(1) in ACTIVE_CODES and not rejection
        ),
        member_id=person.get("member_id", ""),
        payer_id=person.get("payer_id", ""),
        service_date=service_date,
        plan_type=(status.get(4) or None) if status is not None else None,
        coverage_start=person.get("coverage_start"),
        coverage_end=person.get("coverage_end"),
        copay=copay,
        coinsurance_percent=coinsurance,
        deductible_remaining=deductible,
        rejection_code=rejection,
        message=message,
    )
