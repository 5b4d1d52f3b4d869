"""Posting rules as pure functions: balance checks, hashes, what is a denial.

Nothing here reads the database; the ledger and the reports share these.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

# CARC 23 restates the primary's adjudication, already on the claim's account;
# it is defined beside RemitLine.is_denied, the shared denied-line rule.
from claimflow.models import PRIOR_PAYER_CARC as PRIOR_PAYER_CARC
from claimflow.models import Adjustment, RemitClaim, Remittance, money

PATIENT_GROUP = "PR"
REVERSAL = "22"
DENIED = "4"

# How each journal entry kind counts. "pr_assessed" is a memo of what the payer
# said the patient owes; it counts once "transfer_to_patient" moves it.
# "denial" is a memo of the adjustments of a denied claim, or of a denied line
# of a claim otherwise paid (see claimflow.ledger._memo): the charge stays owed.
# "provider_adjustment", "forward_balance" and "plb_suspense" are on the
# provider, not a claim. "credit_applied" moves a patient's unapplied credit
# onto a claim's patient balance: the money was counted as "patient_payment".
BILLED = ("charge", "charge_adjustment")
PAID = ("payer_payment",)
# Money a PLB takes back from a claim's payment (positive): a WO recoupment, or
# a 72 authorized return (the provider refunded the payer).
RECOUPED = ("recoupment", "authorized_return")
ADJUSTED = ("adjustment", "write_off")
TO_PATIENT = ("transfer_to_patient",)
# A memo: the part of the patient responsibility the primary assessed that went
# on to the secondary payer (coordination of benefits) instead of the patient.
# The charge stays outstanding, owed by the secondary; ``bill_patient`` moves
# only the PR assessed less these transfers.
TO_SECONDARY = ("transfer_to_secondary",)
_TRANSFER = "cob-transfer"


def transfer_key(claim_id: int, secondary_id: int) -> str:
    """The entry key of the PR moved from a claim to its secondary claim.

    Entries that take the transfer back carry this key and a suffix.
    """
    return f"{_TRANSFER}:{claim_id}:{secondary_id}"


def transfer_target(entry_key: str) -> int | None:
    """The secondary claim a ``transfer_to_secondary`` entry moved PR to."""
    parts = entry_key.split(":")
    if len(parts) < 3 or parts[0] != _TRANSFER:
        return None
    return int(parts[2])


PATIENT_PAID = ("patient_payment",)
_ENVELOPE = {
    "interchange_control_number",
    "group_control_number",
    "transaction_control_number",
}


def content_hash(remittance: Remittance) -> str:
    """SHA-256 of the whole transaction as parsed, envelope numbers included."""
    return hashlib.sha256(remittance.model_dump_json().encode()).hexdigest()


def body_hash(remittance: Remittance) -> str:
    """SHA-256 of the transaction without ISA13, GS06 and ST02.

    The same payment reissued in a new envelope (a resent file, another file
    name, new control numbers) has the same body hash and trace number.
    """
    body = remittance.model_dump_json(exclude=_ENVELOPE)
    return hashlib.sha256(body.encode()).hexdigest()


def is_denial(
    status_code: str,
    paid: Decimal,
    line_paid: list[Decimal],
    groups: list[str],
) -> bool:
    """Whether a CLP is a denial.

    A denial is CLP02 4, or nothing paid (on every line, or on the claim when
    there are no lines) with an adjustment other than patient responsibility.
    A reversal (CLP02 22) is never a denial.

    Args:
        status_code: CLP02.
        paid: CLP04.
        line_paid: SVC03 of each service line.
        groups: The group codes of every adjustment, claim and line level.
    """
    if status_code == REVERSAL:
        return False
    nothing_paid = all(p == 0 for p in line_paid) if line_paid else paid == 0
    other = any(group != PATIENT_GROUP for group in groups)
    return status_code == DENIED or (nothing_paid and other)


def _total(adjustments: list[Adjustment]) -> Decimal:
    return money(sum((a.amount for a in adjustments), Decimal(0)))


def claim_adjustment_total(clp: RemitClaim) -> Decimal:
    """Every CAS amount of a CLP, claim and line level, every group.

    When the CLP has no PR adjustment at all, CLP05 stands for it, as it does
    when the CLP is posted.
    """
    found = clp.all_adjustments()
    total = _total(found)
    if not any(a.group == PATIENT_GROUP for a in found):
        total += clp.patient_responsibility
    return money(total)


def claim_differences(clp: RemitClaim, sequence: int) -> list[str]:
    """Say where a CLP's own figures do not balance (empty when they do).

    A CLP balances when charge less paid equals its adjustments; each service
    line when its charge less paid equals the line's adjustments.
    """
    found = []
    where = f"CLP {sequence} ({clp.patient_control_number})"
    owed = money(clp.charge - clp.paid)
    adjusted = claim_adjustment_total(clp)
    if owed != adjusted:
        found.append(
            f"{where}: charge {clp.charge} less paid {clp.paid} is {owed} but "
            f"adjustments total {adjusted}, off by {money(owed - adjusted)}"
        )
    for number, line in enumerate(clp.lines, start=1):
        line_owed = money(line.charge - line.paid)
        line_adjusted = _total(line.adjustments)
        if line_owed != line_adjusted:
            found.append(
                f"{where} line {number}: charge {line.charge} less paid "
                f"{line.paid} is {line_owed} but adjustments total "
                f"{line_adjusted}, off by {money(line_owed - line_adjusted)}"
            )
    return found


def deposit_difference(remittance: Remittance) -> Decimal:
    """BPR02 less (claim payments less PLB amounts); zero when it reconciles."""
    claims = sum((clp.paid for clp in remittance.claims), Decimal(0))
    plb = sum((adj.amount for adj in remittance.provider_adjustments), Decimal(0))
    return money(remittance.payment_amount - (claims - plb))


def deposit_wording(payment: Decimal, claims: Decimal, plb: Decimal) -> list[str]:
    """Say how a deposit misses claim payments less PLB (empty when it does not).

    Args:
        payment: BPR02.
        claims: The sum of CLP04.
        plb: The sum of the PLB amounts.
    """
    difference = money(payment - (claims - plb))
    if not difference:
        return []
    return [
        f"payment {payment} but claim payments {claims} less provider "
        f"adjustments {plb} is {money(claims - plb)}, off by {difference}"
    ]


def transaction_differences(remittance: Remittance) -> list[str]:
    """Every way the transaction's own figures fail to balance, in plain words."""
    claims = money(sum((clp.paid for clp in remittance.claims), Decimal(0)))
    plb = money(
        sum((adj.amount for adj in remittance.provider_adjustments), Decimal(0))
    )
    found = deposit_wording(remittance.payment_amount, claims, plb)
    for sequence, clp in enumerate(remittance.claims, start=1):
        found.extend(claim_differences(clp, sequence))
    return found
