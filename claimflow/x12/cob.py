"""Coordination of benefits on the 837: other-payer loops 2320/2330 and 2430.

A secondary claim tells the next payer what the earlier one decided: loop 2320
(that payer's subscriber, its claim-level adjustments and what it paid), 2330A/B
(subscriber and payer names, the payer's claim number, adjudication date) and,
per service line, 2430 (SVD paid amount, CAS adjustments, DTP*573 date).
:func:`build_secondary_claim` turns the primary claim and the primary payer's
835 claim into that secondary claim; the 837P, 837I and 837D builders write it
with :func:`write_other_payers` and :func:`write_line_adjudications`, and the
837 reader fills it back with :class:`ClaimCob`.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import Decimal

from claimflow.models import (
    Adjustment,
    Claim,
    Coverage,
    LineAdjudication,
    OtherPayer,
    RemitClaim,
    ServiceLine,
)
from claimflow.x12.envelope import Writer, fmt_amount, fmt_date, fmt_number
from claimflow.x12.errors import X12BuildError
from claimflow.x12.segments import Segment

# CAS reads the same on the 837 (2320, 2430) as on the 835.
from claimflow.x12.x835 import _adjustments as _cas

_PRIORITY = {"primary": "P", "secondary": "S", "tertiary": "T"}
_PRIORITY_BACK = {v: k for k, v in _PRIORITY.items()}
_CAS_PAIRS = 6
# What loops 2320, 2330A-G may hold after their SBR.
_COB_SEGMENTS = {
    "CAS",
    "AMT",
    "OI",
    "MIA",
    "MOA",
    "NM1",
    "N3",
    "N4",
    "PER",
    "DTP",
    "REF",
}


def build_secondary_claim(
    primary: Claim,
    remit: RemitClaim,
    secondary: Coverage,
    *,
    version: int | None = None,
    adjudication_date: date | None = None,
) -> Claim:
    """Build the claim to send to the next payer after the primary has paid.

    The claim keeps the primary's patient, providers, diagnoses and lines; its
    coverage becomes ``secondary``; the primary's coverage becomes an
    :class:`OtherPayer` carrying the 835's claim-level adjustments, paid amount
    (AMT*D), patient responsibility (AMT*EAF) and payer claim number; each line
    gets the 835 line's paid amount and adjustments (2430), matched by line
    control number (REF*6R) or, failing that, by procedure and charge.

    Args:
        primary: The claim as billed to the primary payer.
        remit: The primary payer's CLP loop for it.
        secondary: The coverage to bill now; its priority should be
            ``secondary`` (or ``tertiary``).
        version: Version number of the new claim; defaults to the primary's.
        adjudication_date: DTP*573; defaults to the remit's service end date,
            then to the latest date of service.

    Returns:
        The secondary claim (not yet saved; CLM01 stays the primary's unless a
        new version is given).

    Raises:
        X12BuildError: The remit is for another claim, or a remit line cannot
            be matched to a claim line.
    """
    if remit.patient_control_number != primary.patient_control_number:
        raise X12BuildError(
            "the 835 claim is for another claim",
            segment_id="CLP",
            element=1,
            value=remit.patient_control_number,
            expected=primary.patient_control_number,
        )
    when = adjudication_date or remit.service_through or primary.through_date
    cov = primary.coverage
    other = OtherPayer(
        payer_id=cov.payer_id,
        payer_name=cov.payer_name,
        priority=cov.priority,
        member_id=cov.member_id,
        subscriber_first_name=cov.subscriber_first_name,
        subscriber_last_name=cov.subscriber_last_name,
        relationship=cov.relationship,
        group_number=cov.group_number,
        plan_type=cov.plan_type,
        paid=remit.paid,
        remaining_patient_liability=remit.patient_responsibility,
        adjustments=list(remit.adjustments),
        payer_claim_number=remit.payer_claim_number,
        adjudication_date=when,
    )
    lines = [_adjudicated(line, remit, cov.payer_id, when) for line in primary.lines]
    unmatched = len(remit.lines) - sum(1 for line in lines if line.adjudications)
    if remit.lines and unmatched:
        raise X12BuildError(
            "an 835 service line matches no claim line",
            segment_id="SVC",
            value=str(unmatched),
            expected="REF*6R line control numbers or procedure and charge",
        )
    number = version if version is not None else primary.version
    return primary.model_copy(
        update={
            "version": number,
            "coverage": secondary,
            "other_payers": [*primary.other_payers, other],
            "lines": lines,
        }
    )


def _adjudicated(
    line: ServiceLine, remit: RemitClaim, payer_id: str, when: date
) -> ServiceLine:
    match = next(
        (r for r in remit.lines if r.line_control_number == line.line_control_number),
        None,
    )
    if match is None:
        match = next(
            (
                r
                for r in remit.lines
                if r.line_control_number is None
                and r.procedure == _billed_as(line, r.qualifier)
                and r.charge == line.charge
            ),
            None,
        )
    if match is None:
        return line
    adjudication = LineAdjudication(
        payer_id=payer_id,
        paid=match.paid,
        # An 835 line paid by revenue code (SVC01 NU) names no procedure: the
        # revenue code stays the line's own.
        procedure=match.procedure if match.qualifier != "NU" else "",
        modifiers=list(match.modifiers),
        units=match.units if match.units is not None else line.units,
        adjustments=list(match.adjustments),
        adjudication_date=when,
    )
    return line.model_copy(
        update={"adjudications": [*line.adjudications, adjudication]}
    )


def _billed_as(line: ServiceLine, qualifier: str) -> str | None:
    """The code an 835 line with SVC01-1 ``qualifier`` names for ``line``."""
    return line.revenue_code if qualifier == "NU" else line.procedure


# --------------------------------------------------------------------------- writing


def merge_cas(adjustments: list[Adjustment]) -> list[list[str]]:
    """Group adjustments into CAS segments: one per group code, six pairs each.

    Adjustments of one group share a CAS segment (CAS01 once, then up to six
    reason/amount/quantity triples); a group with more than six starts another
    CAS. Reasons repeated within a group are summed.

    Args:
        adjustments: In any order.

    Returns:
        The elements of each CAS segment, groups in first-seen order.
    """
    grouped: OrderedDict[str, OrderedDict[str, list]] = OrderedDict()
    for adj in adjustments:
        reasons = grouped.setdefault(adj.group, OrderedDict())
        amount, quantity = reasons.get(adj.reason, [Decimal(0), None])
        if adj.quantity is not None:
            quantity = (quantity or Decimal(0)) + adj.quantity
        reasons[adj.reason] = [amount + adj.amount, quantity]
    segments: list[list[str]] = []
    for group, reasons in grouped.items():
        items = list(reasons.items())
        for start in range(0, len(items), _CAS_PAIRS):
            elements = [group]
            for reason, (amount, quantity) in items[start : start + _CAS_PAIRS]:
                elements += [
                    reason,
                    fmt_amount(amount),
                    fmt_number(quantity) if quantity is not None else "",
                ]
            segments.append(elements)
    return segments


def write_other_payers(w: Writer, claim: Claim) -> None:
    """Write loops 2320, 2330A and 2330B for each other payer of ``claim``.

    The loops read the same on the 837P, 837I and 837D. The amounts are
    checked first (:func:`check_balance`).

    Raises:
        X12BuildError: An other payer's or a line decision's amounts do not
            add up to the charges.
    """
    check_balance(claim)
    for other in claim.other_payers:
        w.add(
            "SBR",
            _PRIORITY[other.priority],
            other.relationship,
            other.group_number or "",
            "",
            "",
            "",
            "",
            "",
            other.plan_type,
        )
        for elements in merge_cas(other.adjustments):
            w.add("CAS", *elements)
        if other.paid is not None:
            w.add("AMT", "D", fmt_amount(other.paid))
        if other.remaining_patient_liability is not None:
            w.add("AMT", "EAF", fmt_amount(other.remaining_patient_liability))
        w.add("OI", "", "", "Y", "", "", "Y")
        last = other.subscriber_last_name
        first = other.subscriber_first_name
        if other.relationship == "18" or not last:
            last, first = claim.patient.last_name, claim.patient.first_name
        w.add("NM1", "IL", "1", last, first or "", "", "", "", "MI", other.member_id)
        w.add("NM1", "PR", "2", other.payer_name, "", "", "", "", "PI", other.payer_id)
        if other.adjudication_date is not None:
            w.add("DTP", "573", "D8", fmt_date(other.adjudication_date))
        if other.payer_claim_number:
            w.add("REF", "F8", other.payer_claim_number)


def write_line_adjudications(
    w: Writer, line: ServiceLine, kind: str = "professional"
) -> None:
    """Write loop 2430 (SVD, CAS, DTP*573) for each earlier payer's line decision.

    SVD03 names the procedure as the claim's guide does: HC (CPT/HCPCS) on an
    837P or 837I, AD (ADA CDT) on an 837D. On an 837I, SVD04 is the line's
    revenue code, and a decision on a line billed by revenue code alone has no
    SVD03 (X223A3 sends it only for a procedure other than a revenue code).

    Args:
        w: The writer.
        line: The service line with its earlier payers' decisions.
        kind: The claim's kind (``Claim.kind``).
    """
    qualifier = "AD" if kind == "dental" else "HC"
    revenue_code = (line.revenue_code or "") if kind == "institutional" else ""
    for adj in line.adjudications:
        procedure = [qualifier, adj.procedure, *adj.modifiers] if adj.procedure else ""
        w.add(
            "SVD",
            adj.payer_id,
            fmt_amount(adj.paid),
            procedure,
            revenue_code,
            fmt_number(adj.units),
        )
        for elements in merge_cas(adj.adjustments):
            w.add("CAS", *elements)
        w.add("DTP", "573", "D8", fmt_date(adj.adjudication_date))


def check_balance(claim: Claim) -> None:
    """Refuse other-payer loops whose amounts do not add up to the charges.

    For each other payer: claim charge = paid + claim-level adjustments + line
    adjustments; for each line decision: line charge = paid + its adjustments.

    Raises:
        X12BuildError: An amount does not balance.
    """
    for other in claim.other_payers:
        line_adjustments = [
            a
            for line in claim.lines
            for d in line.adjudications
            if d.payer_id == other.payer_id
            for a in d.adjustments
        ]
        total = (other.paid or Decimal(0)) + sum(
            (a.amount for a in [*other.adjustments, *line_adjustments]), Decimal(0)
        )
        if other.paid is not None and total != claim.total_charge:
            raise X12BuildError(
                "other payer's paid amount and adjustments do not balance",
                segment_id="AMT",
                value=fmt_amount(total),
                expected=fmt_amount(claim.total_charge),
            )
    for line in claim.lines:
        for decision in line.adjudications:
            total = decision.paid + sum(
                (a.amount for a in decision.adjustments), Decimal(0)
            )
            if total != line.charge:
                raise X12BuildError(
                    "line paid amount and adjustments do not balance",
                    segment_id="SVD",
                    value=fmt_amount(total),
                    expected=fmt_amount(line.charge),
                )


# --------------------------------------------------------------------------- reading


class ClaimCob:
    """Other-payer data collected while one CLM loop is read."""

    def __init__(self) -> None:
        self.payers: list[dict] = []
        self.lines: dict[int, list[dict]] = {}
        self.line_index = -1
        self.decision: dict | None = None

    def start_line(self) -> None:
        """An LX begins: claim-level loops are over, line decisions follow."""
        self.line_index += 1
        self.decision = None

    def apply(self, claim: Claim) -> Claim:
        """Return ``claim`` with the other payers and line decisions read."""
        others = [OtherPayer(**_payer(p)) for p in self.payers]
        lines = []
        for index, line in enumerate(claim.lines):
            decisions = [_decision(d) for d in self.lines.get(index, [])]
            lines.append(
                line.model_copy(update={"adjudications": decisions})
                if decisions
                else line
            )
        if not others and not any(line.adjudications for line in lines):
            return claim
        return claim.model_copy(update={"other_payers": others, "lines": lines})


def read_segment(cob: ClaimCob, s: Segment, *, in_line: bool) -> bool:
    """Take a segment that belongs to a 2320/2330/2430 loop; False if it does not.

    Args:
        cob: The current claim's collector.
        s: The segment.
        in_line: True once the claim's first LX has been read.

    Returns:
        True when the segment was consumed.
    """
    sid = s.id
    if in_line:
        return _read_line_segment(cob, s)
    if sid == "SBR":
        cob.payers.append(
            {
                "priority": _PRIORITY_BACK.get(s.get(1), "primary"),
                "relationship": s.get(2) or "",
                "group_number": s.get(3) or None,
                "plan_type": s.get(9) or "CI",
                "adjustments": [],
                "loop": "2320",
            }
        )
        return True
    if not cob.payers or sid not in _COB_SEGMENTS:
        return False
    payer = cob.payers[-1]
    if sid == "CAS":
        payer["adjustments"].extend(_cas(s))
    elif sid == "AMT" and s.get(1) == "D":
        payer["paid"] = s.amount(2)
    elif sid == "AMT" and s.get(1) == "EAF":
        payer["remaining_patient_liability"] = s.amount(2)
    elif sid == "NM1" and s.get(1) == "IL":
        payer.update(
            loop="2330A",
            member_id=s.get(9),
            subscriber_last_name=s.get(3) or None,
            subscriber_first_name=s.get(4) or None,
        )
    elif sid == "NM1" and s.get(1) == "PR":
        payer.update(loop="2330B", payer_name=s.get(3), payer_id=s.get(9))
    elif sid == "NM1":
        payer["loop"] = "2330-other"
    elif sid == "DTP" and s.get(1) == "573":
        payer["adjudication_date"] = s.date(3)
    elif sid == "REF" and s.get(1) == "F8" and payer["loop"] == "2330B":
        payer["payer_claim_number"] = s.get(2)
    # Any other segment after SBR (OI, MOA, AMT*A8, N3, N4, REF, PER) belongs to
    # 2320/2330 too and is passed over.
    return True


def _read_line_segment(cob: ClaimCob, s: Segment) -> bool:
    if s.id == "SVD":
        parts = s.components(3)
        cob.decision = {
            "payer_id": s.get(1),
            "paid": s.amount(2),
            "procedure": parts[1] if len(parts) > 1 else "",
            "modifiers": [m for m in parts[2:6] if m],
            "units": s.amount(5) if s.get(5) else Decimal(1),
            "adjustments": [],
            "segment": s,
        }
        cob.lines.setdefault(cob.line_index, []).append(cob.decision)
        return True
    if cob.decision is None:
        return False
    if s.id == "CAS":
        cob.decision["adjustments"].extend(_cas(s))
        return True
    if s.id == "DTP" and s.get(1) == "573":
        cob.decision["adjudication_date"] = s.date(3)
        return True
    if s.id == "AMT" and s.get(1) == "EAF":
        return True
    return False


def _payer(data: dict) -> dict:
    keys = set(OtherPayer.model_fields)
    found = {k: v for k, v in data.items() if k in keys}
    if found.get("relationship") == "18":
        # The subscriber is the patient; the names are the patient's.
        found.pop("subscriber_last_name", None)
        found.pop("subscriber_first_name", None)
    found.setdefault("payer_id", "")
    found.setdefault("payer_name", "")
    found.setdefault("member_id", "")
    return found


def _decision(data: dict) -> LineAdjudication:
    if "adjudication_date" not in data:
        s: Segment = data["segment"]
        raise s.fail(None, "line adjudication without DTP*573", "DTP*573 after SVD")
    keys = set(LineAdjudication.model_fields)
    return LineAdjudication(**{k: v for k, v in data.items() if k in keys})
