"""835 remittances: storing each transaction once and posting its claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._memo import (
    MEMO,
    adjustment_key,
    denied_line_numbers,
    memo_adjustments,
)
from claimflow.ledger._provider import (
    deposit_figures,
    post_provider_adjustments,
    store_provider_adjustments,
)
from claimflow.ledger._work import resolve_open_item
from claimflow.ledger.errors import NotFoundError, RemittanceHeldError
from claimflow.ledger.results import PostingResult, RemitClaimMatch, RemittanceStored
from claimflow.ledger.rules import (
    PATIENT_GROUP,
    REVERSAL,
    body_hash,
    content_hash,
    deposit_difference,
    is_denial,
    transaction_differences,
)
from claimflow.ledger.tables import (
    AdjustmentRow,
    AuditEventRow,
    ClaimLineRow,
    ClaimVersionRow,
    InboundFileRow,
    RemitClaimRow,
    RemitLineRow,
    RemittanceRow,
    WorkItemRow,
    utcnow,
)
from claimflow.models import Adjustment, RemitClaim, Remittance, money

UNMATCHED_QUEUE = "unmatched_remittance"
BALANCE_QUEUE = "remittance_balance"


def _matches(session: Session, remittance_id: int) -> list[RemitClaimMatch]:
    rows = session.exec(
        select(RemitClaimRow)
        .where(RemitClaimRow.remittance_id == remittance_id)
        .order_by(RemitClaimRow.sequence)
    ).all()
    return [
        RemitClaimMatch(
            remit_claim_id=row.id,
            patient_control_number=row.patient_control_number,
            claim_id=row.claim_id,
            version=row.version,
            status_code=row.status_code,
        )
        for row in rows
    ]


def _store_claim(
    session: Session, remittance_id: int, sequence: int, clp: RemitClaim
) -> RemitClaimRow:
    version = session.exec(
        select(ClaimVersionRow).where(
            ClaimVersionRow.patient_control_number == clp.patient_control_number
        )
    ).first()
    row = RemitClaimRow(
        remittance_id=remittance_id,
        sequence=sequence,
        claim_id=version.claim_id if version else None,
        version=version.version if version else None,
        patient_control_number=clp.patient_control_number,
        status_code=clp.status_code,
        charge=clp.charge,
        paid=clp.paid,
        patient_responsibility=clp.patient_responsibility,
        payer_claim_number=clp.payer_claim_number,
        remarks=list(clp.remarks),
        content=clp.model_dump(mode="json"),
    )
    if clp.status_code == REVERSAL and version is not None:
        row.reverses_id = _reversed_claim(session, version.claim_id, clp)
    session.add(row)
    session.flush()
    for adjustment in clp.adjustments:
        session.add(_adjustment_row(row.id, None, "claim", adjustment))
    for number, line in enumerate(clp.lines, start=1):
        line_row = RemitLineRow(
            remit_claim_id=row.id,
            sequence=number,
            procedure=line.procedure,
            modifiers=list(line.modifiers),
            charge=line.charge,
            paid=line.paid,
            line_control_number=line.line_control_number,
            claim_line_id=_claim_line_id(session, line.line_control_number),
            remarks=list(line.remarks),
        )
        session.add(line_row)
        session.flush()
        for adjustment in line.adjustments:
            session.add(_adjustment_row(row.id, line_row.id, "line", adjustment))
    session.flush()
    return row


def _adjustment_row(
    remit_claim_id: int, remit_line_id: int | None, level: str, adjustment: Adjustment
) -> AdjustmentRow:
    return AdjustmentRow(
        remit_claim_id=remit_claim_id,
        remit_line_id=remit_line_id,
        level=level,
        group_code=adjustment.group,
        reason=adjustment.reason,
        amount=adjustment.amount,
        quantity=adjustment.quantity,
    )


def _claim_line_id(session: Session, lcn: str | None) -> int | None:
    if not lcn:
        return None
    return session.exec(
        select(ClaimLineRow.id).where(ClaimLineRow.line_control_number == lcn)
    ).first()


def _reversed_claim(session: Session, claim_id: int, clp: RemitClaim) -> int | None:
    """The latest earlier, non-reversal CLP of the claim with the same CLP07."""
    if not clp.payer_claim_number:
        return None
    return session.exec(
        select(RemitClaimRow.id)
        .where(
            RemitClaimRow.claim_id == claim_id,
            RemitClaimRow.payer_claim_number == clp.payer_claim_number,
            RemitClaimRow.status_code != REVERSAL,
        )
        .order_by(RemitClaimRow.id.desc())
    ).first()


def _open_unmatched_item(session: Session, row: RemitClaimRow) -> None:
    key = f"unmatched-remit:{row.id}"
    if session.exec(select(WorkItemRow.id).where(WorkItemRow.key == key)).first():
        return
    session.add(
        WorkItemRow(
            key=key,
            claim_id=None,
            queue=UNMATCHED_QUEUE,
            title="Remittance claim matches no claim",
            reason=(
                f"CLP with patient control number {row.patient_control_number} "
                f"(status {row.status_code}, paid {row.paid}) matches no claim "
                "version in the ledger"
            ),
        )
    )


def _open_balance_item(
    session: Session, row: RemittanceRow, differences: list[str]
) -> None:
    session.add(
        WorkItemRow(
            key=f"remit-balance:{row.id}",
            queue=BALANCE_QUEUE,
            title="Remittance does not balance",
            reason=(
                f"835 ST02 {row.transaction_control_number} trace "
                f"{row.trace_number}, not posted: " + "; ".join(differences)
            ),
        )
    )


def _effective_date(remittance: RemittanceRow) -> date:
    """The business date of a remittance's entries: BPR16, else when stored."""
    return remittance.payment_date or remittance.created_at.date()


