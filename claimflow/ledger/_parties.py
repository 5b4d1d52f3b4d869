"""Payers, providers, patients and their coverages."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.tables import CoverageRow, PatientRow, PayerRow, ProviderRow
from claimflow.models import Address, Coverage, Provider


class PartiesMixin(LedgerBase):
    """Create or update the parties claims refer to."""

    def upsert_payer(
        self, payer_id: str, name: str, x12_payer_id: str, plan_type: str
    ) -> None:
        """Create or update a payer.

        Args:
            payer_id: Our payer ID, e.g. ``"BCBS"``.
            name: The payer's name as printed on claims.
            x12_payer_id: The payer's ID in X12 (NM109 of the payer loop).
            plan_type: The claim filing indicator (SBR09), e.g. ``"CI"``.
        """

        def work(session: Session) -> None:
            row = session.get(PayerRow, payer_id) or PayerRow(payer_id=payer_id)
            row.name, row.x12_payer_id, row.plan_type = name, x12_payer_id, plan_type
            session.add(row)

        self._tx(work)

    def upsert_provider(self, provider: Provider) -> None:
        """Create or update a provider, keyed by NPI."""

        def work(session: Session) -> None:
            row = session.get(ProviderRow, provider.npi) or ProviderRow(
                npi=provider.npi
            )
            row.name = provider.name
            row.tax_id = provider.tax_id
            row.taxonomy = provider.taxonomy
            row.is_organization = provider.is_organization
            address = provider.address
            row.address = address.model_dump(mode="json") if address else None
            session.add(row)

        self._tx(work)

    def upsert_patient(
        self,
        external_key: str,
        first_name: str,
        last_name: str,
        birth_date: date,
        sex: str,
        address: Address,
    ) -> int:
        """Create or update a patient and return the surrogate patient id.

        Args:
            external_key: The source system's stable key for the person (kept
                only in this table; it never appears in claims or logs).
            first_name: Given name.
            last_name: Family name.
            birth_date: The birth date as the source system has it.
            sex: ``"M"``, ``"F"`` or ``"U"``.
            address: Home address.

        Returns:
            The patient id used everywhere else.
        """

        def work(session: Session) -> int:
            row = session.exec(
                select(PatientRow).where(PatientRow.external_key == external_key)
            ).first() or PatientRow(external_key=external_key)
            row.first_name, row.last_name = first_name, last_name
            row.birth_date, row.sex = birth_date, sex
            row.address = address.model_dump(mode="json")
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)

    def add_coverage(self, patient_id: int, coverage: Coverage) -> int:
        """Record a coverage span of a patient (idempotent) and return its id."""

        def work(session: Session) -> int:
            if session.get(PatientRow, patient_id) is None:
                raise NotFoundError(f"no patient {patient_id}")
            found = session.exec(
                select(CoverageRow).where(
                    CoverageRow.patient_id == patient_id,
                    CoverageRow.payer_id == coverage.payer_id,
                    CoverageRow.member_id == coverage.member_id,
                    CoverageRow.priority == coverage.priority,
                    CoverageRow.start == coverage.start,
                )
            ).first()
            if found is not None:
                return found.id
            row = CoverageRow(
                patient_id=patient_id,
                **coverage.model_dump(exclude={"payer_name"}),
            )
            session.add(row)
            session.flush()
            return row.id

        return self._tx(work)
