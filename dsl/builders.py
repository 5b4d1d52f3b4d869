"""Build claims and remittances from analyst ``given`` blocks, with neutral defaults.

Unless a test says otherwise: a professional claim for a 40-year-old female patient
with ZIP 02139, one diagnosis J06.9, a valid rendering NPI, active coverage checked
on the date of service, and lines of 1 unit at POS 11 charged 100.00. Remittance
adjustments default to the whole 100.00 charge.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from claimflow.models import (
    Address,
    Adjustment,
    Claim,
    Coverage,
    EligibilityResult,
    Patient,
    Provider,
    RemitClaim,
    RemitLine,
    ServiceLine,
)
from dsl.plan import add_months
from dsl.runtime import RemitFacts, ScrubInput

RENDERING_NPI = "1234567893"
BILLING_NPI = "1245319599"
MEMBER_ID = "1EG4TE5MK73"  # the example Medicare Beneficiary Identifier CMS publishes


def birth_date_for(age: int, on: date) -> date:
    """A birth date that makes the patient exactly ``age`` on ``on``."""
    return add_months(on, -12 * (age + 1)) + timedelta(days=1)


def build_claim(spec: dict, payer_id: str, default_dos: date) -> ScrubInput:
    """A :class:`ScrubInput` for a ``given claim`` block.

    Args:
        spec: The facts the builder collected.
        payer_id: The ruleset under test.
        default_dos: Date of service when the test gives none.

    Returns:
        Claim, eligibility result and business dates.
    """
    dos = spec.get("date_of_service") or default_dos
    patient = spec.get("patient", {})
    coverage = spec.get("coverage", {})
    lines = spec["lines"] or [{"number": 1, "procedure": "99213"}]
    service_lines = [
        ServiceLine(
            line_number=ln["number"],
            procedure=ln["procedure"],
            modifiers=ln.get("modifiers", []),
            units=Decimal(ln.get("units", "1")),
            charge=ln.get("charge", "100.00"),
            service_date=ln.get("service_date") or dos,
            place_of_service=ln.get("pos", "11"),
            diagnosis_pointers=ln.get("pointers", [1]),
            line_control_number=f"C1V1L{ln['number']}",
            revenue_code=ln.get("revenue"),
        )
        for ln in lines
    ]
    member_id = spec.get("member_id", MEMBER_ID)
    rendering = spec.get("rendering_npi", RENDERING_NPI)
    claim = Claim(
        claim_id=1,
        patient_control_number="C1V1",
        kind=spec.get("kind", "professional"),
        frequency_code=spec.get("frequency_code", "1"),
        billing_provider=Provider(
            npi=spec.get("billing_npi", BILLING_NPI), name="Test Clinic"
        ),
        rendering_provider=Provider(npi=rendering, name="Test Doctor")
        if rendering
        else None,
        ordering_npi=spec.get("ordering_npi") or None,
        patient=Patient(
            patient_id=1,
            first_name="Test",
            last_name="Patient",
            birth_date=birth_date_for(patient.get("age", 40), dos),
            sex=patient.get("sex", "F"),
            address=Address(
                line1="1 Main St",
                city="Cambridge",
                state="MA",
                zip=patient.get("zip", "02139"),
            ),
        ),
        coverage=Coverage(
            payer_id=payer_id,
            payer_name=payer_id,
            member_id=member_id,
            plan_type=coverage.get("plan", "CI"),
        ),
        diagnoses=spec.get("diagnoses", ["J06.9"]),
        lines=service_lines,
        prior_auth_number=spec.get("prior_auth_number"),
        facility_type_code=spec.get("facility_type_code"),
    )
    as_of = max(ln.service_date for ln in service_lines)
    checked = coverage.get("checked_days_ago", 0)
    eligibility = None
    if "checked" not in coverage or coverage["checked"] is not None:
        eligibility = EligibilityResult(
            active=coverage.get("active", True),
            member_id=member_id,
            payer_id=payer_id,
            service_date=dos,
            plan_type=coverage.get("plan"),
        )
    return ScrubInput(
        claim=claim,
        eligibility=eligibility,
        eligibility_checked_on=as_of - timedelta(days=checked) if eligibility else None,
        as_of=as_of,
    )


def build_remittance(spec: dict, scrub: ScrubInput) -> RemitFacts:
    """:class:`RemitFacts` for a ``given remittance`` block.

    Status is ``4`` (denied) when nothing is paid and there is no patient
    responsibility, else ``1``.
    """
    charge = Decimal(spec.get("charge", "100.00"))
    claim_adjs, claim_remarks = [], []
    by_line: dict[int, tuple[list[Adjustment], list[str]]] = {}
    for adj in spec["adjustments"]:
        item = Adjustment(
            group=adj["group"], reason=adj["carc"], amount=adj["amount"] or charge
        )
        adjs, remarks = (claim_adjs, claim_remarks)
        if adj["line"] is not None:
            adjs, remarks = by_line.setdefault(int(adj["line"]), ([], []))
        adjs.append(item)
        if adj["rarc"]:
            remarks.append(adj["rarc"])
    everything = claim_adjs + [a for adjs, _ in by_line.values() for a in adjs]
    total = sum((a.amount for a in everything), Decimal(0))
    paid = Decimal(spec["paid"]) if "paid" in spec else max(charge - total, Decimal(0))
    pr = spec.get("patient_responsibility")
    pr = (
        Decimal(pr)
        if pr is not None
        else sum((a.amount for a in everything if a.group == "PR"), Decimal(0))
    )
    lines = [
        RemitLine(
            procedure=_procedure(scrub, number),
            charge=charge,
            paid=max(charge - sum((a.amount for a in adjs), Decimal(0)), Decimal(0)),
            adjustments=adjs,
            remarks=remarks,
            line_control_number=f"C1V1L{number}",
        )
        for number, (adjs, remarks) in sorted(by_line.items())
    ]
    remit = RemitClaim(
        patient_control_number=scrub.claim.patient_control_number,
        status_code=spec.get("status", "4" if paid == 0 and pr == 0 else "1"),
        charge=charge,
        paid=paid,
        patient_responsibility=pr,
        adjustments=claim_adjs,
        lines=lines,
        remarks=claim_remarks,
    )
    expected = spec.get("expected_amount")
    return RemitFacts(
        claim=scrub.claim,
        remit=remit,
        expected_amount=Decimal(expected) if expected else None,
    )


def _procedure(scrub: ScrubInput, number: int) -> str:
    for line in scrub.claim.lines:
        if line.line_number == number:
            return line.procedure
    return scrub.claim.lines[0].procedure
