"""The UB-04 data of an 837I (005010X223A3) beyond charges: admission and codes.

An inpatient bill tells the payer when and how the patient came in (DTP*435,
CL101 admission type, CL102 source), how they left (DTP*096 discharge hour,
CL103 patient status) and the codes a DRG payer prices the stay from: the
admitting diagnosis (HI*ABJ), the principal and other ICD-10-PCS procedures
(HI*BBR, HI*BBQ), occurrence codes and spans, value and condition codes (HI*BH,
BI, BE, BG) and the DRG (HI*DR). An outpatient bill may add the patient's reason
for the visit (HI*APR); any bill may name external causes of injury (HI*ABN),
treatment codes (HI*TC) and, per diagnosis, whether it was present on admission
(HI01-9). The 837 reader collects them with :func:`read_claim_segment`,
:func:`read_code` and :func:`read_present_on_admission`; the 837I builder writes
them with :func:`write_admission`, :func:`write_codes` and
:func:`diagnosis_element`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from claimflow.models import (
    Claim,
    DatedCode,
    InstitutionalDetails,
    OccurrenceSpan,
    ValueCode,
)
from claimflow.x12.envelope import Writer, fmt_amount, fmt_date
from claimflow.x12.errors import X12BuildError
from claimflow.x12.segments import Segment

# CL103 when the claim does not say: 01, discharged to home or self care.
DEFAULT_PATIENT_STATUS = "01"
_PER_SEGMENT = 12  # HI holds twelve codes
_SEGMENTS_OF_CODES = 2  # BBQ, BI, BH, BE, BG and TC each repeat in two HI
_MOST_REASONS_FOR_VISIT = 3  # HI01 to HI03 of the one HI*APR
_POA = 9  # HI01-9, the present-on-admission indicator
# HI qualifiers, ICD-10 first and ICD-9 (4010-era senders) second.
_ADMITTING = ("ABJ", "BJ")
_PRINCIPAL_PROCEDURE = ("BBR", "BR", "CAH")
_OTHER_PROCEDURE = ("BBQ", "BQ")
_REASON_FOR_VISIT = ("APR", "PR")
_EXTERNAL_CAUSE = ("ABN", "BN")
_POA_CODES = ("Y", "N", "U", "W")


def is_inpatient(facility_type_code: str | None) -> bool:
    """True for an inpatient bill, read from CLM05-1 as the builder always has:
    a facility type 1 to 6 (1 hospital, 2 skilled nursing, ...) with
    classification 1 (inpatient, Part A) or 2 (inpatient, Part B). It errs on
    the side of asking for admission data (3x home health counts too)."""
    code = facility_type_code or ""
    return len(code) == 2 and code[0] in "123456" and code[1] in "12"


def read_claim_segment(details: dict, s: Segment) -> bool:
    """Take a claim-level DTP*435, DTP*096 or CL1; False for any other segment."""
    if s.id == "DTP" and s.get(1) == "435":
        if s.get(2) == "DT":
            moment = _moment(s, s.get(3), "%Y%m%d%H%M", "CCYYMMDDHHMM (DT)")
            details["admission_date"] = moment.date()
            details["admission_hour"] = moment.time()
        else:
            details["admission_date"] = s.period(3)[0]
        return True
    if s.id == "DTP" and s.get(1) == "096":
        details["discharge_hour"] = _moment(s, s.get(3), "%H%M", "HHMM (TM)").time()
        return True
    if s.id == "CL1":
        details.update(
            admission_type=s.get(1) or None,
            admission_source=s.get(2) or None,
            patient_status=s.get(3) or None,
        )
        return True
    return False


def _moment(s: Segment, text: str, form: str, expected: str) -> datetime:
    # strptime takes "1" for an hour, so the length is checked first: the
    # format's digits, two per directive and four for the year.
    digits = 2 * form.count("%") + (2 if "%Y" in form else 0)
    try:
        if len(text) != digits or not text.isdigit():
            raise ValueError(text)
        return datetime.strptime(text, form)
    except ValueError as exc:
        raise s.fail(3, "not a date or time", expected) from exc


def read_code(
    details: dict, s: Segment, position: int, with_dot: Callable[[str], str]
) -> bool:
    """Take one HI composite that is not a plain diagnosis; False if not ours.

    Args:
        details: The claim's institutional data being collected.
        s: The HI segment.
        position: Which composite (1-based).
        with_dot: Turns an ICD-10-CM code as sent (no dot) into ours.
    """
    qualifier, code = s.component(position, 1), s.component(position, 2)
    if qualifier in _ADMITTING:
        details["admitting_diagnosis"] = with_dot(code) if qualifier == "ABJ" else code
    elif qualifier in _PRINCIPAL_PROCEDURE:
        details["principal_procedure"] = _dated(s, position)
    elif qualifier in _OTHER_PROCEDURE:
        details.setdefault("other_procedures", []).append(_dated(s, position))
    elif qualifier in _REASON_FOR_VISIT:
        reason = with_dot(code) if qualifier == "APR" else code
        details.setdefault("reasons_for_visit", []).append(reason)
    elif qualifier in _EXTERNAL_CAUSE:
        cause = with_dot(code) if qualifier == "ABN" else code
        details.setdefault("external_causes", []).append(cause)
        read_present_on_admission(details, s, position, cause)
    elif qualifier == "BI":
        details.setdefault("occurrence_spans", []).append(_span(s, position))
    elif qualifier == "TC":
        details.setdefault("treatment_codes", []).append(code)
    elif qualifier == "BH":
        details.setdefault("occurrence_codes", []).append(_dated(s, position))
    elif qualifier == "BE":
        value = ValueCode(code=code, amount=s.component_amount(position, 5))
        details.setdefault("value_codes", []).append(value)
    elif qualifier == "BG":
        details.setdefault("condition_codes", []).append(code)
    elif qualifier == "DR":
        details["drg"] = code
    else:
        return False
    return True


def read_present_on_admission(
    details: dict, s: Segment, position: int, code: str
) -> None:
    """Take HI0n-9 of a diagnosis composite, when sent, keyed by ``code``."""
    flag = s.component(position, _POA)
    if not flag:
        return
    if flag not in _POA_CODES:
        raise s.fail(
            position, "not a present-on-admission indicator", "Y, N, U or W in -9"
        )
    details.setdefault("present_on_admission", {})[code] = flag


def _span(s: Segment, position: int) -> OccurrenceSpan:
    if s.component(position, 3) != "RD8" or "-" not in s.component(position, 4):
        raise s.fail(
            position,
            "an occurrence span needs an RD8 date range",
            "<code>:RD8:CCYYMMDD-CCYYMMDD",
        )
    start, end = s.component_period(position, 4)
    return OccurrenceSpan(code=s.component(position, 2), start=start, end=end)


def _dated(s: Segment, position: int) -> DatedCode:
    if s.component(position, 3) != "D8":
        raise s.fail(position, "a dated code needs a D8 date", "<code>:D8:CCYYMMDD")
    return DatedCode(code=s.component(position, 2), on=s.component_date(position, 4))


# --------------------------------------------------------------------------- writing


def check(claim: Claim) -> None:
    """Refuse an inpatient claim without what the payer needs to price the stay.

    Raises:
        X12BuildError: An inpatient facility type without the admission date
            or admission type, more codes than the guide's HI segments hold
            (three reasons for visit, twelve external causes, twenty-four of
            the repeated lists), an occurrence span that ends before it starts,
            or a present-on-admission indicator for a code the claim lacks.
    """
    details = claim.institutional or InstitutionalDetails()
    if is_inpatient(claim.facility_type_code) and (
        details.admission_date is None or not details.admission_type
    ):
        raise X12BuildError(
            "an inpatient claim needs its admission date and type",
            segment_id="CL1",
            value=claim.facility_type_code,
            expected="Claim.institutional.admission_date (DTP*435) and "
            "admission_type (CL101)",
        )
    most = _PER_SEGMENT * _SEGMENTS_OF_CODES
    for name, codes, limit in (
        ("other procedures", details.other_procedures, most),
        ("occurrence codes", details.occurrence_codes, most),
        ("occurrence spans", details.occurrence_spans, most),
        ("value codes", details.value_codes, most),
        ("condition codes", details.condition_codes, most),
        ("treatment codes", details.treatment_codes, most),
        ("reasons for visit", details.reasons_for_visit, _MOST_REASONS_FOR_VISIT),
        ("external causes of injury", details.external_causes, _PER_SEGMENT),
    ):
        if len(codes) > limit:
            raise X12BuildError(
                f"an 837I claim carries at most {limit} {name}",
                segment_id="HI",
                value=str(len(codes)),
                expected=f"{limit} or fewer",
            )
    for span in details.occurrence_spans:
        if span.end < span.start:
            raise X12BuildError(
                "an occurrence span ends before it starts",
                segment_id="HI",
                value=f"{span.code} {span.start}-{span.end}",
                expected="OccurrenceSpan.start on or before end",
            )
    coded = {*claim.diagnoses, *details.external_causes}
    for code in details.present_on_admission:
        if code not in coded:
            raise X12BuildError(
                "a present-on-admission indicator for a code the claim lacks",
                segment_id="HI",
                element=1,
                value=code,
                expected="a code of Claim.diagnoses or external_causes",
            )


def write_admission(w: Writer, claim: Claim) -> None:
    """Write DTP*096, DTP*434, DTP*435 and CL1, in the guide's order."""
    details = claim.institutional or InstitutionalDetails()
    if details.discharge_hour is not None:
        w.add("DTP", "096", "TM", details.discharge_hour.strftime("%H%M"))
    start = claim.statement_from or claim.from_date
    end = claim.statement_through or claim.through_date
    w.add("DTP", "434", "RD8", f"{fmt_date(start)}-{fmt_date(end)}")
    if details.admission_date is not None:
        day = fmt_date(details.admission_date)
        if details.admission_hour is not None:
            w.add("DTP", "435", "DT", day + details.admission_hour.strftime("%H%M"))
        else:
            w.add("DTP", "435", "D8", day)
    w.add(
        "CL1",
        details.admission_type or "",
        details.admission_source or "",
        details.patient_status or DEFAULT_PATIENT_STATUS,
    )


