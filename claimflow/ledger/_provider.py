"""Provider-level adjustments (PLB): where each amount goes, and the deposit.

A PLB pair's amount is kept as sent: positive when the payer keeps it out of the
deposit, negative when it adds to the deposit (interest paid, for example).

* ``WO`` (overpayment recovery) naming a known claim is a recoupment of that
  claim's payment: the claim's ``paid`` falls by the amount. The claim is
  found by the reference (PLB03-2) alone, as our patient control number or as
  the payer's claim number (CLP07) of an earlier CLP; never by position in
  the file.
* ``72`` (authorized return) naming a known claim is money the provider sent
  back to the payer for that claim (a refund), which the payer nets out of the
  deposit: the claim's ``paid`` falls by the amount, under an entry kind of its
  own (``authorized_return``) so a refund is never mistaken for a recoupment.
* ``FB`` (forward balance) goes to the provider's forward-balance account and
  is matched with its counterpart in a later 835 by reference (see
  ``claimflow.ledger._forward``); the claim its reference names, if any, is
  linked, its balance not touched.
* Every other reason (``L6`` interest, ``CS`` adjustment, ``CV`` capital
  passthrough, ``72`` without a reference, ...) stays on the provider's
  ledger; when its reference names a known claim the link is kept, the
  claim's balance is not touched.
* Suspense: a ``WO`` that names no known claim (or no claim at all), and an
  ``L6`` or ``72`` whose reference names no known claim, go to the
  provider-level suspense queue (a work item per pair). Their references
  identify a claim; other reasons' references (``CV:CP``, for one) need not.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import _claim_row
from claimflow.ledger._forward import (
    FORWARD_BALANCE,
    forward_balances,
    match_forward_balance,
)
from claimflow.ledger._work import resolve_open_item
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import (
    DepositReconciliation,
    ForwardBalance,
    ProviderAdjustmentInfo,
)
from claimflow.ledger.tables import (
    AuditEventRow,
    ClaimVersionRow,
    ProviderAdjustmentRow,
    RemitClaimRow,
    RemittanceRow,
    WorkItemRow,
)
from claimflow.models import ProviderAdjustment, money

# Reasons that take money back from the claim they name, and the entry kind.
CLAIM_ENTRY_KINDS = {"WO": "recoupment", "72": "authorized_return"}
RECOUPMENT_REASONS = ("WO",)
# Reasons whose PLB03-2 reference identifies a claim.
CLAIM_REFERENCE_REASONS = ("WO", "L6", "72")
SUSPENSE_QUEUE = "provider_suspense"


def named_claim(session: Session, reference: str | None) -> int | None:
    """The claim a PLB reference names, or None when it names none or several."""
    if not reference:
        return None
    by_pcn = session.exec(
        select(ClaimVersionRow.claim_id).where(
            ClaimVersionRow.patient_control_number == reference
        )
    ).first()
    if by_pcn is not None:
        return by_pcn
    by_payer = set(
        session.exec(
            select(RemitClaimRow.claim_id).where(
                RemitClaimRow.payer_claim_number == reference,
                RemitClaimRow.claim_id.is_not(None),
            )
        ).all()
    )
    return by_payer.pop() if len(by_payer) == 1 else None


def _disposition(reason: str, reference: str | None, claim_id: int | None) -> str:
    if reason == FORWARD_BALANCE:
        return "forward_balance"
    if claim_id is None and (
        reason in RECOUPMENT_REASONS
        or (reference and reason in CLAIM_REFERENCE_REASONS)
    ):
        return "suspense"
    if reason in CLAIM_ENTRY_KINDS and claim_id is not None:
        return "claim"
    return "provider"


def store_provider_adjustments(
    session: Session, remittance: RemittanceRow, pairs: list[ProviderAdjustment]
) -> list[ProviderAdjustmentRow]:
    """Keep each PLB pair with the claim it names and where it goes."""
    rows = []
    for sequence, pair in enumerate(pairs, start=1):
        claim_id = named_claim(session, pair.reference)
        row = ProviderAdjustmentRow(
            remittance_id=remittance.id,
            sequence=sequence,
            claim_id=claim_id,
            disposition=_disposition(pair.reason, pair.reference, claim_id),
            **pair.model_dump(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def post_provider_adjustments(
    ledger: LedgerBase, session: Session, remittance: RemittanceRow
) -> None:
    """Journal each PLB pair of a remittance once; open suspense items.

    ``FB`` pairs are matched with the forward balance they settle, or open one.
    """
    rows = session.exec(
        select(ProviderAdjustmentRow)
        .where(ProviderAdjustmentRow.remittance_id == remittance.id)
        .order_by(ProviderAdjustmentRow.id)
    ).all()
    effective = remittance.payment_date or remittance.created_at.date()
    for row in rows:
        if row.disposition == "claim":
            kind, claim_id = CLAIM_ENTRY_KINDS[row.reason], row.claim_id
        elif row.disposition == "suspense":
            kind, claim_id = "plb_suspense", None
            _open_suspense_item(session, remittance, row)
        elif row.disposition == "forward_balance":
            kind, claim_id = "forward_balance", None
        else:
            kind, claim_id = "provider_adjustment", None
        journaled = ledger._journal(
            session,
            f"plb:{row.id}",
            kind,
            row.amount,
            claim_id=claim_id,
            reason=row.reason,
            effective_date=effective,
            provider_adjustment_id=row.id,
        )
        if journaled is not None and kind == "forward_balance":
            match_forward_balance(session, remittance, row)


def _open_suspense_item(
    session: Session, remittance: RemittanceRow, row: ProviderAdjustmentRow
) -> None:
    key = f"plb-suspense:{row.id}"
    if session.exec(select(WorkItemRow.id).where(WorkItemRow.key == key)).first():
        return
    named = f"reference {row.reference}" if row.reference else "no reference"
    session.add(
        WorkItemRow(
            key=key,
            queue=SUSPENSE_QUEUE,
            title="Provider-level adjustment names no known claim",
            reason=(
                f"835 trace {remittance.trace_number} PLB {row.sequence}: "
                f"{row.reason} {row.amount} for provider {row.provider_id} with "
                f"{named}, which matches no claim in the ledger"
            ),
        )
    )


def deposit_figures(session: Session, row: RemittanceRow) -> DepositReconciliation:
    """The deposit of a stored remittance against its stored CLPs and PLB pairs."""
    paid = session.exec(
        select(RemitClaimRow.paid).where(RemitClaimRow.remittance_id == row.id)
    ).all()
    plb = session.exec(
        select(ProviderAdjustmentRow.amount).where(
            ProviderAdjustmentRow.remittance_id == row.id
        )
    ).all()
    claims = money(sum(paid, Decimal(0)))
    provider = money(sum(plb, Decimal(0)))
    return DepositReconciliation(
        remittance_id=row.id,
        deposit=row.payment_amount,
        claim_payments=claims,
        provider_adjustments=provider,
        difference=money(row.payment_amount - (claims - provider)),
    )


def _info(row: ProviderAdjustmentRow) -> ProviderAdjustmentInfo:
    return ProviderAdjustmentInfo(
        provider_adjustment_id=row.id,
        remittance_id=row.remittance_id,
        sequence=row.sequence,
        provider_id=row.provider_id,
        reason=row.reason,
        reference=row.reference,
        amount=row.amount,
        disposition=row.disposition,
        claim_id=row.claim_id,
    )


class ProviderMixin(LedgerBase):
    """Read the provider ledger and reconcile deposits."""

    def provider_adjustments(
        self,
        remittance_id: int | None = None,
        disposition: str | None = None,
    ) -> list[ProviderAdjustmentInfo]:
        """Return stored PLB pairs, oldest first.

        Args:
            remittance_id: Only this remittance's pairs.
            disposition: Only pairs that went to ``"claim"``, ``"provider"``,
                ``"forward_balance"`` or ``"suspense"`` (the provider-level
                suspense queue).
        """

        def work(session: Session) -> list[ProviderAdjustmentInfo]:
            statement = select(ProviderAdjustmentRow)
            if remittance_id is not None:
                statement = statement.where(
                    ProviderAdjustmentRow.remittance_id == remittance_id
                )
            if disposition is not None:
                statement = statement.where(
                    ProviderAdjustmentRow.disposition == disposition
                )
            rows = session.exec(statement.order_by(ProviderAdjustmentRow.id)).all()
            return [_info(row) for row in rows]

        return self._tx(work)

    def apply_suspense(
        self, provider_adjustment_id: int, claim_id: int, note: str = ""
    ) -> ProviderAdjustmentInfo:
        """Apply a PLB pair from the suspense queue to the claim a person found.

        A ``WO`` becomes a recoupment of that claim and a ``72`` its authorized
        return (either way its ``paid`` falls by the amount); any other reason
        goes to the provider's ledger linked to the claim. The suspense entry
        is taken back by an entry of the opposite sign, and the pair's work
        item is resolved. A pair that is not in suspense is returned unchanged.

        Args:
            provider_adjustment_id: A ``ProviderAdjustmentInfo`` id.
            claim_id: The claim the pair concerns.
            note: The person's note (no PHI).

        Returns:
            The pair as it now stands.
        """

        def work(session: Session) -> ProviderAdjustmentInfo:
            row = session.get(
                ProviderAdjustmentRow, provider_adjustment_id, with_for_update=True
            )
            if row is None:
                raise NotFoundError(f"no provider adjustment {provider_adjustment_id}")
            if row.disposition != "suspense":
                return _info(row)
            _claim_row(session, claim_id)
            remittance = session.get(RemittanceRow, row.remittance_id)
            effective = remittance.payment_date or remittance.created_at.date()
            claim_kind = CLAIM_ENTRY_KINDS.get(row.reason)
            self._journal(
                session,
                f"plb:{row.id}:out-of-suspense",
                "plb_suspense",
                -row.amount,
                reason=row.reason,
                effective_date=effective,
                provider_adjustment_id=row.id,
            )
            self._journal(
                session,
                f"plb:{row.id}:applied",
                claim_kind or "provider_adjustment",
                row.amount,
                claim_id=claim_id if claim_kind else None,
                reason=row.reason,
                effective_date=effective,
                provider_adjustment_id=row.id,
            )
            row.claim_id = claim_id
            row.disposition = "claim" if claim_kind else "provider"
            session.add(row)
            resolve_open_item(
                session, f"plb-suspense:{row.id}", f"applied to claim {claim_id}", note
            )
            session.add(
                AuditEventRow(
                    claim_id=claim_id,
                    event="plb_applied",
                    detail=f"PLB {row.reason} {row.amount} from remittance "
                    f"{row.remittance_id}",
                )
            )
            session.flush()
            return _info(row)

        return self._tx(work)

    def deposit_reconciliation(self, remittance_id: int) -> DepositReconciliation:
        """Compare an 835's deposit (BPR02) with its claim payments less PLB.

        Figures come from what was stored, so they hold for held remittances
        too.
        """

        def work(session: Session) -> DepositReconciliation:
            row = session.get(RemittanceRow, remittance_id)
            if row is None:
                raise NotFoundError(f"no remittance {remittance_id}")
            return deposit_figures(session, row)

        return self._tx(work)

    def forward_balances(
        self, provider_id: str | None = None, open_only: bool = True
    ) -> list[ForwardBalance]:
        """Return forward balances (PLB ``FB``), oldest first.

        Args:
            provider_id: Only this provider's (PLB01).
            open_only: Only those whose pairs do not net to zero yet; False
                lists the settled ones too.
        """
        return self._tx(
            lambda session: forward_balances(session, provider_id, open_only)
        )
