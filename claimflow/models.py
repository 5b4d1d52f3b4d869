"""Domain models shared by the ledger, the X12 codecs, the rule engine and workflows.

Everything here is plain pydantic over the standard library, so workflow code may
import it inside the Temporal sandbox. Money is always ``Decimal`` with two places;
dates are calendar dates (dates of service, never the wall clock).
"""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

CENT = Decimal("0.01")


def patient_control_number(claim_id: int, version: int) -> str:
    """CLM01 for a claim version: unique per version, at most 17 characters, no PHI."""
    return f"C{claim_id}V{version}"


def line_control_number(claim_id: int, version: int, line_number: int) -> str:
    """REF*6R for a service line, so remittance lines match back to it."""
    return f"C{claim_id}V{version}L{line_number}"


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a Decimal rounded to the cent (half up, as remits are)."""
    if isinstance(value, float):
        raise TypeError("money must never be a float; pass a str, int or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _dump_money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


# Serialised as a string with two decimals, so JSON never carries a float.
Money = Annotated[Decimal, PlainSerializer(_dump_money, return_type=str)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class ClaimStatus(StrEnum):
    """What an ops person sees in the ``ClaimStatus`` search attribute."""

    INTAKE = "intake"
    ELIGIBILITY_HOLD = "eligibility_hold"
    SCRUB_HOLD = "scrub_hold"
    READY = "ready"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    APPEALED = "appealed"
    PATIENT_BILLING = "patient_billing"
    # The primary's patient share went to the secondary payer's claim.
    SECONDARY_BILLED = "secondary_billed"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"
    VOIDED = "voided"


FINAL_STATUSES = frozenset(
    {ClaimStatus.CLOSED, ClaimStatus.WRITTEN_OFF, ClaimStatus.VOIDED}
)


# --------------------------------------------------------------------------- parties


class Address(Model):
    line1: str
    city: str
    state: str
    zip: str


class Provider(Model):
    """A billing or rendering provider. NPIs are synthetic (Luhn-valid) here."""

    npi: str
    name: str
    tax_id: str | None = None
    taxonomy: str | None = None
    address: Address | None = None
    is_organization: bool = False


class Patient(Model):
    """The patient as billed on one claim version."""

    patient_id: int
    first_name: str
    last_name: str
    birth_date: date
    sex: Literal["M", "F", "U"]
    address: Address


class Coverage(Model):
    """The insurance the claim is billed to."""

    payer_id: str
    payer_name: str
    member_id: str
    group_number: str | None = None
    relationship: str = "18"  # 18 = self; the patient is the subscriber
    plan_type: str = "CI"  # CLP06/SBR09 style claim filing indicator
    priority: Literal["primary", "secondary", "tertiary"] = "primary"
    start: date | None = None
    end: date | None = None
    # The subscriber's name when the patient is a dependent (relationship != 18);
    # the 837P subscriber loop (2010BA) requires it.
    subscriber_first_name: str | None = None
    subscriber_last_name: str | None = None


# --------------------------------------------------------------------------- claims


class ServiceLine(Model):
    line_number: int
    procedure: str  # CPT/HCPCS
    modifiers: list[str] = Field(default_factory=list)
    units: Decimal = Decimal(1)
    charge: Money
    service_date: date
    place_of_service: str = "11"
    diagnosis_pointers: list[int] = Field(default_factory=lambda: [1])
    line_control_number: str  # REF*6R, echoed back on the 835 line
    revenue_code: str | None = None  # 837I SV201; procedure may then be ""
    # 837 loop 2430: how earlier payers adjudicated this line (secondary claims).
    adjudications: list[LineAdjudication] = Field(default_factory=list)
    # 837D only: the teeth treated (TOO), the oral cavity areas (SV304, e.g.
    # "01" maxillary area) and whether a prosthesis is initial or a replacement
    # (SV305 I/R). Payers price many dental codes per tooth or per area.
    teeth: list[Tooth] = Field(default_factory=list)
    oral_cavity: list[str] = Field(default_factory=list)
    prosthesis: Literal["I", "R"] | None = None
    # 837D DTP*441: when the prosthesis this line replaces was placed.
    prior_placement_date: date | None = None

    @field_validator("charge", mode="before")
    @classmethod
    def _charge(cls, value: object) -> Decimal:
        return money(value)  # type: ignore[arg-type]


class OtherPayer(Model):
    """An earlier (or other) payer on a claim: 837 loops 2320 and 2330A/B."""

    payer_id: str
    payer_name: str
    priority: Literal["primary", "secondary", "tertiary"] = "primary"  # SBR01
    member_id: str
    subscriber_first_name: str | None = None
    subscriber_last_name: str | None = None
    relationship: str = "18"  # SBR02
    group_number: str | None = None
    plan_type: str = "CI"  # SBR09
    paid: Money | None = None  # AMT*D: what this payer paid on the claim
    remaining_patient_liability: Money | None = None  # AMT*EAF
    adjustments: list[Adjustment] = Field(default_factory=list)  # claim-level CAS
    payer_claim_number: str | None = None  # 2330B REF*F8
    adjudication_date: date | None = None  # 2330B DTP*573


class LineAdjudication(Model):
    """One earlier payer's decision on one service line: 837 loop 2430."""

    payer_id: str  # SVD01, matches OtherPayer.payer_id
    paid: Money  # SVD02
    procedure: str  # SVD03-2
    modifiers: list[str] = Field(default_factory=list)
    units: Decimal = Decimal(1)  # SVD05
    adjustments: list[Adjustment] = Field(default_factory=list)
    adjudication_date: date  # DTP*573


