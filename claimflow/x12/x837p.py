"""837P professional claims, implementation guide 005010X222A2.

The builder writes X222A2, the version clearinghouses expect; it is validated
against the X222A2 map claimflow ships in ``claimflow/x12/maps``.
:func:`parse_837` reads X222A1 and X222A2 alike.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal

from claimflow.models import (
    Address,
    Claim,
    Coverage,
    InstitutionalDetails,
    Patient,
    Provider,
    ServiceLine,
)
from claimflow.x12 import cob, dental, inpatient
from claimflow.x12.envelope import (
    Envelope,
    Writer,
    fmt_amount,
    fmt_date,
    fmt_number,
)
from claimflow.x12.errors import X12BuildError, X12StructureError
from claimflow.x12.segments import Segment, read_transactions

VERSION = "005010X222A2"
FORMS = {"professional": "837P", "institutional": "837I", "dental": "837D"}
_PRIORITY = {"primary": "P", "secondary": "S", "tertiary": "T"}
_PRIORITY_BACK = {v: k for k, v in _PRIORITY.items()}
_PCN = re.compile(r"^C(\d+)V(\d+)$")


def claim_references(w: Writer, claim: Claim) -> None:
    """The 2300 REFs an 837 carries: prior authorization, the original claim of a
    replacement or void (REF*F8, required for frequency 7 and 8), the patient id."""
    if claim.prior_auth_number:
        w.add("REF", "G1", claim.prior_auth_number)
    if claim.frequency_code in ("7", "8"):
        if not claim.original_payer_claim_number:
            raise X12BuildError(
                "a replacement or void needs the original payer claim number",
                segment_id="REF",
                value=claim.patient_control_number,
                expected="Claim.original_payer_claim_number (REF*F8)",
            )
        w.add("REF", "F8", claim.original_payer_claim_number)
    w.add("REF", "EA", str(claim.patient.patient_id))


def build_837p(
    claims: list[Claim],
    envelope: Envelope,
    submitter: Provider,
    receiver_name: str,
    receiver_id: str,
) -> str:
    """Write professional claims as one 837P transaction set (005010X222A2).

    Claims are grouped under one 2000A loop per billing provider and one 2000B
    loop per subscriber and payer; a patient who is not the subscriber
    (relationship other than 18) gets a 2000C loop.

    Args:
        claims: Claims to send; each must be ``kind="professional"``.
        envelope: Control numbers, parties and time; ``contact_phone`` is required
            (1000A PER).
        submitter: The submitter (1000A); its name is written, its ID is
            ``envelope.sender_id``.
        receiver_name: 1000B receiver name (the clearinghouse or payer).
        receiver_id: 1000B receiver ETIN.

    Returns:
        The interchange text.

    Raises:
        X12BuildError: A required value is missing or malformed: no claims, a
            billing ZIP without 9 digits, no tax ID, a replacement without the
            original payer claim number, no subscriber name for a dependent.
    """
    return _build_837(
        claims,
        envelope,
        submitter,
        (receiver_name, receiver_id),
        kind="professional",
        version=VERSION,
        write_claim=_claim,
    )


def _build_837(
    claims: list[Claim],
    envelope: Envelope,
    submitter: Provider,
    receiver: tuple[str, str],
    *,
    kind: str,
    version: str,
    write_claim: Callable[[Writer, Claim], None],
) -> str:
    """The loops the 837P and the 837D share: header, 1000A/B, 2000A/B/C.

    ``write_claim`` writes each claim's 2300 loop and its lines.
    """
    receiver_name, receiver_id = receiver
    if not claims:
        raise X12BuildError("no claims to send", expected="at least one claim")
    if not envelope.contact_phone:
        raise X12BuildError(
            "1000A PER requires a submitter phone", expected="envelope.contact_phone"
        )
    w = Writer(envelope)
    created = envelope.created
    w.add(
        "BHT",
        "0019",
        "00",
        envelope.transaction_control_number,
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        "CH",
    )
    w.add("NM1", "41", "2", submitter.name, "", "", "", "", "46", envelope.sender_id)
    w.add(
        "PER",
        "IC",
        envelope.contact_name or submitter.name,
        "TE",
        envelope.contact_phone,
    )
    w.add("NM1", "40", "2", receiver_name, "", "", "", "", "46", receiver_id)

    hl = 0
    for billing, by_subscriber in _group(claims, kind).items():
        hl += 1
        billing_hl = hl
        provider = by_subscriber[next(iter(by_subscriber))][0].billing_provider
        w.add("HL", str(billing_hl), "", "20", "1")
        if provider.taxonomy:
            w.add("PRV", "BI", "PXC", provider.taxonomy)
        _provider_name(w, "85", provider)
        _address(w, provider.address, nine_digit=True, who="billing provider")
        if not provider.tax_id:
            raise X12BuildError(
                "2010AA REF*EI requires the billing provider's tax ID",
                value=billing,
                expected="Provider.tax_id",
            )
        w.add("REF", "EI", provider.tax_id)
        for group in by_subscriber.values():
            hl += 1
            subscriber_hl = hl
            first = group[0]
            self_pay = first.coverage.relationship == "18"
            w.add(
                "HL",
                str(subscriber_hl),
                str(billing_hl),
                "22",
                "0" if self_pay else "1",
            )
            _subscriber(w, first)
            if self_pay:
                for claim in group:
                    write_claim(w, claim)
                continue
            for claim in group:
                hl += 1
                w.add("HL", str(hl), str(subscriber_hl), "23", "0")
                w.add("PAT", claim.coverage.relationship)
                _person(w, "QC", claim.patient, None)
                _address(w, claim.patient.address, nine_digit=False, who="patient")
                _demographics(w, claim.patient)
                write_claim(w, claim)
    return w.render("HC", "837", version)


def _group(
    claims: list[Claim], kind: str
) -> OrderedDict[str, OrderedDict[tuple, list[Claim]]]:
    grouped: OrderedDict[str, OrderedDict[tuple, list[Claim]]] = OrderedDict()
    for claim in claims:
        if claim.kind != kind:
            raise X12BuildError(
                f"only {kind} claims go on an {FORMS[kind]}",
                value=claim.kind,
                expected=kind,
            )
        cov = claim.coverage
        key: tuple = (cov.payer_id, cov.member_id, cov.priority, cov.relationship)
        if cov.relationship == "18":
            # The subscriber loop carries the patient's name, address and DMG.
            key += (claim.patient.model_dump_json(),)
        else:
            key += (cov.subscriber_last_name, cov.subscriber_first_name)
        billing = claim.billing_provider.npi
        grouped.setdefault(billing, OrderedDict()).setdefault(key, []).append(claim)
    return grouped


def _provider_name(w: Writer, code: str, provider: Provider) -> None:
    if provider.is_organization:
        w.add("NM1", code, "2", provider.name, "", "", "", "", "XX", provider.npi)
        return
    last, _, first = provider.name.partition(", ")
    w.add("NM1", code, "1", last, first, "", "", "", "XX", provider.npi)


def _address(w: Writer, address: Address | None, *, nine_digit: bool, who: str) -> None:
    if address is None:
        raise X12BuildError(f"the {who} address is required", expected="an Address")
    zip_code = address.zip.replace("-", "")
    if nine_digit and not (len(zip_code) == 9 and zip_code.isdigit()):
        raise X12BuildError(
            f"the {who} ZIP code must have 9 digits (ZIP+4) on an 837P",
            segment_id="N4",
            element=3,
            value=address.zip,
            expected="9 digits",
        )
    w.add("N3", address.line1)
    w.add("N4", address.city, address.state, zip_code)


def _person(w: Writer, code: str, patient: Patient, member_id: str | None) -> None:
    ident = ("MI", member_id) if member_id else ("", "")
    w.add("NM1", code, "1", patient.last_name, patient.first_name, "", "", "", *ident)


def _demographics(w: Writer, patient: Patient) -> None:
    w.add("DMG", "D8", fmt_date(patient.birth_date), patient.sex)


def _subscriber(w: Writer, claim: Claim) -> None:
    cov = claim.coverage
    self_pay = cov.relationship == "18"
    w.add(
        "SBR",
        _PRIORITY[cov.priority],
        "18" if self_pay else "",
        cov.group_number or "",
        "",
        "",
        "",
        "",
        "",
        cov.plan_type,
    )
    if self_pay:
        _person(w, "IL", claim.patient, cov.member_id)
        _address(w, claim.patient.address, nine_digit=False, who="subscriber")
        _demographics(w, claim.patient)
    else:
        if not cov.subscriber_last_name:
            raise X12BuildError(
                "a dependent's claim needs the subscriber's name (2010BA)",
                value=claim.patient_control_number,
                expected="Coverage.subscriber_last_name",
            )
        w.add(
            "NM1",
            "IL",
            "1",
            cov.subscriber_last_name,
            cov.subscriber_first_name or "",
            "",
            "",
            "",
            "MI",
            cov.member_id,
        )
    w.add("NM1", "PR", "2", cov.payer_name, "", "", "", "", "PI", cov.payer_id)


def _claim(w: Writer, claim: Claim) -> None:
    pos = claim.place_of_service
    clm(w, claim)
    claim_references(w, claim)
    if not claim.diagnoses:
        raise X12BuildError("a claim needs at least one diagnosis", segment_id="HI")
    diagnoses(w, claim, 12)
    rendering_provider(w, claim)
    cob.write_other_payers(w, claim)
    for line in claim.lines:
        _line(w, line, pos)


def clm(w: Writer, claim: Claim) -> None:
    """CLM of a professional or dental claim: place of service, qualifier B."""
    w.add(
        "CLM",
        claim.patient_control_number,
        fmt_amount(claim.total_charge),
        "",
        "",
        [claim.place_of_service, "B", claim.frequency_code],
        "Y",
        "A",
        "Y",
        "Y",
    )


def diagnoses(w: Writer, claim: Claim, most: int) -> None:
    """One HI: the principal diagnosis (ABK), then the others (ABF)."""
    if len(claim.diagnoses) > most:
        raise X12BuildError(
            f"an {FORMS[claim.kind]} claim carries at most {most} diagnoses",
            value=str(len(claim.diagnoses)),
            expected=f"{most} or fewer",
        )
    codes = [code.replace(".", "") for code in claim.diagnoses]
    w.add("HI", ["ABK", codes[0]], *[["ABF", code] for code in codes[1:]])


def rendering_provider(w: Writer, claim: Claim) -> None:
    """2310B, when someone other than the billing provider treated the patient."""
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi != claim.billing_provider.npi:
        _provider_name(w, "82", rendering)
        if rendering.taxonomy:
            w.add("PRV", "PE", "PXC", rendering.taxonomy)


def _line(w: Writer, line: ServiceLine, claim_pos: str) -> None:
    if len(line.modifiers) > 4 or len(line.diagnosis_pointers) > 4:
        raise X12BuildError(
            "SV1 allows at most 4 modifiers and 4 diagnosis pointers",
            segment_id="SV1",
            value=line.line_control_number,
            expected="4 or fewer",
        )
    w.add("LX", str(line.line_number))
    w.add(
        "SV1",
        ["HC", line.procedure, *line.modifiers],
        fmt_amount(line.charge),
        "UN",
        fmt_number(line.units),
        line.place_of_service if line.place_of_service != claim_pos else "",
        "",
        [str(p) for p in line.diagnosis_pointers],
    )
    w.add("DTP", "472", "D8", fmt_date(line.service_date))
    w.add("REF", "6R", line.line_control_number)
    cob.write_line_adjudications(w, line)


# --------------------------------------------------------------------------- reading


class _Reader:
    """State while walking one 837P transaction set."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []
        self.billing: dict | None = None
        self.coverage: dict = {}
        self.subscriber: dict = {}
        self.patient: dict = {}
        self.claim: dict | None = None
        self.line: dict | None = None
        self.loop = ""  # the NM1 loop whose N3/N4/DMG/REF/PRV follow
        self.cob = cob.ClaimCob()  # other-payer loops 2320/2330/2430
        self.institutional = False  # GS08 names the 837I guide (X223)
        self.dental = False  # GS08 names the 837D guide (X224)

    def finish_claim(self) -> None:
        if self.claim is None:
            return
        self.finish_line()
        data = self.claim
        self.claim = None
        claim = _to_claim(data)
        self.claims.append(self.cob.apply(claim))

    def finish_line(self) -> None:
        if self.claim is not None and self.line is not None:
            self.claim["lines"].append(self.line)
        self.line = None


