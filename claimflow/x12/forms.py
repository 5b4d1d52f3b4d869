"""The 837 each kind of claim goes on, and writing claims on it.

An 837 transaction set follows one implementation guide: professional claims
go on an 837P (X222A1), institutional on an 837I (X223A3), dental on an 837D
(X224A2). Claims of different kinds are never written in one set.
"""

from __future__ import annotations

from claimflow.models import Claim, Provider
from claimflow.x12.envelope import Envelope
from claimflow.x12.errors import X12BuildError
from claimflow.x12.x837d import build_837d
from claimflow.x12.x837i import build_837i
from claimflow.x12.x837p import build_837p

FORMS = {"professional": "837P", "institutional": "837I", "dental": "837D"}
_BUILDERS = {
    "professional": build_837p,
    "institutional": build_837i,
    "dental": build_837d,
}


def build_837(
    claims: list[Claim],
    envelope: Envelope,
    submitter: Provider,
    receiver_name: str,
    receiver_id: str,
) -> str:
    """Write claims of one kind on the 837 of that kind.

    Raises:
        X12BuildError: the claims are of more than one kind, or the builder of
            their kind refuses one of them.
    """
    kinds = sorted({claim.kind for claim in claims})
    if len(kinds) > 1:
        raise X12BuildError(
            f"claims of kinds {', '.join(kinds)} in one 837",
            expected="claims of one kind per 837 transaction set",
        )
    build = _BUILDERS[kinds[0] if kinds else "professional"]
    return build(claims, envelope, submitter, receiver_name, receiver_id)
