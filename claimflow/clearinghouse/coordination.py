"""Coordination of benefits: how the simulated secondary payer adjudicates a claim.

A claim that carries an earlier payer's decisions (837 loops 2320 and 2430) is not
priced against its charge a second time. Each line is settled against what the
earlier payer left to the patient on it:

* what the earlier payer paid and adjusted (everything but its PR) comes back as
  OA-23, the impact of the prior payer's adjudication, so the line still balances;
* the patient's remaining liability on the line is the earlier payer's PR;
* the secondary pays that liability less its own cost share on it: its coinsurance
  percentage (PR-2), then its office copay on an office visit line (PR-3).

A Medicaid secondary (no cost share) pays the whole remaining liability; a
Medicare or dual secondary leaves 20 % of it; a commercial one leaves its copay on
an office visit. The seeded denial mix does not apply to secondary claims; a test
scenario can still deny one. CLP02 is 2 (processed as secondary) or 3 (tertiary).
"""

from __future__ import annotations

from decimal import Decimal

from claimflow.clearinghouse.adjudication import (
    HUNDRED,
    ZERO,
    facility_code,
    payer_claim_number,
    service_code,
)
from claimflow.clearinghouse.payers import OFFICE_VISIT_CODES, PayerProfile
from claimflow.clearinghouse.plan_codes import remit_filing_indicator
from claimflow.models import (
    Adjustment,
    Claim,
    RemitClaim,
    RemitLine,
    ServiceLine,
    money,
)

PRIOR_PAYER = Adjustment(group="OA", reason="23", amount=Decimal("0.00"))
# CLP02 by how many payers adjudicated the claim before this one.
_PROCESSED_AS = {1: "2", 2: "3"}


def remaining_liability(line: ServiceLine) -> Decimal:
    """What the latest earlier payer left to the patient on a line (its PR)."""
    if not line.adjudications:
        return ZERO
    latest = line.adjudications[-1]
    return money(sum((a.amount for a in latest.adjustments if a.group == "PR"), ZERO))


def _settle_line(claim: Claim, line: ServiceLine, payer: PayerProfile) -> RemitLine:
    owed = remaining_liability(line)
    shares: list[Adjustment] = []
    left = owed
    if payer.coinsurance_percent > 0 and left > 0:
        coinsurance = money(left * payer.coinsurance_percent / HUNDRED)
        shares.append(Adjustment(group="PR", reason="2", amount=coinsurance))
        left -= coinsurance
    if payer.office_copay > 0 and line.procedure in OFFICE_VISIT_CODES and left > 0:
        copay = min(payer.office_copay, left)
        shares.append(Adjustment(group="PR", reason="3", amount=copay))
        left -= copay
    prior = line.charge - owed
    adjustments = [PRIOR_PAYER.model_copy(update={"amount": prior})] if prior else []
    adjustments += [share for share in shares if share.amount > 0]
    return RemitLine(
        **service_code(claim, line),
        charge=line.charge,
        paid=left,
        units=line.units,
        service_date=line.service_date,
        line_control_number=line.line_control_number,
        adjustments=adjustments,
    )


def adjudicate_secondary(claim: Claim, payer: PayerProfile) -> RemitClaim:
    """Settle a claim the earlier payers have adjudicated, as a secondary payer.

    Args:
        claim: the claim as billed, with ``other_payers`` and line adjudications.
        payer: the profile of the payer billed now.

    Returns:
        The claim's 835 loop. It balances: on each line, paid + OA-23 + PR equals
        the charge; ``patient_responsibility`` is the PR left after this payer.
    """
    lines = [_settle_line(claim, line, payer) for line in claim.lines]
    patient = sum(
        (a.amount for line in lines for a in line.adjustments if a.group == "PR"),
        ZERO,
    )
    return RemitClaim(
        patient_control_number=claim.patient_control_number,
        status_code=_PROCESSED_AS.get(len(claim.other_payers), "3"),
        charge=claim.total_charge,
        paid=money(sum((line.paid for line in lines), ZERO)),
        patient_responsibility=money(patient),
        filing_indicator=remit_filing_indicator(claim.coverage.plan_type),
        payer_claim_number=payer_claim_number(claim.patient_control_number),
        facility_type_code=facility_code(claim),
        lines=lines,
        service_from=claim.from_date,
        service_through=claim.through_date,
    )
