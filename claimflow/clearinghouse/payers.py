"""Fee-schedule profiles the payer simulator adjudicates with.

Each profile prices a line as a percentage of the provider's charge and says what the
patient owes. The figures are synthetic, chosen to make every remittance path of a
demo visible, and describe no real payer's contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

PayerKind = Literal["medicare", "medicaid", "dual", "commercial"]

# Office/outpatient evaluation and management visits: the lines a copay applies to.
OFFICE_VISIT_CODES = frozenset(
    [f"9920{digit}" for digit in "2345"] + [f"9921{digit}" for digit in "12345"]
)

# Preventive medicine visits (new 99381-99387, established 99391-99397): no cost share.
PREVENTIVE_CODES = frozenset(
    [f"9938{digit}" for digit in "1234567"] + [f"9939{digit}" for digit in "1234567"]
)


@dataclass(frozen=True)
class PayerProfile:
    """How one payer prices claims and shares cost with the patient.

    Attributes:
        payer_id: the payer identifier claims are billed to.
        name: a display name.
        kind: medicare, medicaid, dual or commercial.
        allowed_percent: allowed amount as a percentage of the charge.
        coinsurance_percent: patient share of the allowed amount (PR-2).
        office_copay: fixed patient share of an office visit line (PR-3).
        deductible: patient share taken once from a claim that draws it (PR-1).
        deductible_rate_percent: how many claims in a hundred draw the deductible.
    """

    payer_id: str
    name: str
    kind: PayerKind
    allowed_percent: Decimal
    coinsurance_percent: Decimal = Decimal(0)
    office_copay: Decimal = Decimal("0.00")
    deductible: Decimal = Decimal("0.00")
    deductible_rate_percent: int = 0


def _commercial(payer_id: str, name: str, percent: str) -> PayerProfile:
    return PayerProfile(
        payer_id=payer_id,
        name=name,
        kind="commercial",
        allowed_percent=Decimal(percent),
        office_copay=Decimal("25.00"),
        deductible=Decimal("50.00"),
        deductible_rate_percent=25,
    )


PROFILES: dict[str, PayerProfile] = {
    profile.payer_id: profile
    for profile in (
        PayerProfile("MEDICARE", "Medicare", "medicare", Decimal(55), Decimal(20)),
        PayerProfile("MEDICAID", "Medicaid", "medicaid", Decimal(45)),
        PayerProfile("DUAL", "Dual Eligible", "dual", Decimal(50), Decimal(20)),
        _commercial("HUMANA", "Humana", "68"),
        _commercial("BCBS", "Blue Cross Blue Shield", "75"),
        _commercial("UHC", "UnitedHealthcare", "72"),
        _commercial("AETNA", "Aetna", "70"),
        _commercial("CIGNA", "Cigna Health", "65"),
        _commercial("ANTHEM", "Anthem", "78"),
    )
}

# Any other payer is priced as a generic commercial plan.
DEFAULT_PROFILE = _commercial("COMMERCIAL", "Commercial payer", "70")

_NAME_HINTS = {
    "DUAL": "DUAL",
    "MEDICARE": "MEDICARE",
    "MEDICAID": "MEDICAID",
    "HUMANA": "HUMANA",
    "BLUE CROSS": "BCBS",
    "UNITED": "UHC",
    "AETNA": "AETNA",
    "CIGNA": "CIGNA",
    "ANTHEM": "ANTHEM",
}


def payer_profile(payer_id: str, payer_name: str = "") -> PayerProfile:
    """Return the profile for a payer, matched by id first and then by name.

    Args:
        payer_id: the payer id as billed (case does not matter).
        payer_name: the payer's name, used when the id is not one of ours.

    Returns:
        The matching profile, or ``DEFAULT_PROFILE`` for an unknown payer.
    """
    found = PROFILES.get(payer_id.strip().upper())
    if found is not None:
        return found
    name = payer_name.upper()
    for hint, key in _NAME_HINTS.items():
        if hint in name:
            return PROFILES[key]
    return DEFAULT_PROFILE