def parse_837(text: str) -> list[Claim]:
    """Read the professional claims of every 837 transaction set in ``text``.

    It reads what :func:`build_837p` writes and the common shape of real 837Ps
    (both X222A1 and X222A2), and 837I claims (X223; ``kind="institutional"``,
    SV2 lines with revenue codes, CLM05-1 facility type, DTP*434 statement
    period, admission and discharge, CL1, admitting diagnosis, reasons for
    visit, external causes, procedures, occurrence codes and spans, value,
    condition and treatment codes, DRG and present-on-admission flags in
    ``Claim.institutional``)
    and 837D claims (X224; ``kind="dental"``, SV3 lines with their teeth, oral
    cavity areas and prosthesis flag, DN1/DN2 in ``Claim.dental``). Other-payer
    loops 2320/2330 become ``Claim.other_payers`` and line adjudications 2430
    ``ServiceLine.adjudications``. Claim IDs come from patient control numbers
    of our form ``C<claim>V<version>``; any other form gives ``claim_id=0``.
    The patient ID is read from REF*EA (medical record number) when it is a
    number, else 0. Ambulance, drug (LIN/CTP) and repricing loops are skipped,
    not read.

    Args:
        text: One or more interchanges.

    Returns:
        Claims in file order.

    Raises:
        X12Error: The text cannot be tokenized, or a required element of a
            segment we read is missing or malformed.
    """
    claims: list[Claim] = []
    for transaction in read_transactions(text, "837"):
        reader = _Reader()
        reader.institutional = "X223" in transaction.version
        reader.dental = "X224" in transaction.version
        for segment in transaction.body:
            _read_segment(reader, segment)
        reader.finish_claim()
        claims.extend(reader.claims)
    return claims


