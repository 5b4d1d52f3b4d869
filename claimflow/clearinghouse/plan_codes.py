"""The simulated payer's plan type in the code list of each answer it writes.

Claims and the roster name a plan by its claim filing indicator, the 837's SBR09
(``CI`` commercial, ``MB`` Medicare Part B, ``12`` PPO, ...). The answers use
other lists. The 835's CLP06 has most of those codes but none for commercial or
Blue Cross plans (``CI``, ``BL``); its ``ZZ`` (mutually defined) stands for a type
of insurance the list does not name. The 271's EB04 is an insurance type code
(element 1336): the same plans under other letters (``C1`` commercial, ``PR``
PPO), and there ``12`` to ``16`` mean kinds of Medicare secondary coverage, so
nothing can be copied across unread.
"""

from __future__ import annotations

# Every code of CLP06 of the 835 (005010X221A1) is an SBR09 code too, with the
# same meaning; the 835 writer refuses any other.
from claimflow.x12.x835 import CLAIM_FILING_INDICATORS as _SHARED_WITH_835

# SBR09 -> 271 EB04 (insurance type code) where the list has the same plan.
_INSURANCE_TYPE = {
    "12": "PR",  # preferred provider organization
    "13": "PS",  # point of service
    "14": "EP",  # exclusive provider organization
    "15": "IN",  # indemnity
    "16": "HN",  # HMO Medicare risk
    "BL": "C1",  # Blue Cross/Blue Shield plans are commercial coverage
    "CI": "C1",  # commercial
    "HM": "HM",  # health maintenance organization
    "MA": "MA",  # Medicare Part A
    "MB": "MB",  # Medicare Part B
    "MC": "MC",  # Medicaid
    "WC": "WC",  # workers' compensation
}


def remit_filing_indicator(plan_type: str) -> str:
    """CLP06 of the 835 for a plan named by its SBR09 code (``CI`` gives ``ZZ``)."""
    return plan_type if plan_type in _SHARED_WITH_835 else "ZZ"


def insurance_type(plan_type: str) -> str:
    """EB04 of the 271 for a plan named by its SBR09 code; ``OT`` (other) when
    the insurance type list has no such plan."""
    return _INSURANCE_TYPE.get(plan_type, "OT")