def write_codes(w: Writer, claim: Claim, stage: str) -> None:
    """Write the HI segments of one stage around the other diagnoses.

    The guide orders the HI segments: principal diagnosis, admitting diagnosis,
    reason for visit, external causes, DRG, other diagnoses, then procedures,
    occurrence spans, occurrence, value, condition and treatment codes.
    ``stage`` is ``"before"`` (admitting to DRG) or ``"after"`` (the rest).
    """
    details = claim.institutional
    if details is None:
        return
    if stage == "before":
        if details.admitting_diagnosis:
            w.add("HI", ["ABJ", details.admitting_diagnosis.replace(".", "")])
        if details.reasons_for_visit:
            w.add("HI", *[["APR", _no_dot(c)] for c in details.reasons_for_visit])
        if details.external_causes:
            causes = details.external_causes
            w.add("HI", *[diagnosis_element("ABN", c, claim) for c in causes])
        if details.drg:
            w.add("HI", ["DR", details.drg])
        return
    if details.principal_procedure is not None:
        w.add("HI", _dated_element("BBR", details.principal_procedure))
    _repeat(w, [_dated_element("BBQ", p) for p in details.other_procedures])
    _repeat(
        w,
        [
            ["BI", s.code, "RD8", f"{fmt_date(s.start)}-{fmt_date(s.end)}"]
            for s in details.occurrence_spans
        ],
    )
    _repeat(w, [_dated_element("BH", c) for c in details.occurrence_codes])
    _repeat(
        w,
        [["BE", v.code, "", "", fmt_amount(v.amount)] for v in details.value_codes],
    )
    _repeat(w, [["BG", code] for code in details.condition_codes])
    _repeat(w, [["TC", code] for code in details.treatment_codes])


def diagnosis_element(qualifier: str, code: str, claim: Claim) -> list[str]:
    """An HI composite of a diagnosis, with its present-on-admission flag.

    Args:
        qualifier: ABK principal, ABF other, ABN external cause.
        code: ICD-10-CM as the claim holds it (with the dot).
        claim: The claim, whose institutional details may flag the code.
    """
    details = claim.institutional or InstitutionalDetails()
    flag = details.present_on_admission.get(code, "")
    return [qualifier, _no_dot(code), *[""] * (_POA - 3), flag]


def _no_dot(code: str) -> str:
    return code.replace(".", "")


def _dated_element(qualifier: str, item: DatedCode) -> list[str]:
    return [qualifier, item.code, "D8", fmt_date(item.on)]


def _repeat(w: Writer, composites: list[list[str]]) -> None:
    for start in range(0, len(composites), _PER_SEGMENT):
        w.add("HI", *composites[start : start + _PER_SEGMENT])
