"""Encounter intake: turning source records into claims in the ledger."""

from claimflow.intake.results import (
    IntakePlan,
    IntakeResult,
    PlannedClaim,
    PlannedPatient,
    Unbillable,
)
from claimflow.intake.synthea import intake, load_synthea, plan_claims

__all__ = [
    "IntakePlan",
    "IntakeResult",
    "PlannedClaim",
    "PlannedPatient",
    "Unbillable",
    "intake",
    "load_synthea",
    "plan_claims",
]
