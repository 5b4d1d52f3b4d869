"""Pure adjudication: one claim and a payer profile in, one 835 claim loop out.

Nothing here reads a clock, a file or an unseeded random source: the same claim, payer
and seed always give the same ``RemitClaim``.

How a claim is priced, line by line:

* allowed = the payer's percentage of the charge, rounded half up to the cent;
  the difference is written off as CO-45;
* the patient's share comes out of the allowed amount: 20 % coinsurance (PR-2) for
  Medicare and dual-eligible plans, a copay (PR-3) on office visits and, for one claim
  in four, a deductible (PR-1) for commercial plans, nothing for Medicaid, and nothing
  on preventive visits for anyone;
* paid = allowed - patient share.

The denial mix puts each claim in a bucket from its seed: 8 % CO-16 (claim lacks
information, RARC M76 or N290, only on an original first version; the corrected claim
is paid), 5 % CO-97 on the second line (bundled; on a one-line claim, its only line),
4 % CO-50 on one line, and everything else paid. The bucket is a golden-ratio (Weyl)
sequence over the seed rather than a random draw, so consecutive claim ids spread
evenly and a 40-claim demo meets every path.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from claimflow.clearinghouse.payers import (
    OFFICE_VISIT_CODES,
    PREVENTIVE_CODES,
    PayerProfile,
)
from claimflow.clearinghouse.plan_codes import remit_filing_indicator
from claimflow.models import (
    Adjustment,
    Claim,
    RemitClaim,
    RemitLine,
    ServiceLine,
    money,
)

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

_PCN = re.compile(r"^C(\d+)V(\d+)$")

# Bucket boundaries in millionths of the unit interval.
_CO16_BELOW = 80_000
_CO97_BELOW = 130_000
_CO50_BELOW = 170_000
_WEYL_STEP = 618_034  # the golden ratio's fractional part, in millionths


@dataclass(frozen=True)
class Decision:
    """What happens to a claim before it is priced.

    Attributes:
        kind: ``pay``, ``deny_claim`` (every line denied) or ``deny_line``.
        group: CAS group of the denial.
        carc: claim adjustment reason code of the denial.
        line_index: index into ``claim.lines`` of the denied line (``deny_line``).
        remarks: RARCs sent with the denied lines (LQ*HE).
        patient_share: when set, replaces the payer's cost share with this total,
            taken as deductible (PR-1) from the paid lines in order.
    """

    kind: str = "pay"
    group: str = "CO"
    carc: str = ""
    line_index: int | None = None
    remarks: tuple[str, ...] = field(default_factory=tuple)
    patient_share: Decimal | None = None


PAY = Decision()


def claim_seed(claim: Claim) -> int:
    """Return the adjudication seed of a claim, shared by all its versions.

    The seed is the claim id read from a ``C<id>V<version>`` patient control number,
    so a corrected claim draws the same bucket as its original. Any other control
    number is hashed.

    Args:
        claim: the claim as billed.

    Returns:
        A non-negative integer.
    """
    matched = _PCN.match(claim.patient_control_number)
    if matched:
        return int(matched.group(1))
    digest = hashlib.sha256(claim.patient_control_number.encode()).hexdigest()
    return int(digest[:12], 16)


def _version(claim: Claim) -> int:
    matched = _PCN.match(claim.patient_control_number)
    return int(matched.group(2)) if matched else claim.version


def mix_bucket(seed: int) -> int:
    """Return the seed's position in the unit interval, in millionths."""
    return (seed * _WEYL_STEP) % 1_000_000


def seeded_decision(claim: Claim, seed: int) -> Decision:
    """Return the denial-mix decision for a claim.

    Args:
        claim: the claim as billed.
        seed: its adjudication seed (see ``claim_seed``).

    Returns:
        ``PAY`` or the denial the seed's bucket calls for.
    """
    bucket = mix_bucket(seed)
    rng = random.Random(seed)
    if bucket < _CO16_BELOW:
        if claim.frequency_code == "1" and _version(claim) == 1:
            rarc = rng.choice(("M76", "N290"))
            return Decision("deny_claim", "CO", "16", remarks=(rarc,))
        return PAY
    if bucket < _CO97_BELOW:
        # Bundled into another service: the second line of a claim that has one,
        # else the only line (bundled into a service on another claim).
        index = 1 if len(claim.lines) > 1 else 0
        return Decision("deny_line", "CO", "97", line_index=index, remarks=("M15",))
    if bucket < _CO50_BELOW:
        return Decision(
            "deny_line", "CO", "50", line_index=rng.randrange(len(claim.lines))
        )
    return PAY


def _denied(decision: Decision, index: int) -> bool:
    if decision.kind == "deny_claim":
        return True
    return decision.kind == "deny_line" and decision.line_index == index