def _read_segment(r: _Reader, s: Segment) -> None:  # noqa: C901 - a dispatch table
    sid = s.id
    if sid == "HL":
        r.finish_claim()
        level = s.get(3)
        if level == "20":
            r.billing = {}
            r.loop = "billing"
        elif level == "22":
            r.coverage, r.subscriber, r.patient = {}, {}, {}
            r.loop = "subscriber"
        elif level == "23":
            r.patient = {}
            r.loop = "patient"
    elif r.claim is not None and cob.read_segment(r.cob, s, in_line=r.line is not None):
        r.loop = "cob"
    elif sid == "PRV" and s.get(1) == "BI" and r.billing is not None:
        r.billing["taxonomy"] = s.get(3)
    elif sid == "PRV" and s.get(1) == "PE" and r.loop == "rendering":
        r.claim["rendering"].taxonomy = s.get(3)  # type: ignore[index]
    elif sid == "NM1":
        _read_name(r, s)
    elif sid == "N3":
        _target(r)["line1"] = s.get(1)
    elif sid == "N4":
        _target(r).update(city=s.get(1), state=s.get(2), zip=s.get(3))
    elif sid == "DMG" and r.claim is None and r.loop in ("subscriber", "patient"):
        person = r.subscriber if r.loop == "subscriber" else r.patient
        person["birth_date"] = s.date(2)
        person["sex"] = s.get(3) or "U"
    elif sid == "REF":
        _read_ref(r, s)
    elif sid == "SBR":
        r.coverage.update(
            priority=_PRIORITY_BACK.get(s.get(1), "primary"),
            relationship=s.get(2) or "",
            group_number=s.get(3) or None,
            plan_type=s.get(9) or "CI",
        )
    elif sid == "PAT":
        r.coverage["relationship"] = s.get(1)
    elif sid == "CLM":
        r.finish_claim()
        r.loop = "claim"
        r.cob = cob.ClaimCob()
        r.claim = {
            "pcn": s.get(1),
            "charge": s.amount(2),
            "pos": s.component(5, 1),
            "institutional": r.institutional or s.component(5, 2) == "A",
            "is_dental": r.dental,
            "institutional_data": {},
            "frequency": s.component(5, 3) or "1",
            "diagnoses": [],
            "lines": [],
            "billing": _billing(r.billing),
            "coverage": dict(r.coverage),
            "subscriber": dict(r.subscriber),
            "patient": dict(r.patient),
            "segment": s,
        }
    elif sid in ("DTP", "CL1") and r.claim is not None and r.line is None:
        _read_claim_date(r.claim, s)
    elif sid in ("DN1", "DN2") and r.claim is not None and r.line is None:
        dental.read_dental_claim_segment(r.claim, s)
    elif sid == "HI" and r.claim is not None and r.loop == "claim":
        for position in range(1, len(s.elements) + 1):
            qualifier, code = s.component(position, 1), s.component(position, 2)
            data = r.claim["institutional_data"]
            if qualifier in ("ABK", "ABF", "BK", "BF"):
                code = _with_dot(code) if qualifier[0] == "A" else code
                r.claim["diagnoses"].append(code)
                inpatient.read_present_on_admission(data, s, position, code)
            else:
                inpatient.read_code(data, s, position, _with_dot)
    elif sid == "LX" and r.claim is not None:
        r.finish_line()
        r.cob.start_line()
        r.loop = "line"
        r.line = {"number": int(s.get(1) or 0), "segment": s}
    elif sid == "SV1" and r.line is not None:
        _read_sv1(r.line, s)
    elif sid == "SV2" and r.line is not None:
        _read_sv2(r.line, s)
    elif sid == "SV3" and r.line is not None:
        dental.read_sv3(r.line, s)
    elif sid == "TOO" and r.line is not None:
        dental.read_tooth(r.line, s)
    elif sid == "DTP" and s.get(1) == "472" and r.line is not None:
        r.line["date"] = s.period(3)[0]
    elif sid == "DTP" and r.line is not None and r.dental:
        dental.read_dental_line_date(r.line, s)