class Tooth(Model):
    """One tooth a dental line treats: 837D TOO with the JP tooth numbers."""

    number: str  # TOO02: 1-32 permanent, A-T primary, 51-82/AS-TS supernumerary
    surfaces: list[str] = Field(default_factory=list)  # TOO03: M O D B L I F


class ToothStatus(Model):
    """A tooth the dentist reports missing or to be extracted: 837D DN2."""

    number: str  # DN201
    status: Literal["E", "M"]  # DN202: E to be extracted, M missing


class DentalDetails(Model):
    """What an 837D says about the mouth as a whole (loop 2300).

    Orthodontic payers pay treatment in instalments over the months given in
    DN1; the missing-teeth list (DN2) decides whether a bridge or denture is
    covered.
    """

    orthodontic_months_total: int | None = None  # DN101
    orthodontic_months_remaining: int | None = None  # DN102
    tooth_status: list[ToothStatus] = Field(default_factory=list)  # DN2
    accident_date: date | None = None  # DTP*439, when an accident caused it
    # DTP*452: when the orthodontic appliance was placed (banding date).
    appliance_placement_date: date | None = None
    repricer_received_date: date | None = None  # DTP*050, set by a repricer


class DatedCode(Model):
    """A UB code that happened on a day: an occurrence code (837I HI*BH) or an
    ICD-10-PCS procedure (HI*BBR principal, HI*BBQ other)."""

    code: str
    on: date


class OccurrenceSpan(Model):
    """A UB occurrence span code with its first and last day (837I HI*BI),
    e.g. 74 a leave of absence inside the stay, 70 a qualifying stay."""

    code: str
    start: date
    end: date


class ValueCode(Model):
    """A UB value code with its amount (837I HI*BE), e.g. 80 covered days."""

    code: str
    amount: Money

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> Decimal:
        return money(value)  # type: ignore[arg-type]