def _cost_share(
    procedure: str, allowed: Decimal, payer: PayerProfile, deductible_left: Decimal
) -> list[Adjustment]:
    """The payer's patient share of one line, as PR adjustments."""
    if procedure in PREVENTIVE_CODES or allowed <= ZERO:
        return []
    shares: list[Adjustment] = []
    left = allowed
    if payer.coinsurance_percent > 0:
        coinsurance = money(allowed * payer.coinsurance_percent / HUNDRED)
        shares.append(Adjustment(group="PR", reason="2", amount=coinsurance))
        left -= coinsurance
    if payer.office_copay > 0 and procedure in OFFICE_VISIT_CODES:
        copay = min(payer.office_copay, left)
        shares.append(Adjustment(group="PR", reason="3", amount=copay))
        left -= copay
    if deductible_left > 0 and left > 0:
        shares.append(
            Adjustment(group="PR", reason="1", amount=min(deductible_left, left))
        )
    return [share for share in shares if share.amount > 0]


def _draws_deductible(payer: PayerProfile, seed: int) -> bool:
    # A separate stream from the denial choices, so adding a payer setting never
    # moves a claim to another denial bucket.
    rng = random.Random(f"deductible:{seed}")
    return rng.randrange(100) < payer.deductible_rate_percent


def adjudicate(
    claim: Claim,
    payer: PayerProfile,
    seed: int,
    decision: Decision | None = None,
) -> RemitClaim:
    """Price and adjudicate one claim as the payer would.

    Args:
        claim: the claim as billed.
        payer: the profile that prices it.
        seed: its adjudication seed (see ``claim_seed``).
        decision: overrides the seeded denial mix (test scenarios).

    Returns:
        The claim's 835 loop. It balances: charge - paid equals the sum of its
        adjustments, and ``patient_responsibility`` equals the sum of its PR
        adjustments. CLP02 is 4 when every line is denied, else 1.
    """
    if decision is None:
        decision = seeded_decision(claim, seed)
    if decision.patient_share is not None:
        deductible_left = decision.patient_share
    elif payer.deductible > 0 and _draws_deductible(payer, seed):
        deductible_left = payer.deductible
    else:
        deductible_left = ZERO
    lines: list[RemitLine] = []
    for index, line in enumerate(claim.lines):
        if _denied(decision, index):
            adjustments = [
                Adjustment(
                    group=decision.group, reason=decision.carc, amount=line.charge
                )
            ]
            remarks = list(decision.remarks)
            paid = ZERO
        else:
            allowed = min(
                line.charge, money(line.charge * payer.allowed_percent / HUNDRED)
            )
            adjustments = []
            if line.charge > allowed:
                adjustments.append(
                    Adjustment(group="CO", reason="45", amount=line.charge - allowed)
                )
            if decision.patient_share is not None:
                take = min(deductible_left, allowed)
                shares = (
                    [Adjustment(group="PR", reason="1", amount=take)] if take else []
                )
            else:
                shares = _cost_share(line.procedure, allowed, payer, deductible_left)
            deductible_left -= sum(
                (share.amount for share in shares if share.reason == "1"), ZERO
            )
            adjustments.extend(shares)
            remarks = []
            paid = allowed - sum((share.amount for share in shares), ZERO)
        lines.append(
            RemitLine(
                **service_code(claim, line),
                charge=line.charge,
                paid=paid,
                units=line.units,
                service_date=line.service_date,
                line_control_number=line.line_control_number,
                adjustments=adjustments,
                remarks=remarks,
            )
        )
    all_denied = all(_denied(decision, index) for index in range(len(claim.lines)))
    patient_share = sum(
        (
            adjustment.amount
            for line in lines
            for adjustment in line.adjustments
            if adjustment.group == "PR"
        ),
        ZERO,
    )
    return RemitClaim(
        patient_control_number=claim.patient_control_number,
        status_code="4" if all_denied else "1",
        charge=claim.total_charge,
        paid=money(sum((line.paid for line in lines), ZERO)),
        patient_responsibility=money(patient_share),
        filing_indicator=remit_filing_indicator(claim.coverage.plan_type),
        payer_claim_number=payer_claim_number(claim.patient_control_number),
        facility_type_code=facility_code(claim),
        lines=lines,
        service_from=claim.from_date,
        service_through=claim.through_date,
    )


def service_code(claim: Claim, line: ServiceLine) -> dict:
    """How an 835 SVC names the line the claim billed, by the claim's kind.

    A dental line is its CDT code (``AD``); an institutional line is its
    HCPCS code with the revenue code in SVC04, or only its revenue code
    (``NU``) when it was billed without one; anything else is ``HC``.
    """
    if claim.kind == "dental":
        return dict(qualifier="AD", procedure=line.procedure)
    if claim.kind == "institutional" and not line.procedure:
        return dict(qualifier="NU", procedure=line.revenue_code or "")
    return dict(
        qualifier="HC",
        procedure=line.procedure,
        modifiers=list(line.modifiers),
        revenue_code=line.revenue_code if claim.kind == "institutional" else None,
    )


def facility_code(claim: Claim) -> str | None:
    """CLP08: the facility type an institutional claim was billed with."""
    return claim.facility_type_code if claim.kind == "institutional" else None


def payer_claim_number(patient_control_number: str) -> str:
    """Return the payer's claim number (CLP07, 277CA REF*1K) for a claim version.

    Args:
        patient_control_number: the claim version's CLM01.

    Returns:
        A 14-character reference derived from the control number only.
    """
    digest = hashlib.sha256(patient_control_number.encode()).hexdigest()
    return "SIM" + digest[:11].upper()
