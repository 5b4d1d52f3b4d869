"""The dental parts of an 837D (005010X224A2): SV3 lines, TOO teeth, DN1 and DN2.

An 837D is an 837P in everything but these: the line is SV3 (an ADA procedure
code with the oral cavity areas, the prosthesis flag and a procedure count)
followed by one TOO per tooth treated, and the claim may carry the orthodontic
treatment months (DN1), the teeth that are missing or to be extracted (DN2) and
its dates: accident (DTP*439), orthodontic appliance placement (DTP*452) and
the day a repricer received it (DTP*050). A line that replaces a prosthesis
says when the old one was placed (DTP*441).
The 837 reader calls :func:`read_sv3`, :func:`read_tooth`,
:func:`read_dental_claim_segment` and :func:`read_dental_line_date`; the 837D
builder writes with :func:`write_dental_claim` and :func:`write_dental_line`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from claimflow.models import DentalDetails, ServiceLine, Tooth, ToothStatus
from claimflow.x12.envelope import Writer, fmt_amount, fmt_date, fmt_number
from claimflow.x12.errors import X12BuildError
from claimflow.x12.segments import Segment

TOOTH_CODE_LIST = "JP"  # TOO01/DN206: the Universal National Tooth Designation
SURFACES = frozenset("BDFILMO")  # TOO03: buccal, distal, facial, incisal, ...
_MAX_TEETH_STATUS = 35  # DN2 repeats at most 35 times in loop 2300
# Claim-level DTP qualifiers of X224A2 loop 2300 besides 472, by model field.
_CLAIM_DATES = {
    "439": "accident_date",
    "452": "appliance_placement_date",
    "050": "repricer_received_date",
}
_PRIOR_PLACEMENT = "441"  # loop 2400


def read_sv3(line: dict, s: Segment) -> None:
    """Fill a line being read from its SV3 (the dental service)."""
    parts = s.components(1)
    if parts[0] != "AD" or len(parts) < 2 or not parts[1]:
        raise s.fail(1, "not an ADA procedure", "AD:<CDT code> (SV301)")
    prosthesis = s.get(5) or None
    if prosthesis not in (None, "I", "R"):
        raise s.fail(5, "unknown prosthesis code", "I (initial) or R (replacement)")
    line.update(
        procedure=parts[1],
        modifiers=[m for m in parts[2:6] if m],
        charge=s.amount(2),
        pos=s.get(3),
        oral_cavity=[area for area in s.components(4) if area],
        prosthesis=prosthesis,
        units=s.amount(6) if s.get(6) else Decimal(1),
        pointers=[int(p) for p in s.components(11) if p.isdigit()],
        teeth=[],
    )


def read_tooth(line: dict, s: Segment) -> None:
    """Add the tooth of a TOO segment to the dental line being read."""
    if "teeth" not in line:
        raise s.fail(None, "tooth information outside a dental line", "SV3 before TOO")
    if s.get(1) != TOOTH_CODE_LIST:
        raise s.fail(1, "unknown tooth code list", TOOTH_CODE_LIST)
    if not s.get(2):
        raise s.fail(2, "tooth number missing", "a tooth number (TOO02)")
    surfaces = [code for code in s.components(3) if code]
    if any(code not in SURFACES for code in surfaces):
        raise s.fail(3, "unknown tooth surface", "surfaces among B D F I L M O")
    line["teeth"].append(Tooth(number=s.get(2), surfaces=surfaces))


def read_dental_claim_segment(claim: dict, s: Segment) -> bool:
    """Take a claim-level DN1, DN2 or dental DTP into ``claim["dental"]``.

    Returns:
        False for any other segment, which is left alone.
    """
    if s.id == "DTP" and s.get(1) not in _CLAIM_DATES:
        return False
    details: DentalDetails = claim.setdefault("dental", DentalDetails())
    if s.id == "DTP":
        setattr(details, _CLAIM_DATES[s.get(1)], _day(s))
        return True
    if s.id == "DN1":
        details.orthodontic_months_total = _months(s, 1)
        details.orthodontic_months_remaining = _months(s, 2)
        return True
    if s.id == "DN2":
        if not s.get(1):
            raise s.fail(1, "tooth number missing", "a tooth number (DN201)")
        status = s.get(2)
        if status not in ("E", "M"):
            raise s.fail(2, "unknown tooth status", "E (to be extracted), M (missing)")
        if s.get(6) and s.get(6) != TOOTH_CODE_LIST:
            raise s.fail(6, "unknown tooth code list", TOOTH_CODE_LIST)
        details.tooth_status.append(ToothStatus(number=s.get(1), status=status))
        return True
    return False


def read_dental_line_date(line: dict, s: Segment) -> bool:
    """Take a line's DTP*441 (prior placement); False for any other DTP."""
    if s.get(1) != _PRIOR_PLACEMENT:
        return False
    line["prior_placement"] = _day(s)
    return True