def _read_claim_date(claim: dict, s: Segment) -> None:
    """A claim-level DTP (service date, statement period, admission) or CL1."""
    if s.id == "DTP" and s.get(1) == "472":
        claim["date"] = s.period(3)[0]
    elif s.id == "DTP" and s.get(1) == "434":
        claim["statement"] = s.period(3)
    elif not (claim["is_dental"] and dental.read_dental_claim_segment(claim, s)):
        inpatient.read_claim_segment(claim["institutional_data"], s)


def _target(r: _Reader) -> dict:
    if r.loop == "billing" and r.billing is not None:
        return r.billing.setdefault("address", {})
    if r.loop == "subscriber":
        return r.subscriber.setdefault("address", {})
    if r.loop == "patient":
        return r.patient.setdefault("address", {})
    return {}


def _read_name(r: _Reader, s: Segment) -> None:
    code = s.get(1)
    if code == "85" and r.billing is not None:
        r.loop = "billing"
        r.billing["name"] = s
    elif r.claim is not None and code in ("IL", "PR", "QC"):
        r.loop = "other"
    elif code == "IL":
        r.loop = "subscriber"
        r.coverage["member_id"] = s.get(9)
        r.subscriber.update(last_name=s.get(3), first_name=s.get(4))
    elif code == "PR" and r.claim is None:
        r.loop = "payer"
        r.coverage.update(payer_name=s.get(3), payer_id=s.get(9))
    elif code == "QC":
        r.loop = "patient"
        r.patient.update(last_name=s.get(3), first_name=s.get(4))
    elif code == "82" and r.claim is not None and r.line is None:
        r.loop = "rendering"
        r.claim["rendering"] = _provider(s, None, None)
    else:
        r.loop = "other"