def _stored(
    session: Session,
    row: RemittanceRow,
    duplicate: bool,
    balanced: bool,
    differences: list[str],
) -> RemittanceStored:
    held = row.status == "held"
    return RemittanceStored(
        remittance_id=row.id,
        duplicate=duplicate,
        claims=[] if held else _matches(session, row.id),
        balanced=balanced,
        held=held,
        differences=differences,
    )


class RemittanceMixin(LedgerBase):
    """Store 835 transactions once; post each CLP to the journal once."""

    def store_remittance(
        self, file_id: int, remittance: Remittance
    ) -> RemittanceStored:
        """Store one 835 transaction and match its CLPs to claims.

        The same transaction is stored once, whatever file it arrives in: the
        same ISA13, GS06, ST02, TRN02 and content, or the same TRN02 and content
        under new envelope numbers (a reissue). A CLP that matches no claim
        version opens an ``unmatched_remittance`` work item.

        A transaction whose own figures do not balance is held: its payment
        (BPR02) is not the claim payments less the provider adjustments, or a
        CLP's charge less paid is not the sum of its adjustments (claim and
        line level, every group; CLP05 stands for PR when there is no PR
        adjustment), or a line's is not. A held transaction is stored, posts
        nothing, lists no claims to post, and opens one ``remittance_balance``
        work item naming every difference.

        The PLB pairs of a balanced transaction are journaled at once (see
        ``claimflow.ledger._provider``): a ``WO`` recoupment to the claim it
        names, the others to the provider's ledger, and a pair naming no known
        claim to the ``provider_suspense`` queue.

        Args:
            file_id: The inbound file the transaction came in.
            remittance: The parsed transaction.

        Returns:
            The remittance id, whether it was a duplicate, the CLPs to post,
            and whether it balanced or is held.
        """
        key = {
            "interchange_control_number": remittance.interchange_control_number or "",
            "group_control_number": remittance.group_control_number or "",
            "transaction_control_number": remittance.transaction_control_number,
            "trace_number": remittance.trace_number,
            "content_hash": content_hash(remittance),
        }
        body = body_hash(remittance)
        differences = transaction_differences(remittance)
        balanced = deposit_difference(remittance) == 0

        def work(session: Session) -> RemittanceStored:
            statement = select(RemittanceRow)
            for name, value in key.items():
                statement = statement.where(getattr(RemittanceRow, name) == value)
            found = (
                session.exec(statement).first()
                or session.exec(
                    select(RemittanceRow).where(
                        RemittanceRow.trace_number == remittance.trace_number,
                        RemittanceRow.body_hash == body,
                    )
                ).first()
            )
            if found is not None:
                return _stored(session, found, True, balanced, differences)
            if session.get(InboundFileRow, file_id) is None:
                raise NotFoundError(f"no inbound file {file_id}")
            row = RemittanceRow(
                file_id=file_id,
                payer_name=remittance.payer_name,
                payer_id=remittance.payer_id,
                payment_amount=remittance.payment_amount,
                credit_debit=remittance.credit_debit,
                payment_date=remittance.payment_date,
                body_hash=body,
                status="held" if differences else "posted",
                **key,
            )
            session.add(row)
            session.flush()
            for sequence, clp in enumerate(remittance.claims, start=1):
                stored = _store_claim(session, row.id, sequence, clp)
                if stored.claim_id is None:
                    _open_unmatched_item(session, stored)
            store_provider_adjustments(session, row, remittance.provider_adjustments)
            if differences:
                _open_balance_item(session, row, differences)
            else:
                post_provider_adjustments(self, session, row)
            session.flush()
            return _stored(session, row, False, balanced, differences)

        return self._tx(work)

    def release_remittance(self, remittance_id: int, reason: str) -> RemittanceStored:
        """Let a person post a held 835 as it is (e.g. the payer confirmed it).

        The PLB pairs are journaled, the ``remittance_balance`` work item is
        resolved with the reason, and the CLPs are listed for posting, as
        ``store_remittance`` lists them for a balanced 835. A repeat, or a
        remittance that was never held, changes nothing.

        Args:
            remittance_id: A ``RemittanceStored.remittance_id``.
            reason: Why it may post, in plain words (no PHI).

        Returns:
            The remittance with its CLPs to post.
        """

        def work(session: Session) -> RemittanceStored:
            row = session.get(RemittanceRow, remittance_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"no remittance {remittance_id}")
            if row.status == "held":
                row.status = "posted"
                session.add(row)
                post_provider_adjustments(self, session, row)
                resolve_open_item(
                    session, f"remit-balance:{row.id}", f"released: {reason}"
                )
                session.add(
                    AuditEventRow(
                        event="remittance_released",
                        detail=f"remittance {row.id}: {reason}",
                    )
                )
                session.flush()
            balanced = deposit_figures(session, row).difference == 0
            return _stored(session, row, False, balanced, [])

        return self._tx(work)

    def post_remittance_claim(self, remit_claim_id: int) -> PostingResult:
        """Post one stored CLP to the journal, once.

        Entries: the payer payment (CLP04); one entry per claim- or line-level
        adjustment, CO/OA/PI (and CR) as adjustments; PR as patient
        responsibility assessed (moved to the patient by ``bill_patient``).
        On a denial (CLP02 4, or nothing paid with non-PR adjustments) the
        non-PR adjustments are memo entries (``denied_amount``) that leave the
        charge outstanding until it is rebilled, appealed or written off; so
        are those of a denied line of a claim otherwise paid
        (``RemitLine.is_denied``, see ``claimflow.ledger._memo``). Reversals
        (CLP02 22) post their amounts as sent, so negative, the same way as
        the CLP they take back (memo where it posted memo). A second call
        posts nothing and returns the same figures.

        Args:
            remit_claim_id: A ``RemitClaimMatch.remit_claim_id`` with a claim.

        Returns:
            The amounts posted, the denial flags and the codes seen.
        """

        def work(session: Session) -> PostingResult:
            row, remittance = _rows_to_post(session, remit_claim_id)
            already = row.posted_at is not None
            result = _summarise(session, row, already)
            if not already:
                self._post_entries(session, row, result, _effective_date(remittance))
                detail = f"CLP02 {row.status_code}, {_posting_text(result)}"
                _mark_posted(session, row, detail)
            return result

        return self._tx(work)

    def remit_claim(self, remit_claim_id: int) -> RemitClaim:
        """Return a stored CLP as it was received."""

        def work(session: Session) -> RemitClaim:
            row = session.get(RemitClaimRow, remit_claim_id)
            if row is None:
                raise NotFoundError(f"no remittance claim {remit_claim_id}")
            return RemitClaim.model_validate(row.content)

        return self._tx(work)

    def _post_entries(
        self,
        session: Session,
        row: RemitClaimRow,
        result: PostingResult,
        effective: date,
        account_id: int | None = None,
        adjustments: list[AdjustmentRow] | None = None,
    ) -> None:
        # A secondary's CLP posts to its primary claim's account, without the
        # adjustments that restate the primary (see claimflow.ledger._cob).
        common = {
            "claim_id": account_id or row.claim_id,
            "remit_claim_id": row.id,
            "effective_date": effective,
        }
        self._journal(
            session, f"remit:{row.id}:paid", "payer_payment", row.paid, **common
        )
        if adjustments is None:
            adjustments = _adjustments(session, row.id)
        memo = memo_adjustments(session, row, adjustments, result.denied)
        for adj in adjustments:
            kind = MEMO if adj.id in memo else "adjustment"
            if adj.group_code == PATIENT_GROUP:
                kind = "pr_assessed"
            self._journal(
                session,
                adjustment_key(row.id, adj.id),
                kind,
                adj.amount,
                group_code=adj.group_code,
                reason=adj.reason,
                **common,
            )
        has_pr = any(adj.group_code == PATIENT_GROUP for adj in adjustments)
        if not has_pr and row.patient_responsibility:
            self._journal(
                session,
                f"remit:{row.id}:clp05",
                "pr_assessed",
                row.patient_responsibility,
                group_code=PATIENT_GROUP,
                reason="CLP05",
                **common,
            )


