"""Claims and claim versions, statuses, checks and the audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import StatusInfo
from claimflow.ledger.tables import (
    AuditEventRow,
    ClaimLineRow,
    ClaimRow,
    ClaimVersionRow,
    EligibilityCheckRow,
    EncounterRow,
    PatientRow,
    ScrubResultRow,
    utcnow,
)
from claimflow.models import (
    Claim,
    ClaimStatus,
    EligibilityResult,
    Finding,
    ServiceLine,
    Severity,
    line_control_number,
    money,
    patient_control_number,
)

# Fields of models.Claim kept per version in dedicated columns or tables.
_VERSION_FIELDS = {
    "claim_id",
    "version",
    "patient_control_number",
    "frequency_code",
    "original_payer_claim_number",
    "diagnoses",
    "lines",
}


def _claim_row(session: Session, claim_id: int) -> ClaimRow:
    row = session.get(ClaimRow, claim_id)
    if row is None:
        raise NotFoundError(f"no claim {claim_id}")
    return row


def _account_row(session: Session, claim_id: int) -> ClaimRow:
    """The claim whose account holds this claim's money (itself for a primary)."""
    row = _claim_row(session, claim_id)
    while row.primary_claim_id is not None:
        row = _claim_row(session, row.primary_claim_id)
    return row


