"""Synthetic identifiers derived deterministically from Synthea UUIDs.

* NPIs: ten digits whose last is the Luhn check digit computed over the
  prefix ``80840`` followed by the first nine digits (the NPI rule). People
  get NPIs starting with 1, organizations with 2. The other eight digits come
  from a SHA-256 of the UUID.
* Tax IDs (organizations only): ``99`` then seven digits from the same hash;
  no real EIN is implied.
* Keys: the ledger gets ``synthea-patient:<hash>`` and
  ``synthea-encounter:<hash>`` keys, so a Synthea UUID is never stored or
  shown by claimflow.
* ZIPs: organizations bill with nine-digit ZIPs. A five-digit ZIP gets the
  fixed ``+4`` ``0001``; Synthea's four-digit ZIPs (leading zero lost) get the
  zero back; a ZIP+4 keeps its own four digits.
"""

from __future__ import annotations

import hashlib

NPI_PREFIX = "80840"
ZIP_PLUS4 = "0001"


def _digits(text: str, salt: str, count: int) -> str:
    digest = hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()
    return str(int(digest, 16))[-count:].zfill(count)


def luhn_check_digit(number: str) -> str:
    """Return the Luhn check digit for ``number`` (digits only)."""
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """Whether ``npi`` is ten digits with a correct check digit."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    return luhn_check_digit(NPI_PREFIX + npi[:9]) == npi[9]


def synthetic_npi(uuid: str, organization: bool) -> str:
    """Return the NPI claimflow uses for a Synthea provider or organization."""
    body = ("2" if organization else "1") + _digits(uuid, "npi", 8)
    return body + luhn_check_digit(NPI_PREFIX + body)


def synthetic_tax_id(uuid: str) -> str:
    """Return a nine-digit synthetic tax ID for a Synthea organization."""
    return "99" + _digits(uuid, "tin", 7)


# MBI letters: the alphabet without S, L, O, I, B and Z (CMS leaves them out).
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_MBI_SHAPE = "NAXNAXNAANN"  # N digit (the first 1-9), A letter, X either


def synthetic_mbi(member_id: str) -> str:
    """Return an 11-character Medicare Beneficiary Identifier for a member ID.

    The sample's Medicare member IDs are UUIDs, which no Medicare claim may
    carry; this one has the MBI's shape (digits, letters and either in CMS's
    positions) and comes from a hash of the sample's ID, so a re-run gets the
    same MBI. It names no real beneficiary.
    """
    value = int(hashlib.sha256(f"mbi:{member_id}".encode()).hexdigest(), 16)
    out = []
    for position, kind in enumerate(_MBI_SHAPE):
        if kind == "N":
            choices = "123456789" if position == 0 else "0123456789"
        elif kind == "A":
            choices = _MBI_LETTERS
        else:
            choices = _MBI_LETTERS + "0123456789"
        value, index = divmod(value, len(choices))
        out.append(choices[index])
    return "".join(out)


def secondary_member_id(member_id: str, payer_id: str) -> str:
    """Return a synthetic member ID for a patient's secondary coverage.

    The sample names the secondary payer of a coverage span but not the
    patient's member ID with it; this one is derived from the primary's member
    ID and the payer, so a re-run gets the same ID.
    """
    return "S" + _digits(f"{member_id}:{payer_id}", "secondary-member", 11)


def patient_key(uuid: str) -> str:
    """Return the ledger's external key for a Synthea patient."""
    return "synthea-patient:" + hashlib.sha256(uuid.encode()).hexdigest()[:24]


def encounter_key(uuid: str) -> str:
    """Return the ledger's encounter key for a Synthea encounter."""
    return "synthea-encounter:" + hashlib.sha256(uuid.encode()).hexdigest()[:24]


def zip9(zip_code: str) -> str:
    """Return a nine-digit ZIP for a billing address (see the module docstring)."""
    digits = zip_code.replace("-", "").strip()
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) == 5:
        digits += ZIP_PLUS4
    return digits


def zip5(zip_code: str) -> str:
    """Return a five-digit ZIP (Synthea drops leading zeros)."""
    return zip_code.replace("-", "").strip()[:5].zfill(5) if zip_code else ""