def _adjustments(session: Session, remit_claim_id: int) -> list[AdjustmentRow]:
    return list(
        session.exec(
            select(AdjustmentRow)
            .where(AdjustmentRow.remit_claim_id == remit_claim_id)
            .order_by(AdjustmentRow.id)
        ).all()
    )


def _summarise(session: Session, row: RemitClaimRow, already: bool) -> PostingResult:
    adjustments = _adjustments(session, row.id)
    lines = session.exec(
        select(RemitLineRow)
        .where(RemitLineRow.remit_claim_id == row.id)
        .order_by(RemitLineRow.sequence)
    ).all()
    patient = [a.amount for a in adjustments if a.group_code == PATIENT_GROUP]
    other = [a for a in adjustments if a.group_code != PATIENT_GROUP]
    pr_total = (
        money(sum(patient, Decimal(0))) if patient else row.patient_responsibility
    )
    reversal = row.status_code == REVERSAL
    denied = is_denial(
        row.status_code,
        row.paid,
        [line.paid for line in lines],
        [a.group_code for a in adjustments],
    )
    # What was denied, the whole claim or a line, is a memo: the charge stays
    # owed until someone rebills, appeals or writes it off.
    memo = memo_adjustments(session, row, adjustments, denied)
    memo_total = money(sum((a.amount for a in other if a.id in memo), Decimal(0)))
    other_total = money(sum((a.amount for a in other), Decimal(0)))
    carcs: list[str] = []
    codes: list[str] = []
    for adj in adjustments:
        if adj.reason not in carcs:
            carcs.append(adj.reason)
        code = f"{adj.group_code}-{adj.reason}"
        if code not in codes:
            codes.append(code)
    rarcs: list[str] = []
    for remark in [*row.remarks, *(r for line in lines for r in line.remarks)]:
        if remark not in rarcs:
            rarcs.append(remark)
    return PostingResult(
        remit_claim_id=row.id,
        claim_id=row.claim_id,
        already_posted=already,
        status_code=row.status_code,
        reversal=reversal,
        reverses_remit_claim_id=row.reverses_id,
        paid=row.paid,
        adjusted=other_total - memo_total,
        denied_amount=memo_total,
        patient_responsibility=pr_total,
        denied=denied,
        denied_lines=len(denied_line_numbers(row)),
        carcs=carcs,
        adjustment_codes=codes,
        rarcs=rarcs,
    )


def _rows_to_post(
    session: Session, remit_claim_id: int
) -> tuple[RemitClaimRow, RemittanceRow]:
    """Lock one CLP for posting and refuse what may not post yet.

    The row lock makes a second worker wait for the first one's commit and then
    see it posted (SQLite transactions are serial anyway).
    """
    row = session.get(RemitClaimRow, remit_claim_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no remittance claim {remit_claim_id}")
    if row.claim_id is None:
        raise ValueError(
            f"remittance claim {remit_claim_id} matches no claim; "
            "resolve its work item first"
        )
    remittance = session.get(RemittanceRow, row.remittance_id)
    if remittance.status == "held":
        raise RemittanceHeldError(
            f"remittance claim {remit_claim_id} belongs to an 835 that "
            "does not balance; see its remittance_balance work item"
        )
    return row, remittance


def _posting_text(result: PostingResult) -> str:
    return (
        f"paid {result.paid}, adjusted {result.adjusted}, "
        f"patient {result.patient_responsibility}"
    )


def _mark_posted(session: Session, row: RemitClaimRow, detail: str) -> None:
    row.posted_at = utcnow()
    session.add(row)
    session.add(
        AuditEventRow(claim_id=row.claim_id, event="remittance_posted", detail=detail)
    )