class InstitutionalDetails(Model):
    """The UB-04 data of an 837I claim beyond charges and diagnoses (loop 2300).

    An inpatient bill needs the admission (date, hour, type, source) and the
    patient's status at discharge; DRG payers price the stay from the codes
    here. The principal diagnosis stays ``Claim.diagnoses[0]`` and the other
    diagnoses the rest of that list.
    """

    admission_date: date | None = None  # DTP*435
    admission_hour: time | None = None  # DTP*435 when sent as DT
    discharge_hour: time | None = None  # DTP*096
    admission_type: str | None = None  # CL101, e.g. 1 emergency, 3 elective
    admission_source: str | None = None  # CL102, e.g. 1 non-health-care point
    patient_status: str | None = None  # CL103, e.g. 01 discharged home, 30 still in
    admitting_diagnosis: str | None = None  # HI*ABJ, ICD-10-CM with the dot
    principal_procedure: DatedCode | None = None  # HI*BBR
    other_procedures: list[DatedCode] = Field(default_factory=list)  # HI*BBQ
    occurrence_codes: list[DatedCode] = Field(default_factory=list)  # HI*BH
    value_codes: list[ValueCode] = Field(default_factory=list)  # HI*BE
    condition_codes: list[str] = Field(default_factory=list)  # HI*BG
    drg: str | None = None  # HI*DR
    occurrence_spans: list[OccurrenceSpan] = Field(default_factory=list)  # HI*BI
    # Why the patient came, for an unscheduled outpatient visit: up to three
    # ICD-10-CM codes with the dot (HI*APR).
    reasons_for_visit: list[str] = Field(default_factory=list)
    external_causes: list[str] = Field(default_factory=list)  # HI*ABN, with the dot
    treatment_codes: list[str] = Field(default_factory=list)  # HI*TC
    # HI01-9 of a diagnosis (principal, other or external cause), keyed by its
    # code as in Claim.diagnoses: Y present on admission, N not, U the record
    # does not say, W clinically undetermined. A code not here is sent without.
    present_on_admission: dict[str, Literal["Y", "N", "U", "W"]] = Field(
        default_factory=dict
    )


class Claim(Model):
    """One version of a claim as it is (or will be) billed on an 837P, 837I or 837D."""

    claim_id: int
    version: int = 1
    patient_control_number: str = Field(max_length=17)
    kind: Literal["professional", "institutional", "dental"] = "professional"
    frequency_code: Literal["1", "7", "8"] = "1"
    original_payer_claim_number: str | None = None
    billing_provider: Provider
    rendering_provider: Provider | None = None
    ordering_npi: str | None = None
    patient: Patient
    coverage: Coverage
    diagnoses: list[str]  # ICD-10-CM with the dot, e.g. "J02.9"
    lines: list[ServiceLine]
    prior_auth_number: str | None = None
    encounter_id: int | None = None
    # Payers that saw the claim before (or beside) this one: 837 loops 2320/2330.
    other_payers: list[OtherPayer] = Field(default_factory=list)
    # Institutional (837I) only: CLM05-1 facility type, DTP*434 statement period.
    facility_type_code: str | None = None
    statement_from: date | None = None
    statement_through: date | None = None
    # 837I admission, discharge and the UB code sets (CL1, DTP*435/096, HI).
    institutional: InstitutionalDetails | None = None
    # 837D orthodontic months and missing teeth (DN1, DN2).
    dental: DentalDetails | None = None

    @property
    def total_charge(self) -> Decimal:
        return money(sum((line.charge for line in self.lines), Decimal(0)))

    @property
    def from_date(self) -> date:
        return min(line.service_date for line in self.lines)

    @property
    def through_date(self) -> date:
        return max(line.service_date for line in self.lines)

    @property
    def place_of_service(self) -> str:
        return self.lines[0].place_of_service


# -------------------------------------------------------------------------- eligibility


class EligibilityInquiry(Model):
    """What a 270 asks: is this member covered by this payer on this date?"""

    trace_number: str  # TRN02, echoed on the 271
    payer_id: str
    payer_name: str
    provider: Provider
    member_id: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    service_date: date


class EligibilityResult(Model):
    """The outcome of one 270/271 round trip, reduced to what billing needs."""

    active: bool
    member_id: str
    payer_id: str
    service_date: date
    plan_type: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    copay: Money | None = None
    coinsurance_percent: Decimal | None = None
    deductible_remaining: Money | None = None
    rejection_code: str | None = None  # AAA03, e.g. "72" invalid member ID
    message: str = ""


# ---------------------------------------------------------------------- acknowledgments


class AckKind(StrEnum):
    FILE_999 = "999"
    CLAIM_277CA = "277CA"


class ClaimAcknowledgment(Model):
    """One claim's (277CA) or one transaction's (999) acceptance or rejection."""

    kind: AckKind
    accepted: bool
    patient_control_number: str | None = None  # 277CA: CLM01 echoed in REF*1K/TRN
    transaction_control_number: str | None = None  # 999: the ST02 acknowledged
    payer_claim_number: str | None = None
    status_codes: list[str] = Field(default_factory=list)  # e.g. ["A2:20"]
    message: str = ""


# --------------------------------------------------------------------------- remittance