def _read_ref(r: _Reader, s: Segment) -> None:
    qualifier = s.get(1)
    if r.loop == "billing" and r.billing is not None and qualifier in ("EI", "SY"):
        r.billing["tax_id"] = s.get(2)
    elif r.line is not None and qualifier == "6R":
        r.line["control"] = s.get(2)
    elif r.claim is not None and r.loop == "claim":
        key = {"F8": "original", "G1": "prior_auth", "EA": "mrn"}.get(qualifier)
        if key:
            r.claim[key] = s.get(2)


def _read_sv1(line: dict, s: Segment) -> None:
    parts = s.components(1)
    if parts[0] not in ("HC", "WK", "ER", "IV"):
        raise s.fail(1, "unknown procedure code qualifier", "HC:<code> (SV101-1)")
    line.update(
        procedure=parts[1] if len(parts) > 1 else "",
        modifiers=[m for m in parts[2:6] if m],
        charge=s.amount(2),
        units=s.amount(4) if s.get(4) else Decimal(1),
        pos=s.get(5),
        pointers=[int(p) for p in s.components(7) if p.isdigit()],
    )


def _read_sv2(line: dict, s: Segment) -> None:
    parts = s.components(2) if s.get(2) else [""]
    if parts[0] not in ("", "HC", "HP", "IV", "ER", "WK"):
        raise s.fail(2, "unknown procedure code qualifier", "HC:<code> (SV202-1)")
    line.update(
        revenue_code=s.get(1),
        procedure=parts[1] if len(parts) > 1 else "",
        modifiers=[m for m in parts[2:6] if m],
        charge=s.amount(3),
        units=s.amount(5) if s.get(5) else Decimal(1),
        pos="",
        pointers=[],
    )


