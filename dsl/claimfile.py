"""Claims from JSON files: for `given claim from file` and `rules explain`.

A file holds either a whole scrub input (``{"claim": ..., "eligibility": ...,
"eligibility_checked_on": ..., "as_of": ...}``, the JSON of
:class:`~dsl.runtime.ScrubInput`) or a bare :class:`~claimflow.models.Claim`. A bare
claim gets the neutral facts an analyst test would: an active 271 for the claim's
payer and member on its first date of service, checked on its last date of
service, which is also the as-of date.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from claimflow.models import Claim, EligibilityResult
from dsl.runtime import ScrubInput


class ClaimFileError(ValueError):
    """A claim file is missing or does not hold a claim."""


def scrub_input_for(
    claim: Claim,
    eligibility: EligibilityResult | None = None,
    as_of: date | None = None,
    checked_on: date | None = None,
) -> ScrubInput:
    """A scrub input for ``claim``, with neutral eligibility facts where none given.

    Args:
        claim: The claim.
        eligibility: The latest 271 outcome; an active one when ``None``.
        as_of: The business date; the claim's last date of service when ``None``.
        checked_on: When eligibility was checked; ``as_of`` when ``None``.

    Returns:
        The input :meth:`~dsl.runtime.CompiledRuleset.scrub` takes.
    """
    day = as_of or claim.through_date
    if eligibility is None:
        eligibility = EligibilityResult(
            active=True,
            member_id=claim.coverage.member_id,
            payer_id=claim.coverage.payer_id,
            service_date=claim.from_date,
        )
    return ScrubInput(
        claim=claim,
        eligibility=eligibility,
        eligibility_checked_on=checked_on or day,
        as_of=day,
    )


def load_scrub_input(path: Path) -> ScrubInput:
    """Read a claim file.

    Args:
        path: A JSON file with a scrub input or a bare claim.

    Returns:
        The scrub input.

    Raises:
        ClaimFileError: The file is missing, is not JSON, or is not a claim.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClaimFileError(f"Claim file `{path}` was not found") from None
    except json.JSONDecodeError as exc:
        raise ClaimFileError(f"Claim file `{path}` is not JSON: {exc.msg}") from None
    try:
        if isinstance(data, dict) and "claim" in data:
            return ScrubInput.model_validate(data)
        return scrub_input_for(Claim.model_validate(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise ClaimFileError(
            f"Claim file `{path}` is not a claim: {where}: {first['msg']}"
        ) from None