class Adjustment(Model):
    group: str  # CAS01: CO, OA, PI, PR (CR read as sent from 4010 files)
    reason: str  # CARC
    amount: Money
    quantity: Decimal | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> Decimal:
        return money(value)  # type: ignore[arg-type]


# CARC 23: the impact of a prior payer's adjudication. On a secondary's 835 it
# stands for what the payer before paid and adjusted, not this payer's decision.
PRIOR_PAYER_CARC = "23"


class RemitLine(Model):
    # SVC01-1 names what SVC01-2 is: HC a CPT/HCPCS code, NU a revenue code (an
    # institutional line billed without HCPCS), AD a CDT code (a dental line).
    qualifier: Literal["HC", "NU", "AD"] = "HC"
    procedure: str
    modifiers: list[str] = Field(default_factory=list)
    charge: Money
    paid: Money
    units: Decimal | None = None
    service_date: date | None = None
    line_control_number: str | None = None
    adjustments: list[Adjustment] = Field(default_factory=list)
    remarks: list[str] = Field(default_factory=list)  # LQ*HE RARCs
    revenue_code: str | None = None  # SVC04: an HC line's revenue code (837I)

    def is_denied(self) -> bool:
        """Whether the payer denied this line: nothing paid on a positive charge.

        The one definition the denial routing (``remit.denied_lines``), the
        ledger's posting and the reports share. A secondary's line that the
        earlier payer and the patient's share settle (CARC 23 and otherwise
        only PR) is not denied: nothing was left for this payer to pay.
        """
        if self.paid != 0 or self.charge <= 0:
            return False
        reasons = {a.reason for a in self.adjustments if a.group != "PR"}
        return reasons != {PRIOR_PAYER_CARC}


class RemitClaim(Model):
    """One CLP loop of an 835: a payer's adjudication of one claim."""

    patient_control_number: str
    status_code: str  # CLP02
    charge: Money
    paid: Money
    patient_responsibility: Money = Decimal("0.00")  # CLP05
    filing_indicator: str | None = None  # CLP06
    payer_claim_number: str | None = None  # CLP07
    facility_type_code: str | None = None  # CLP08: an institutional claim's
    adjustments: list[Adjustment] = Field(default_factory=list)  # claim-level CAS
    lines: list[RemitLine] = Field(default_factory=list)
    remarks: list[str] = Field(default_factory=list)  # MOA/MIA remark codes
    service_from: date | None = None
    service_through: date | None = None

    def all_adjustments(self) -> list[Adjustment]:
        found = list(self.adjustments)
        for line in self.lines:
            found.extend(line.adjustments)
        return found


class ProviderAdjustment(Model):
    """One PLB reason/amount pair: positive reduces the deposit."""

    provider_id: str
    fiscal_period: date | None = None
    reason: str  # PLB03-1, e.g. WO, FB, L6, 72, CS
    reference: str | None = None  # PLB03-2, often the claim it concerns
    amount: Money


class Remittance(Model):
    """One 835 transaction set (ST..SE)."""

    interchange_control_number: str | None = None
    group_control_number: str | None = None
    transaction_control_number: str
    trace_number: str  # TRN02
    payer_name: str
    payer_id: str | None = None  # N1*PR REF*2U or TRN03
    payee_name: str | None = None
    payee_npi: str | None = None
    payment_amount: Money  # BPR02
    payment_method: str | None = None  # BPR04
    credit_debit: str = "C"  # BPR03
    payment_date: date | None = None  # BPR16
    production_date: date | None = None  # DTM*405
    claims: list[RemitClaim] = Field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = Field(default_factory=list)


# --------------------------------------------------------------------------- scrubbing


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ConditionTrace(Model):
    text: str  # the analyst's own source text
    value: bool | str | None


class Finding(Model):
    """One fired edit, with the trace that explains it."""

    edit_id: str
    severity: Severity
    message: str
    line_number: int | None = None
    carc: str | None = None
    rarc: str | None = None
    fix: str | None = None
    source: str = ""  # file:line of the edit
    trace: list[ConditionTrace] = Field(default_factory=list)


# Claims refer to Adjustment and LineAdjudication, defined after them.
ServiceLine.model_rebuild()
OtherPayer.model_rebuild()
Claim.model_rebuild()
