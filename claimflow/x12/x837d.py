"""837D dental claims, implementation guide 005010X224A2.

The 837D shares the 837P's loops for submitter, receiver, billing provider,
subscriber and patient, and its CLM; it differs in the claim's DN1/DN2
(orthodontic months, missing teeth), an optional diagnosis segment of at most
four codes, and SV3 lines followed by their teeth (``claimflow.x12.dental``).
It is validated against the X224A2 map claimflow ships in
``claimflow/x12/maps``; :func:`claimflow.x12.x837p.parse_837` reads it back.
"""

from __future__ import annotations

from claimflow.models import Claim, Provider
from claimflow.x12 import cob, dental, x837p
from claimflow.x12.envelope import Envelope, Writer

VERSION = "005010X224A2"
_MAX_DIAGNOSES = 4  # X224A2 loop 2300 HI: a principal and three others


def build_837d(
    claims: list[Claim],
    envelope: Envelope,
    submitter: Provider,
    receiver_name: str,
    receiver_id: str,
) -> str:
    """Write dental claims as one 837D transaction set (005010X224A2).

    Loops are grouped as on the 837P. A claim without diagnoses gets no HI (the
    dental guide makes it situational); a line gets its date of service
    (DTP*472) and line control number (REF*6R). A secondary claim carries its
    earlier payers (2320/2330) and their line decisions (2430, the procedure
    named with ``AD``) as the 837P does.

    The arguments are those of :func:`claimflow.x12.build_837p`; each claim
    must be ``kind="dental"``.

    Returns:
        The interchange text.

    Raises:
        X12BuildError: A required value is missing or the claim cannot be
            written on an 837D: no claims, a claim of another kind, more than
            four diagnoses, other-payer amounts that do not balance, a line
            over the SV3/TOO limits, or any of the 837P builder's party checks.
    """
    return x837p._build_837(
        claims,
        envelope,
        submitter,
        (receiver_name, receiver_id),
        kind="dental",
        version=VERSION,
        write_claim=_claim,
    )


def _claim(w: Writer, claim: Claim) -> None:
    x837p.clm(w, claim)
    dental.write_dental_claim(w, claim.dental)
    x837p.claim_references(w, claim)
    if claim.diagnoses:
        x837p.diagnoses(w, claim, _MAX_DIAGNOSES)
    x837p.rendering_provider(w, claim)
    cob.write_other_payers(w, claim)
    for line in claim.lines:
        w.add("LX", str(line.line_number))
        dental.write_dental_line(w, line, claim.place_of_service)
        dental.write_dental_line_dates(w, line)
        w.add("REF", "6R", line.line_control_number)
        cob.write_line_adjudications(w, line, "dental")
