"""What a 271 eligibility answer means, in words a biller reads.

A payer that cannot answer a 270 inquiry does not say "inactive": it sends an
AAA segment whose AAA03 (reject reason) says why the request itself failed,
most often that it could not match the member. Those reasons need different
work from a lapsed coverage (fix the member ID or name, call the payer, try
again later), so the eligibility hold names the reason, not only its code.

The table lists the AAA03 values of the X12 5010 271 (005010X279A1) that the
2100A-2100D loops use, with our own short wording.
"""

from __future__ import annotations

# AAA03 reject reason codes of the 271, by code.
AAA_REJECT_REASONS: dict[str, str] = {
    "15": "required application data missing",
    "41": "authorization or access restrictions",
    "42": "the payer is unable to respond now",
    "43": "invalid or missing provider identification",
    "44": "invalid or missing provider name",
    "45": "invalid or missing provider specialty",
    "46": "invalid or missing provider phone number",
    "47": "invalid or missing provider state",
    "48": "invalid or missing referring provider identification",
    "49": "provider is not the primary care physician",
    "50": "provider not eligible for inquiries",
    "51": "provider not on file",
    "52": "service dates not within the provider's plan enrollment",
    "56": "inappropriate date",
    "57": "invalid or missing date of service",
    "58": "invalid or missing date of birth",
    "60": "date of birth after the date of service",
    "61": "date of death before the date of service",
    "62": "date of service outside the allowed inquiry period",
    "63": "date of service in the future",
    "64": "invalid or missing patient ID",
    "65": "invalid or missing patient name",
    "66": "invalid or missing patient gender",
    "67": "patient not found",
    "68": "duplicate patient ID",
    "69": "inconsistent with the patient's age",
    "70": "inconsistent with the patient's gender",
    "71": "birth date does not match the payer's record of the patient",
    "72": "invalid or missing member ID",
    "73": "invalid or missing subscriber name",
    "74": "invalid or missing subscriber gender",
    "75": "subscriber not found",
    "76": "duplicate subscriber ID",
    "77": "subscriber found, patient not found",
    "78": "subscriber not in the group or plan named",
    "79": "invalid participant identification",
    "80": "no response received; transaction terminated",
    "97": "invalid or missing provider address",
    "T4": "payer name or identifier missing",
}


def reject_reason(code: str) -> str:
    """The AAA03 code in words, then the code: ``invalid ... ID (AAA 72)``.

    A code outside the table is named as such rather than guessed at.
    """
    meaning = AAA_REJECT_REASONS.get(code, "a reject reason code we do not know")
    return f"{meaning} (AAA {code})"