def _day(s: Segment) -> date:
    if s.get(2) != "D8":
        raise s.fail(2, "a dental date is one day", "D8")
    return s.date(3)


def _months(s: Segment, position: int) -> int | None:
    if not s.get(position):
        return None
    months = s.amount(position)
    if months != months.to_integral_value() or months < 0:
        raise s.fail(position, "months of treatment must be whole", "0, 1, 2, ...")
    return int(months)


# --------------------------------------------------------------------------- writing


def write_dental_claim(w: Writer, details: DentalDetails | None) -> None:
    """Write the claim's dental dates, DN1 (when months are known) and one DN2
    per missing tooth, in the guide's order."""
    if details is None:
        return
    for qualifier, field in _CLAIM_DATES.items():
        day = getattr(details, field)
        if day is not None:
            w.add("DTP", qualifier, "D8", fmt_date(day))
    total = details.orthodontic_months_total
    remaining = details.orthodontic_months_remaining
    if total is not None or remaining is not None:
        w.add(
            "DN1",
            "" if total is None else str(total),
            "" if remaining is None else str(remaining),
        )
    if len(details.tooth_status) > _MAX_TEETH_STATUS:
        raise X12BuildError(
            "an 837D reports at most 35 missing or to-be-extracted teeth",
            segment_id="DN2",
            value=str(len(details.tooth_status)),
            expected="35 or fewer",
        )
    for tooth in details.tooth_status:
        w.add("DN2", tooth.number, tooth.status, "", "", "", TOOTH_CODE_LIST)


def write_dental_line(w: Writer, line: ServiceLine, claim_pos: str) -> None:
    """Write a line's SV3 and its TOO segments (the LX is the caller's)."""
    for name, items, most in (
        ("modifiers", line.modifiers, 4),
        ("diagnosis pointers", line.diagnosis_pointers, 4),
        ("oral cavity areas", line.oral_cavity, 5),
        ("teeth", line.teeth, 32),
    ):
        if len(items) > most:
            raise X12BuildError(
                f"a dental line takes at most {most} {name}",
                segment_id="SV3",
                value=line.line_control_number,
                expected=f"{most} or fewer",
            )
    w.add(
        "SV3",
        ["AD", line.procedure, *line.modifiers],
        fmt_amount(line.charge),
        line.place_of_service if line.place_of_service != claim_pos else "",
        list(line.oral_cavity) or "",
        line.prosthesis or "",
        fmt_number(line.units),
        "",
        "",
        "",
        "",
        [str(p) for p in line.diagnosis_pointers] or "",
    )
    for tooth in line.teeth:
        w.add("TOO", TOOTH_CODE_LIST, tooth.number, list(tooth.surfaces) or "")


def write_dental_line_dates(w: Writer, line: ServiceLine) -> None:
    """Write the line's DTP*472 and, for a replacement, DTP*441."""
    w.add("DTP", "472", "D8", fmt_date(line.service_date))
    if line.prior_placement_date is not None:
        w.add("DTP", _PRIOR_PLACEMENT, "D8", fmt_date(line.prior_placement_date))
