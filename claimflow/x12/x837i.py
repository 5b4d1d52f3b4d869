"""837I institutional claims, implementation guide 005010X223A3.

The builder shares the 837P writer's party helpers (names, addresses,
subscriber loop) and differs where the institutional guide does: CLM05 names
the facility type, the statement period is DTP*434, CL1 is required, the
principal diagnosis has its own HI segment, an inpatient stay carries its
admission, discharge and UB codes (``claimflow.x12.inpatient``), and lines are
SV2 with a revenue code. :func:`claimflow.x12.x837p.parse_837` reads what it
writes.
"""

from __future__ import annotations

from collections import OrderedDict

from claimflow.models import Claim, Provider, ServiceLine
from claimflow.x12 import cob, inpatient, x837p
from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date, fmt_number
from claimflow.x12.errors import X12BuildError

VERSION = "005010X223A3"
_MAX_OTHER_DIAGNOSES = 24  # two HI segments of twelve ABF codes


def build_837i(
    claims: list[Claim],
    envelope: Envelope,
    submitter: Provider,
    receiver_name: str,
    receiver_id: str,
) -> str:
    """Write institutional claims as one 837I transaction set (005010X223A3).

    Loops are grouped as on the 837P: one 2000A per billing provider, one 2000B
    per subscriber and payer, a 2000C for a patient who is not the subscriber.
    Inpatient bills (facility types 1x to 6x with classification 1 or 2) need
    ``Claim.institutional`` with the admission date and type; its discharge
    hour, admission source, patient status, admitting diagnosis, DRG,
    procedures, reasons for visit, external causes, occurrence spans,
    occurrence, value, condition and treatment codes and present-on-admission
    flags (HI0n-9 of ABK, ABF and ABN) are written when given. A claim
    without a patient status gets CL1 status 01 (discharged home). A claim
    without a statement period uses its first and last service dates for
    DTP*434. A secondary claim carries its earlier payers (2320/2330) and
    their line decisions (2430, with the line's revenue code in SVD04) as the
    837P does.

    Args:
        claims: Claims to send; each must be ``kind="institutional"`` with a
            ``facility_type_code`` and a revenue code on every line.
        envelope: Control numbers, parties and time; ``contact_phone`` is required
            (1000A PER).
        submitter: The submitter (1000A); its ID is ``envelope.sender_id``.
        receiver_name: 1000B receiver name.
        receiver_id: 1000B receiver ETIN.

    Returns:
        The interchange text.

    Raises:
        X12BuildError: A required value is missing or the claim cannot be written
            on an 837I: no claims, a professional claim, an inpatient claim
            without its admission date or type, a line without a revenue code,
            other-payer amounts that do not balance, or any of the 837P
            builder's party checks.
    """
    if not claims:
        raise X12BuildError("no claims to send", expected="at least one claim")
    if not envelope.contact_phone:
        raise X12BuildError(
            "1000A PER requires a submitter phone", expected="envelope.contact_phone"
        )
    for claim in claims:
        _check(claim)
    w = Writer(envelope)
    when = envelope.created
    control = envelope.transaction_control_number
    w.add("BHT", "0019", "00", control, fmt_date(when), when.strftime("%H%M"), "CH")
    w.add("NM1", "41", "2", submitter.name, "", "", "", "", "46", envelope.sender_id)
    contact = envelope.contact_name or submitter.name
    w.add("PER", "IC", contact, "TE", envelope.contact_phone)
    w.add("NM1", "40", "2", receiver_name, "", "", "", "", "46", receiver_id)
    counter = 0
    for groups in _by_billing(claims).values():
        counter += 1
        parent = counter
        w.add("HL", str(parent), "", "20", "1")
        _billing(w, next(iter(groups.values()))[0].billing_provider)
        for members in groups.values():
            counter += 1
            subscriber_level = counter
            is_self = members[0].coverage.relationship == "18"
            child = "0" if is_self else "1"
            w.add("HL", str(subscriber_level), str(parent), "22", child)
            x837p._subscriber(w, members[0])
            for claim in members:
                if not is_self:
                    counter += 1
                    w.add("HL", str(counter), str(subscriber_level), "23", "0")
                    _patient(w, claim)
                _claim(w, claim)
    return w.render("HC", "837", VERSION)