def _version_row(session: Session, claim_id: int, version: int) -> ClaimVersionRow:
    row = session.exec(
        select(ClaimVersionRow).where(
            ClaimVersionRow.claim_id == claim_id, ClaimVersionRow.version == version
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no version {version} of claim {claim_id}")
    return row


def _add_version(
    session: Session,
    claim_id: int,
    version: int,
    claim: Claim,
    lines: list[ServiceLine],
    diagnoses: list[str],
    frequency_code: str,
    original_payer_claim_number: str | None,
) -> ClaimVersionRow:
    """Insert a version with its lines, numbering lines 1..n and their LCNs."""
    header = claim.model_dump(mode="json", exclude=_VERSION_FIELDS)
    total = money(sum((line.charge for line in lines), Decimal(0)))
    row = ClaimVersionRow(
        claim_id=claim_id,
        version=version,
        patient_control_number=patient_control_number(claim_id, version),
        frequency_code=frequency_code,
        original_payer_claim_number=original_payer_claim_number,
        total_charge=total,
        diagnoses=list(diagnoses),
        header=header,
    )
    session.add(row)
    session.flush()
    for number, line in enumerate(lines, start=1):
        session.add(
            ClaimLineRow(
                claim_version_id=row.id,
                line_number=number,
                procedure=line.procedure,
                modifiers=list(line.modifiers),
                units=line.units,
                charge=money(line.charge),
                service_date=line.service_date,
                place_of_service=line.place_of_service,
                diagnosis_pointers=list(line.diagnosis_pointers),
                line_control_number=line_control_number(claim_id, version, number),
                adjudications=[
                    a.model_dump(mode="json") for a in line.adjudications
                ]
                or None,
                revenue_code=line.revenue_code,
                teeth=[t.model_dump(mode="json") for t in line.teeth] or None,
                oral_cavity=list(line.oral_cavity) or None,
                prosthesis=line.prosthesis,
            )
        )
    session.flush()
    return row


def _rebuild(session: Session, row: ClaimVersionRow) -> Claim:
    lines = session.exec(
        select(ClaimLineRow)
        .where(ClaimLineRow.claim_version_id == row.id)
        .order_by(ClaimLineRow.line_number)
    ).all()
    return Claim.model_validate(
        {
            **row.header,
            "claim_id": row.claim_id,
            "version": row.version,
            "patient_control_number": row.patient_control_number,
            "frequency_code": row.frequency_code,
            "original_payer_claim_number": row.original_payer_claim_number,
            "diagnoses": list(row.diagnoses),
            "lines": [
                ServiceLine(
                    line_number=line.line_number,
                    procedure=line.procedure,
                    modifiers=list(line.modifiers),
                    units=line.units,
                    charge=line.charge,
                    service_date=line.service_date,
                    place_of_service=line.place_of_service,
                    diagnosis_pointers=list(line.diagnosis_pointers),
                    line_control_number=line.line_control_number,
                    adjudications=list(line.adjudications or []),
                    revenue_code=line.revenue_code,
                    teeth=list(line.teeth or []),
                    oral_cavity=list(line.oral_cavity or []),
                    prosthesis=line.prosthesis,
                )
                for line in lines
            ],
        }
    )


class ClaimsMixin(LedgerBase):
    """Claims, versions, statuses, eligibility, scrub and audit."""

    # ------------------------------------------------------------- claims

    def create_claim(self, encounter_key: str, claim: Claim) -> int:
        """Create a claim (version 1) for an encounter, once.

        The claim's ``claim_id``, patient control number and line control
        numbers are placeholders: the ledger assigns the id, numbers the lines
        1..n, sets both control numbers and ``encounter_id`` (the ledger's
        encounter row). The total charge is posted to the journal.

        Args:
            encounter_key: A stable, PHI-free key of the encounter billed.
            claim: The claim as it is to be billed; ``claim.patient.patient_id``
                must be a ledger patient id.

        Returns:
            The claim id; the existing one when the encounter has a claim.
        """

        def work(session: Session) -> int:
            encounter = session.exec(
                select(EncounterRow).where(EncounterRow.encounter_key == encounter_key)
            ).first()
            if encounter is not None:
                return session.exec(
                    select(ClaimRow.id).where(ClaimRow.encounter_id == encounter.id)
                ).one()
            patient_id = claim.patient.patient_id
            if session.get(PatientRow, patient_id) is None:
                raise NotFoundError(f"no patient {patient_id}")
            encounter = EncounterRow(
                encounter_key=encounter_key,
                patient_id=patient_id,
                service_date=claim.from_date,
            )
            session.add(encounter)
            session.flush()
            row = ClaimRow(
                encounter_id=encounter.id,
                patient_id=patient_id,
                payer_id=claim.coverage.payer_id,
                billing_npi=claim.billing_provider.npi,
            )
            session.add(row)
            session.flush()
            version = _add_version(
                session,
                row.id,
                1,
                claim.model_copy(update={"encounter_id": encounter.id}),
                claim.lines,
                claim.diagnoses,
                claim.frequency_code,
                claim.original_payer_claim_number,
            )
            self._journal(
                session,
                f"charge:{row.id}:v1",
                "charge",
                version.total_charge,
                claim_id=row.id,
                effective_date=encounter.service_date,
            )
            session.add(AuditEventRow(claim_id=row.id, event="claim_created"))
            return row.id

        return self._tx(work)

    def claim_for_encounter(self, encounter_key: str) -> int | None:
        """Return the claim id of an encounter, or None when it has no claim."""

        def work(session: Session) -> int | None:
            return session.exec(
                select(ClaimRow.id)
                .join(EncounterRow, EncounterRow.id == ClaimRow.encounter_id)
                .where(EncounterRow.encounter_key == encounter_key)
            ).first()

        return self._tx(work)

    def get_claim(self, claim_id: int, version: int | None = None) -> Claim:
        """Rebuild a claim version as billed (the latest unless ``version``)."""

        def work(session: Session) -> Claim:
            number = version or _claim_row(session, claim_id).latest_version
            return _rebuild(session, _version_row(session, claim_id, number))

        return self._tx(work)

    def new_version(
        self,
        claim_id: int,
        *,
        lines: list[ServiceLine] | None = None,
        diagnoses: list[str] | None = None,
        frequency_code: str = "7",
        original_payer_claim_number: str | None = None,
    ) -> Claim:
        """Add a corrected (or void) version of a claim and return it.

        Lines or diagnoses not given are copied from the latest version. When
        the total charge changes, the difference goes to the journal, on the
        claim's account: a secondary claim's goes to the primary claim's,
        where coordination of benefits keeps the charge and every payment.

        Args:
            claim_id: The claim.
            lines: Replacement service lines (control numbers are reassigned).
            diagnoses: Replacement ICD-10-CM codes.
            frequency_code: CLM05-3: ``"7"`` replacement or ``"8"`` void.
            original_payer_claim_number: The payer's number of the claim
                replaced (REF*F8).

        Returns:
            The new version as billed.
        """

        def work(session: Session) -> Claim:
            row = _claim_row(session, claim_id)
            previous = _rebuild(
                session, _version_row(session, claim_id, row.latest_version)
            )
            number = row.latest_version + 1
            created = _add_version(
                session,
                claim_id,
                number,
                previous,
                previous.lines if lines is None else lines,
                previous.diagnoses if diagnoses is None else diagnoses,
                frequency_code,
                original_payer_claim_number,
            )
            change = created.total_charge - previous.total_charge
            if change:
                self._journal(
                    session,
                    f"charge:{claim_id}:v{number}",
                    "charge_adjustment",
                    money(change),
                    claim_id=_account_row(session, claim_id).id,
                    reason=f"claim {claim_id} version {number}",
                    effective_date=session.get(
                        EncounterRow, row.encounter_id
                    ).service_date,
                )
            row.latest_version = number
            row.updated_at = utcnow()
            session.add(row)
            session.add(
                AuditEventRow(
                    claim_id=claim_id,
                    event="version_created",
                    detail=f"version {number}, frequency {frequency_code}",
                )
            )
            session.flush()
            return _rebuild(session, created)

        return self._tx(work)

    def find_claim_by_pcn(self, pcn: str) -> tuple[int, int] | None:
        """Return ``(claim_id, version)`` for a patient control number, if any."""

        def work(session: Session) -> tuple[int, int] | None:
            row = session.exec(
                select(ClaimVersionRow).where(
                    ClaimVersionRow.patient_control_number == pcn
                )
            ).first()
            return None if row is None else (row.claim_id, row.version)

        return self._tx(work)

    # ------------------------------------------------------------- status

    def set_status(
        self, claim_id: int, status: ClaimStatus, reason: str | None = None
    ) -> None:
        """Set a claim's status; the change is written to the audit trail."""

        def work(session: Session) -> None:
            row = _claim_row(session, claim_id)
            detail = f"{row.status} -> {ClaimStatus(status).value}"
            if reason:
                detail += f": {reason}"
            row.status, row.status_reason = ClaimStatus(status).value, reason
            row.updated_at = utcnow()
            session.add(row)
            session.add(AuditEventRow(claim_id=claim_id, event="status", detail=detail))

        self._tx(work)

    def get_status(self, claim_id: int) -> ClaimStatus:
        """Return a claim's current status."""
        return ClaimStatus(self.status_info(claim_id).status)

    def status_info(self, claim_id: int) -> StatusInfo:
        """Return a claim's status with its reason and latest version."""

        def work(session: Session) -> StatusInfo:
            row = _claim_row(session, claim_id)
            return StatusInfo(
                claim_id=claim_id,
                status=row.status,
                reason=row.status_reason,
                latest_version=row.latest_version,
                filing_deadline=row.filing_deadline,
            )

        return self._tx(work)

    def set_filing_deadline(self, claim_id: int, deadline: date) -> None:
        """Record the last day the payer accepts the claim (timely filing).

        The deadline shows in ``status_info`` and in the outstanding-claims
        report; a change is written to the audit trail.
        """

        def work(session: Session) -> None:
            row = _claim_row(session, claim_id)
            if row.filing_deadline == deadline:
                return
            detail = f"{row.filing_deadline} -> {deadline}"
            row.filing_deadline, row.updated_at = deadline, utcnow()
            session.add(row)
            session.add(
                AuditEventRow(claim_id=claim_id, event="filing_deadline", detail=detail)
            )

        self._tx(work)

    # ------------------------------------------------------------- checks

    def record_eligibility(
        self,
        claim_id: int,
        result: EligibilityResult,
        request_x12: str,
        response_x12: str,
    ) -> int:
        """Keep one 270/271 round trip with its outcome; return the check id."""

        def work(session: Session) -> int:
            _claim_row(session, claim_id)
            row = EligibilityCheckRow(
                claim_id=claim_id,
                active=result.active,
                payer_id=result.payer_id,
                service_date=result.service_date,
                result=result.model_dump(mode="json"),
                request_x12=request_x12,
                response_x12=response_x12,
            )
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)

    def latest_eligibility(
        self, claim_id: int
    ) -> tuple[EligibilityResult, date] | None:
        """The claim's newest 270/271 outcome and the day it was checked, if any."""

        def work(session: Session) -> tuple[EligibilityResult, date] | None:
            row = session.exec(
                select(EligibilityCheckRow)
                .where(EligibilityCheckRow.claim_id == claim_id)
                .order_by(EligibilityCheckRow.id.desc())
            ).first()
            if row is None:
                return None
            return EligibilityResult.model_validate(row.result), row.checked_at.date()

        return self._tx(work)

    def record_scrub(
        self,
        claim_id: int,
        version: int,
        ruleset_hash: str,
        findings: list[Finding],
    ) -> int:
        """Keep the findings of one scrub of a claim version; return its id."""

        def work(session: Session) -> int:
            _version_row(session, claim_id, version)
            row = ScrubResultRow(
                claim_id=claim_id,
                version=version,
                ruleset_hash=ruleset_hash,
                error_count=sum(f.severity == Severity.ERROR for f in findings),
                findings=[f.model_dump(mode="json") for f in findings],
            )
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)

    def scrub_findings(self, claim_id: int, version: int) -> list[Finding]:
        """Return the findings of the latest scrub of a claim version."""

        def work(session: Session) -> list[Finding]:
            row = session.exec(
                select(ScrubResultRow)
                .where(
                    ScrubResultRow.claim_id == claim_id,
                    ScrubResultRow.version == version,
                )
                .order_by(ScrubResultRow.id.desc())
            ).first()
            if row is None:
                return []
            return [Finding.model_validate(item) for item in row.findings]

        return self._tx(work)

    # ------------------------------------------------------------- audit

    def audit(self, claim_id: int | None, event: str, detail: str = "") -> int:
        """Append an audit event (no PHI in ``detail``); return its id."""

        def work(session: Session) -> int:
            row = AuditEventRow(claim_id=claim_id, event=event, detail=detail)
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)
