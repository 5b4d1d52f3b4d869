"""What the Synthea intake plans and what it did."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from claimflow.models import Address, Claim, Coverage, Model, Provider


class PlannedPatient(Model):
    """The patient as the ledger keeps them (the sample's own birth date)."""

    key: str  # the ledger's external key; never the Synthea UUID
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    address: Address


class PlannedClaim(Model):
    """One billable encounter, ready for ``Ledger.create_claim``.

    ``claim.patient.patient_id`` is 0 until ``intake`` replaces it with the
    ledger's patient id; ``claim.claim_id`` and the control numbers are
    placeholders the ledger assigns.
    """

    encounter_key: str
    encounter_class: str
    original_start: date  # the sample's date of service
    shift_days: int = 0  # days added by re-dating (whole weeks)
    patient: PlannedPatient
    coverage: Coverage  # the sample's span, for the ledger's coverages table
    x12_payer_id: str
    # The span's secondary payer, when it is one we bill (the sample's span).
    secondary_coverage: Coverage | None = None
    secondary_x12_payer_id: str | None = None
    billing_provider: Provider
    rendering_provider: Provider
    claim: Claim
    notes: list[str] = Field(default_factory=list)  # codes left off, and why


class Unbillable(Model):
    """An encounter that gets no claim, with the plain reason."""

    encounter_key: str
    start: date  # the sample's date
    encounter_class: str
    encounter_code: str
    reason: str


class IntakePlan(Model):
    """Claims to create and encounters that cannot be billed."""

    as_of: date | None = None
    considered: int  # encounters looked at, in start-time order, up to the last
    # of the first ``limit`` billable ones (all of them without a limit)
    claims: list[PlannedClaim] = Field(default_factory=list)
    unbillable: list[Unbillable] = Field(default_factory=list)


class IntakeResult(Model):
    """What ``intake`` did: claim ids in plan order, and what was not billed."""

    claim_ids: list[int] = Field(default_factory=list)
    created: int = 0
    already_there: int = 0
    unbillable: list[Unbillable] = Field(default_factory=list)