def _check(claim: Claim) -> None:
    if claim.kind != "institutional":
        raise X12BuildError(
            "only institutional claims go on an 837I",
            value=claim.kind,
            expected="institutional",
        )
    facility = claim.facility_type_code or ""
    if len(facility) != 2 or not facility.isdigit():
        raise X12BuildError(
            "CLM05-1 needs a two-digit facility type code",
            segment_id="CLM",
            element=5,
            value=facility,
            expected="Claim.facility_type_code such as 13",
        )
    inpatient.check(claim)
    for line in claim.lines:
        if not line.revenue_code:
            raise X12BuildError(
                "an 837I service line needs a revenue code",
                segment_id="SV2",
                element=1,
                value=line.line_control_number,
                expected="ServiceLine.revenue_code",
            )


def _by_billing(claims: list[Claim]) -> OrderedDict[str, OrderedDict]:
    """Claims by billing NPI, then by subscriber and payer (2000A, 2000B)."""
    grouped: OrderedDict[str, OrderedDict] = OrderedDict()
    for claim in claims:
        cov = claim.coverage
        who = (
            claim.patient.model_dump_json()
            if cov.relationship == "18"
            else (cov.subscriber_last_name, cov.subscriber_first_name)
        )
        key = (cov.payer_id, cov.member_id, cov.priority, cov.relationship, who)
        by_subscriber = grouped.setdefault(claim.billing_provider.npi, OrderedDict())
        by_subscriber.setdefault(key, []).append(claim)
    return grouped


def _billing(w: Writer, provider: Provider) -> None:
    if provider.taxonomy:
        w.add("PRV", "BI", "PXC", provider.taxonomy)
    x837p._provider_name(w, "85", provider)
    x837p._address(w, provider.address, nine_digit=True, who="billing provider")
    if not provider.tax_id:
        raise X12BuildError(
            "2010AA REF*EI requires the billing provider's tax ID",
            value=provider.npi,
            expected="Provider.tax_id",
        )
    w.add("REF", "EI", provider.tax_id)


def _patient(w: Writer, claim: Claim) -> None:
    w.add("PAT", claim.coverage.relationship)
    x837p._person(w, "QC", claim.patient, None)
    x837p._address(w, claim.patient.address, nine_digit=False, who="patient")
    x837p._demographics(w, claim.patient)


def _claim(w: Writer, claim: Claim) -> None:
    w.add(
        "CLM",
        claim.patient_control_number,
        fmt_amount(claim.total_charge),
        "",
        "",
        [claim.facility_type_code or "", "A", claim.frequency_code],
        "",
        "A",
        "Y",
        "Y",
    )
    inpatient.write_admission(w, claim)
    x837p.claim_references(w, claim)
    _diagnoses(w, claim)
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi != claim.billing_provider.npi:
        x837p._provider_name(w, "82", rendering)
    cob.write_other_payers(w, claim)
    for line in claim.lines:
        _line(w, line)


def _diagnoses(w: Writer, claim: Claim) -> None:
    codes = claim.diagnoses
    if not codes:
        raise X12BuildError("a claim needs a principal diagnosis", segment_id="HI")
    if len(codes) - 1 > _MAX_OTHER_DIAGNOSES:
        raise X12BuildError(
            "an 837I claim carries at most 24 other diagnoses",
            segment_id="HI",
            value=str(len(codes) - 1),
            expected="24 or fewer",
        )
    w.add("HI", inpatient.diagnosis_element("ABK", codes[0], claim))
    inpatient.write_codes(w, claim, "before")
    others = [inpatient.diagnosis_element("ABF", code, claim) for code in codes[1:]]
    for start in range(0, len(others), 12):
        w.add("HI", *others[start : start + 12])
    inpatient.write_codes(w, claim, "after")


def _line(w: Writer, line: ServiceLine) -> None:
    if len(line.modifiers) > 4:
        raise X12BuildError(
            "SV202 allows at most 4 modifiers",
            segment_id="SV2",
            value=line.line_control_number,
            expected="4 or fewer",
        )
    procedure = ["HC", line.procedure, *line.modifiers] if line.procedure else ""
    w.add("LX", str(line.line_number))
    w.add(
        "SV2",
        line.revenue_code or "",
        procedure,
        fmt_amount(line.charge),
        "UN",
        fmt_number(line.units),
    )
    w.add("DTP", "472", "D8", fmt_date(line.service_date))
    w.add("REF", "6R", line.line_control_number)
    cob.write_line_adjudications(w, line, "institutional")
