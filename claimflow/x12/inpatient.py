"""The UB-04 data of an 837I (005010X223A3) beyond charges: admission and codes.

An inpatient bill tells the payer when and how the patient came in (DTP*435,
CL101 admission type, CL102 source), how they left (DTP*096 discharge hour,
CL103 patient status) and the codes a DRG payer prices the stay from: the
admitting diagnosis (HI*ABJ), the principal and other ICD-10-PCS procedures
(HI*BBR, HI*BBQ), occurrence, value and condition codes (HI*BH, BE, BG) and the
DRG (HI*DR). The 837 reader collects them with :func:`read_claim_segment` and
:func:`read_code`; the 837I builder writes them with :func:`write_admission`
and :func:`write_codes`. Occurrence spans (HI*BI), the reason for visit
(HI*APR), external causes (HI*ABN) and treatment codes (HI*TC) are not read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from claimflow.models import Claim, DatedCode, InstitutionalDetails, ValueCode
from claimflow.x12.envelope import Writer, fmt_amount, fmt_date
from claimflow.x12.errors import X12BuildError
from claimflow.x12.segments import Segment

# CL103 when the claim does not say: 01, discharged to home or self care.
DEFAULT_PATIENT_STATUS = "01"
_PER_SEGMENT = 12  # HI holds twelve codes
_SEGMENTS_OF_CODES = 2  # BBQ, BH, BE and BG each repeat in at most two HI
# HI qualifiers, ICD-10 first and ICD-9 (4010-era senders) second.
_ADMITTING = ("ABJ", "BJ")
_PRINCIPAL_PROCEDURE = ("BBR", "BR", "CAH")
_OTHER_PROCEDURE = ("BBQ", "BQ")


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


def _dated(s: Segment, position: int) -> DatedCode:
    if s.component(position, 3) != "D8":
        raise s.fail(position, "a dated code needs a D8 date", "<code>:D8:CCYYMMDD")
    return DatedCode(code=s.component(position, 2), on=s.component_date(position, 4))


# --------------------------------------------------------------------------- writing


def check(claim: Claim) -> None:
    """Refuse an inpatient claim without what the payer needs to price the stay.

    Raises:
        X12BuildError: An inpatient facility type without the admission date
            or admission type, or more codes than two HI segments hold.
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
    for name, codes in (
        ("other procedures", details.other_procedures),
        ("occurrence codes", details.occurrence_codes),
        ("value codes", details.value_codes),
        ("condition codes", details.condition_codes),
    ):
        if len(codes) > _PER_SEGMENT * _SEGMENTS_OF_CODES:
            raise X12BuildError(
                f"an 837I claim carries at most 24 {name}",
                segment_id="HI",
                value=str(len(codes)),
                expected="24 or fewer",
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
    DRG, other diagnoses, then procedures, occurrence, value and condition
    codes. ``stage`` is ``"before"`` (admitting, DRG) or ``"after"`` (the rest).
    """
    details = claim.institutional
    if details is None:
        return
    if stage == "before":
        if details.admitting_diagnosis:
            w.add("HI", ["ABJ", details.admitting_diagnosis.replace(".", "")])
        if details.drg:
            w.add("HI", ["DR", details.drg])
        return
    if details.principal_procedure is not None:
        w.add("HI", _dated_element("BBR", details.principal_procedure))
    _repeat(w, [_dated_element("BBQ", p) for p in details.other_procedures])
    _repeat(w, [_dated_element("BH", c) for c in details.occurrence_codes])
    _repeat(
        w,
        [["BE", v.code, "", "", fmt_amount(v.amount)] for v in details.value_codes],
    )
    _repeat(w, [["BG", code] for code in details.condition_codes])


def _dated_element(qualifier: str, item: DatedCode) -> list[str]:
    return [qualifier, item.code, "D8", fmt_date(item.on)]


def _repeat(w: Writer, composites: list[list[str]]) -> None:
    for start in range(0, len(composites), _PER_SEGMENT):
        w.add("HI", *composites[start : start + _PER_SEGMENT])
