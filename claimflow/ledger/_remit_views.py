"""Stored 835s as people read them: the list, and one 835 in full.

Ops staff look at a held 835 before they release it: what it pays, what its
provider-level adjustments do, and where its own figures fail to balance. The
differences are worked out again from what was stored (the CLPs as received
and the PLB pairs), so they read the same as when the 835 was held.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._provider import _info, deposit_figures
from claimflow.ledger._work import _item
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import RemitClaimView, RemittanceDetail, RemittanceInfo
from claimflow.ledger.rules import claim_differences, deposit_wording
from claimflow.ledger.tables import (
    InboundFileRow,
    ProviderAdjustmentRow,
    RemitClaimRow,
    RemittanceRow,
    WorkItemRow,
)
from claimflow.models import RemitClaim


def _count(session: Session, table: type, remittance_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(table).where(
            table.remittance_id == remittance_id
        )
    ).one()


def _info_of(session: Session, row: RemittanceRow) -> RemittanceInfo:
    file = session.get(InboundFileRow, row.file_id)
    return RemittanceInfo(
        remittance_id=row.id,
        status=row.status or "posted",
        file_name=file.name,
        received_at=row.created_at,
        trace_number=row.trace_number,
        transaction_control_number=row.transaction_control_number,
        payer_name=row.payer_name,
        payment_amount=row.payment_amount,
        payment_date=row.payment_date,
        claims=_count(session, RemitClaimRow, row.id),
        provider_adjustments=_count(session, ProviderAdjustmentRow, row.id),
    )


def _claim_view(row: RemitClaimRow) -> RemitClaimView:
    return RemitClaimView(
        remit_claim_id=row.id,
        sequence=row.sequence,
        patient_control_number=row.patient_control_number,
        claim_id=row.claim_id,
        status_code=row.status_code,
        charge=row.charge,
        paid=row.paid,
        patient_responsibility=row.patient_responsibility,
        posted=row.posted_at is not None,
    )


def _differences(
    session: Session, row: RemittanceRow, claims: list[RemitClaimRow]
) -> list[str]:
    """Where the stored 835's own figures fail to balance, in plain words."""
    figures = deposit_figures(session, row)
    found = deposit_wording(
        figures.deposit, figures.claim_payments, figures.provider_adjustments
    )
    for claim in claims:
        # CLPs stored before revision 0002 may lack their content.
        if claim.content:
            clp = RemitClaim.model_validate(claim.content)
            found.extend(claim_differences(clp, claim.sequence))
    return found


class RemittanceViewsMixin(LedgerBase):
    """List stored 835 transactions and show one, for people."""

    def remittances(self, status: str | None = None) -> list[RemittanceInfo]:
        """Return stored 835 transactions, oldest first.

        Args:
            status: Only ``"held"`` (not balanced, waiting for a person) or
                ``"posted"`` ones; all when None.
        """

        def work(session: Session) -> list[RemittanceInfo]:
            rows = session.exec(select(RemittanceRow).order_by(RemittanceRow.id))
            found = [_info_of(session, row) for row in rows.all()]
            return [info for info in found if status in (None, info.status)]

        return self._tx(work)

    def remittance_detail(self, remittance_id: int) -> RemittanceDetail:
        """Return one stored 835: its CLPs, PLB pairs, deposit and differences.

        Raises:
            NotFoundError: No remittance has this id.
        """

        def work(session: Session) -> RemittanceDetail:
            row = session.get(RemittanceRow, remittance_id)
            if row is None:
                raise NotFoundError(f"no remittance {remittance_id}")
            claims = list(
                session.exec(
                    select(RemitClaimRow)
                    .where(RemitClaimRow.remittance_id == row.id)
                    .order_by(RemitClaimRow.sequence)
                ).all()
            )
            pairs = session.exec(
                select(ProviderAdjustmentRow)
                .where(ProviderAdjustmentRow.remittance_id == row.id)
                .order_by(ProviderAdjustmentRow.id)
            ).all()
            item = session.exec(
                select(WorkItemRow).where(WorkItemRow.key == f"remit-balance:{row.id}")
            ).first()
            return RemittanceDetail(
                remittance=_info_of(session, row),
                reconciliation=deposit_figures(session, row),
                differences=_differences(session, row, claims),
                claims=[_claim_view(claim) for claim in claims],
                provider_adjustments=[_info(pair) for pair in pairs],
                balance_work_item=_item(item) if item is not None else None,
            )

        return self._tx(work)