def _with_dot(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _billing(data: dict | None) -> Provider | None:
    if not data or "name" not in data:
        return None
    provider = _provider(data["name"], None, data.get("taxonomy"))
    if "address" in data:
        provider.address = Address(**_full_address(data["address"]))
    provider.tax_id = data.get("tax_id")
    return provider


def _provider(s: Segment, address: Address | None, taxonomy: str | None) -> Provider:
    organization = s.get(2) == "2"
    name = s.get(3) if organization or not s.get(4) else f"{s.get(3)}, {s.get(4)}"
    return Provider(
        npi=s.get(9),
        name=name,
        is_organization=organization,
        address=address,
        taxonomy=taxonomy,
    )


def _to_claim(data: dict) -> Claim:
    clm: Segment = data["segment"]
    billing: Provider | None = data["billing"]
    if billing is None:
        raise X12StructureError(
            "claim without a billing provider (2010AA)",
            segment_number=clm.number,
            segment_id="CLM",
            expected="NM1*85 before the claim",
        )
    cov = data["coverage"]
    person = data["patient"] if data["patient"] else data["subscriber"]
    subscriber = data["subscriber"]
    relationship = cov.get("relationship") or ("18" if not data["patient"] else "")
    match = _PCN.match(data["pcn"])
    claim_id, version = (int(match[1]), int(match[2])) if match else (0, 1)
    mrn = data.get("mrn", "")
    statement = data.get("statement")
    kind = _kind(data)
    lines = [_to_line(line, data, index) for index, line in enumerate(data["lines"])]
    if "birth_date" not in person or "address" not in person:
        raise X12StructureError(
            "patient has no DMG or N3/N4",
            segment_number=clm.number,
            segment_id="CLM",
            expected="DMG and N3/N4 in the patient's loop",
        )
    patient = Patient(
        patient_id=int(mrn) if mrn.isdigit() else 0,
        first_name=person.get("first_name", ""),
        last_name=person.get("last_name", ""),
        birth_date=person["birth_date"],
        sex=person["sex"] if person["sex"] in ("M", "F") else "U",
        address=Address(**_full_address(person["address"])),
    )
    coverage = Coverage(
        payer_id=cov.get("payer_id", ""),
        payer_name=cov.get("payer_name", ""),
        member_id=cov.get("member_id", ""),
        group_number=cov.get("group_number"),
        relationship=relationship,
        plan_type=cov.get("plan_type", "CI"),
        priority=cov.get("priority", "primary"),
        subscriber_first_name=(subscriber.get("first_name") or None)
        if relationship != "18"
        else None,
        subscriber_last_name=(subscriber.get("last_name") or None)
        if relationship != "18"
        else None,
    )
    return Claim(
        claim_id=claim_id,
        version=version,
        patient_control_number=data["pcn"],
        frequency_code=data["frequency"],
        original_payer_claim_number=data.get("original"),
        billing_provider=billing,
        rendering_provider=data.get("rendering"),
        patient=patient,
        coverage=coverage,
        diagnoses=data["diagnoses"],
        lines=lines,
        prior_auth_number=data.get("prior_auth"),
        kind=kind,
        facility_type_code=data["pos"] if kind == "institutional" else None,
        statement_from=statement[0] if statement else None,
        statement_through=statement[1] if statement else None,
        institutional=InstitutionalDetails(**data["institutional_data"])
        if kind == "institutional"
        else None,
        dental=data.get("dental") if kind == "dental" else None,
    )


def _kind(data: dict) -> str:
    """Dental when the guide is X224 or a line is SV3; institutional for X223
    or a CLM05 qualifier A; professional otherwise."""
    if data["is_dental"] or any("teeth" in line for line in data["lines"]):
        return "dental"
    return "institutional" if data["institutional"] else "professional"


def _full_address(raw: dict) -> dict:
    return {key: raw.get(key, "") for key in ("line1", "city", "state", "zip")}


def _to_line(line: dict, claim: dict, index: int) -> ServiceLine:
    if "procedure" not in line:
        s: Segment = line["segment"]
        raise X12StructureError(
            "service line without SV1, SV2 or SV3",
            segment_number=s.number,
            segment_id="LX",
            expected="SV1 (837P), SV2 (837I) or SV3 (837D) after LX",
        )
    service_date = line.get("date") or claim.get("date")
    if service_date is None and claim.get("statement"):
        service_date = claim["statement"][0]
    if service_date is None:
        s = line["segment"]
        raise X12StructureError(
            "service line without a date of service",
            segment_number=s.number,
            segment_id="LX",
            expected="DTP*472 in the line or the claim",
        )
    number = line["number"] or index + 1
    pos = claim["pos"]
    is_dental = "teeth" in line
    # A dental claim often has no diagnosis at all, so nothing to point at.
    pointers = line["pointers"] or ([] if is_dental else [1])
    return ServiceLine(
        line_number=number,
        procedure=line["procedure"],
        modifiers=line["modifiers"],
        units=line["units"],
        charge=line["charge"],
        service_date=service_date,
        place_of_service=line["pos"] or ("" if claim["institutional"] else pos),
        diagnosis_pointers=pointers,
        line_control_number=line.get("control") or f"{claim['pcn']}L{number}",
        revenue_code=line.get("revenue_code"),
        teeth=line.get("teeth", []),
        oral_cavity=line.get("oral_cavity", []),
        prosthesis=line.get("prosthesis"),
        prior_placement_date=line.get("prior_placement"),
    )
