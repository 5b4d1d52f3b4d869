"""Coordination of benefits: the primary's patient share goes on to the secondary.

When the primary payer's 835 leaves patient responsibility (PR) and the patient
has coverage one priority down, that share is not the patient's yet.
``start_secondary`` makes the secondary claim and moves the share to the
secondary payer with an explicit ``transfer_to_secondary`` entry.

The secondary claim has its own claim row (its own versions, patient control
number, status and submissions, so its 999, 277CA and 835 find it), but no
money of its own: the primary claim's account holds the charge and every
payer's money. The secondary's 835 posts there (``post_remittance``) without
its CARC 23 adjustments, which restate what the primary paid and adjusted, and
``bill_patient`` then moves to the patient only the PR the secondary leaves.
So ``billed = paid + adjusted + patient responsibility + outstanding`` holds on
the account, to the cent, across both payers.

When the primary payer reverses its 835 (CLP02 22) after the share went on,
the share the secondary was billed no longer stands: the transfer is undone by
a reversing ``transfer_to_secondary`` entry (negative, never a rewrite) and
the secondary claim gets a work item in ``COB_QUEUE``. It is flagged, not
voided by itself: a reversal usually comes with the payer's corrected
adjudication, and the secondary may have paid already, so whether to void it
(frequency 8) or send it corrected (frequency 7) is a biller's call.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from claimflow.ledger._base import LedgerBase
from claimflow.ledger._claims import (
    _account_row,
    _add_version,
    _claim_row,
    _rebuild,
    _version_row,
)
from claimflow.ledger._memo import denied_line_numbers, memo_adjustments
from claimflow.ledger._money import _claim_entries, _sum
from claimflow.ledger._patients import _NEXT_PRIORITY, _active, latest_primary_remit
from claimflow.ledger._remits import (
    _adjustments,
    _effective_date,
    _mark_posted,
    _posting_text,
    _rows_to_post,
)
from claimflow.ledger.errors import NotFoundError
from claimflow.ledger.results import PostingResult, SecondaryClaim
from claimflow.ledger.rules import (
    PATIENT_GROUP,
    PRIOR_PAYER_CARC,
    REVERSAL,
    TO_PATIENT,
    TO_SECONDARY,
    is_denial,
    transfer_key,
)
from claimflow.ledger.tables import (
    AdjustmentRow,
    AuditEventRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    LedgerEntryRow,
    PayerRow,
    RemitClaimRow,
    RemitLineRow,
    RemittanceRow,
    WorkItemRow,
    utcnow,
)
from claimflow.models import Claim, Coverage, RemitClaim, money
from claimflow.x12 import build_secondary_claim

ZERO = Decimal("0.00")
# Where a secondary claim billed on an adjudication its payer reversed waits.
COB_QUEUE = "Billing-Corrections"


def _secondary_row(session: Session, claim_id: int) -> ClaimRow | None:
    """The claim made for the next payer after this one, if there is one yet."""
    return session.exec(
        select(ClaimRow).where(ClaimRow.primary_claim_id == claim_id)
    ).first()


def _undo_transfer_after_reversal(
    ledger: LedgerBase, session: Session, remit_claim_id: int
) -> Decimal:
    """Take back the share moved to the secondary when its basis is reversed.

    Returns:
        The amount taken back now (zero when the CLP is no posted reversal,
        the claim has no secondary, or the transfer is undone already).
    """
    row = session.get(RemitClaimRow, remit_claim_id)
    if row.status_code != REVERSAL or row.posted_at is None or row.claim_id is None:
        return ZERO
    secondary = _secondary_row(session, row.claim_id)
    if secondary is None:
        return ZERO
    key = transfer_key(row.claim_id, secondary.id)
    account = _account_row(session, row.claim_id)
    transfers = session.exec(
        select(LedgerEntryRow).where(
            LedgerEntryRow.claim_id == account.id,
            LedgerEntryRow.kind == "transfer_to_secondary",
            (LedgerEntryRow.entry_key == key)
            | LedgerEntryRow.entry_key.startswith(f"{key}:undone:"),
        )
    ).all()
    standing = _sum(list(transfers), TO_SECONDARY)
    if standing <= 0:
        return ZERO
    remittance = session.get(RemittanceRow, row.remittance_id)
    primary_payer = _claim_row(session, row.claim_id).payer_id
    ledger._journal(
        session,
        f"{key}:undone:{row.id}",
        "transfer_to_secondary",
        -standing,
        claim_id=account.id,
        patient_id=account.patient_id,
        reason=f"CLP02 22 on claim {row.claim_id}: share back from claim "
        f"{secondary.id}",
        effective_date=_effective_date(remittance),
    )
    session.add(
        WorkItemRow(
            key=f"cob-reversed:{row.id}",
            claim_id=secondary.id,
            queue=COB_QUEUE,
            title="Secondary claim billed on a reversed adjudication",
            reason=(
                f"{primary_payer} reversed claim {row.claim_id} (CLP02 22) after "
                f"its patient share of {standing} went to secondary claim "
                f"{secondary.id} ({secondary.payer_id}); the transfer is undone. "
                f"Void claim {secondary.id} with {secondary.payer_id} (frequency 8), "
                "or send it corrected (frequency 7) once the corrected adjudication "
                "posts."
            ),
        )
    )
    session.add(
        AuditEventRow(
            claim_id=row.claim_id,
            event="secondary_transfer_undone",
            detail=f"{standing} back from claim {secondary.id} after CLP02 22",
        )
    )
    return standing


def _own(adjustments: list[AdjustmentRow]) -> list[AdjustmentRow]:
    """A payer's own adjustments: those not restating a prior payer (CARC 23)."""
    return [a for a in adjustments if a.reason != PRIOR_PAYER_CARC]


def _lines(session: Session, remit_claim_id: int) -> list[RemitLineRow]:
    return list(
        session.exec(
            select(RemitLineRow)
            .where(RemitLineRow.remit_claim_id == remit_claim_id)
            .order_by(RemitLineRow.sequence)
        ).all()
    )


def _denied(session: Session, row: RemitClaimRow) -> bool:
    own = _own(_adjustments(session, row.id))
    lines = [line.paid for line in _lines(session, row.id)]
    return is_denial(row.status_code, row.paid, lines, [a.group_code for a in own])


def _patient_share_left(session: Session, account_id: int) -> Decimal:
    """PR assessed on the account that is neither the patient's nor moved on."""
    entries = _claim_entries(session, [account_id])
    return (
        _sum(entries, ("pr_assessed",))
        - _sum(entries, TO_PATIENT)
        - _sum(entries, TO_SECONDARY)
    )


def _next_coverage(
    session: Session, claim: ClaimRow, billed: Claim
) -> CoverageRow | None:
    """The coverage a claim goes on to after its payer.

    The one its encounter named (``set_next_coverage``), else the patient's
    coverage one priority down that is active on the date of service and that
    no other claim names as its own (such a row is that claim's, e.g. the
    demo's re-dated copy of a sample span).
    """
    if claim.next_coverage_id is not None:
        return session.get(CoverageRow, claim.next_coverage_id)
    named = set(
        session.exec(
            select(ClaimRow.next_coverage_id).where(
                ClaimRow.next_coverage_id.is_not(None)
            )
        ).all()
    )
    found = [
        row
        for row in session.exec(
            select(CoverageRow)
            .where(
                CoverageRow.patient_id == claim.patient_id,
                CoverageRow.priority == _NEXT_PRIORITY.get(billed.coverage.priority),
            )
            .order_by(CoverageRow.id)
        ).all()
        if _active(row, billed.from_date) and row.id not in named
    ]
    return found[-1] if found else None


def _next_claim_for(session: Session, claim_id: int) -> Claim | None:
    """The claim for the next payer, built from the standing adjudication."""
    claim = _claim_row(session, claim_id)
    remit = latest_primary_remit(session, claim_id)
    if remit is None:
        return None
    billed = _rebuild(session, _version_row(session, claim_id, remit.version))
    row = _next_coverage(session, claim, billed)
    if row is None:
        return None
    payer = session.get(PayerRow, row.payer_id)
    coverage = Coverage(
        payer_name=payer.name, **row.model_dump(exclude={"id", "patient_id"})
    )
    return build_secondary_claim(
        billed, RemitClaim.model_validate(remit.content), coverage
    )


def _describe(session: Session, row: ClaimRow) -> SecondaryClaim:
    """The secondary claim with the adjudication of the claim before it."""
    before = _claim_row(session, row.primary_claim_id)
    account = _account_row(session, row.id)
    claim = _rebuild(session, _version_row(session, row.id, 1))
    moved = session.exec(
        select(LedgerEntryRow.amount).where(
            LedgerEntryRow.entry_key == transfer_key(before.id, row.id)
        )
    ).first()
    remit = latest_primary_remit(session, before.id)
    adjusted = ZERO
    if remit is not None:
        adjusted = money(
            sum(
                (
                    a.amount
                    for a in _own(_adjustments(session, remit.id))
                    if a.group_code != PATIENT_GROUP
                ),
                ZERO,
            )
        )
    return SecondaryClaim(
        claim_id=row.id,
        primary_claim_id=before.id,
        account_claim_id=account.id,
        payer_id=claim.coverage.payer_id,
        payer_name=claim.coverage.payer_name,
        billing_npi=row.billing_npi,
        service_date=claim.from_date,
        billed=claim.total_charge,
        transferred=money(moved or ZERO),
        primary_payer_id=before.payer_id,
        primary_paid=remit.paid if remit is not None else ZERO,
        primary_adjusted=adjusted,
        primary_payer_claim_number=remit.payer_claim_number if remit else None,
    )


def _coordination_summary(
    session: Session, row: RemitClaimRow, already: bool
) -> PostingResult:
    """What a secondary's CLP means for the account, CARC 23 left out."""
    adjustments = _own(_adjustments(session, row.id))
    lines = _lines(session, row.id)
    patient = [a.amount for a in adjustments if a.group_code == PATIENT_GROUP]
    other = [a for a in adjustments if a.group_code != PATIENT_GROUP]
    other_total = money(sum((a.amount for a in other), ZERO))
    denied = _denied(session, row)
    memo = memo_adjustments(session, row, adjustments, denied)
    memo_total = money(sum((a.amount for a in other if a.id in memo), ZERO))
    codes: list[str] = []
    for adj in _adjustments(session, row.id):
        code = f"{adj.group_code}-{adj.reason}"
        if code not in codes:
            codes.append(code)
    return PostingResult(
        remit_claim_id=row.id,
        claim_id=row.claim_id,
        already_posted=already,
        status_code=row.status_code,
        reversal=row.status_code == REVERSAL,
        reverses_remit_claim_id=row.reverses_id,
        paid=row.paid,
        adjusted=other_total - memo_total,
        denied_amount=memo_total,
        patient_responsibility=(
            money(sum(patient, ZERO)) if patient else row.patient_responsibility
        ),
        denied=denied,
        denied_lines=len(denied_line_numbers(row)),
        carcs=list(dict.fromkeys(c.split("-", 1)[1] for c in codes)),
        adjustment_codes=codes,
        rarcs=list(
            dict.fromkeys([*row.remarks, *(r for ln in lines for r in ln.remarks)])
        ),
    )


class CobMixin(LedgerBase):
    """Secondary claims and the money that moves between payers."""

    def account_claim(self, claim_id: int) -> int:
        """Return the claim whose account holds this claim's money.

        A secondary (or tertiary) claim has no money of its own: its payments,
        adjustments and patient share are on the primary claim's account. Any
        other claim is its own account.
        """
        return self._tx(lambda session: _account_row(session, claim_id).id)

    def secondary_claims(self) -> dict[int, int]:
        """Return every secondary claim id with the claim billed before it."""

        def work(session: Session) -> dict[int, int]:
            rows = session.exec(
                select(ClaimRow.id, ClaimRow.primary_claim_id).where(
                    ClaimRow.primary_claim_id.is_not(None)
                )
            ).all()
            return {claim_id: before for claim_id, before in rows}

        return self._tx(work)

    def set_next_coverage(self, claim_id: int, coverage_id: int) -> None:
        """Name the coverage a claim goes on to after its payer (its secondary).

        The encounter knows the patient's coverages in order; when it names
        the next one, ``start_secondary`` bills that coverage and no other.

        Raises:
            NotFoundError: No such claim, or no such coverage of its patient.
        """

        def work(session: Session) -> None:
            claim = _claim_row(session, claim_id)
            coverage = session.get(CoverageRow, coverage_id)
            if coverage is None or coverage.patient_id != claim.patient_id:
                raise NotFoundError(
                    f"no coverage {coverage_id} of claim {claim_id}'s patient"
                )
            if claim.next_coverage_id != coverage_id:
                claim.next_coverage_id = coverage_id
                session.add(claim)
                session.add(
                    AuditEventRow(
                        claim_id=claim_id,
                        event="next_coverage",
                        detail=f"{coverage.payer_id} ({coverage.priority})",
                    )
                )

        self._tx(work)

    def start_secondary(
        self, claim_id: int, on: date | None = None
    ) -> SecondaryClaim | None:
        """Make the secondary claim and move the primary's PR to that payer.

        Nothing happens (None) when the claim's standing adjudication is a
        denial, when no PR is left that is neither the patient's nor already
        with another payer, or when there is no next coverage: the one the
        encounter named (``set_next_coverage``), else the patient's coverage
        one priority down active on the date of service (as
        ``secondary_claim`` finds it). Otherwise the secondary claim is
        saved as version 1 of a claim of its own (an original claim, frequency
        1, linked to this one by ``primary_claim_id``; its encounter row is the
        same visit, keyed after this claim's), and one
        ``transfer_to_secondary`` entry on the account records the PR moved.
        The charge stays outstanding, now owed by the secondary payer: no
        statement or report shows it as the patient's. A repeat returns the
        same claim and moves nothing.

        Args:
            claim_id: The claim the payer before the secondary adjudicated.
            on: The business date of the transfer (today when not given).

        Returns:
            The secondary claim with the primary's adjudication, or None.

        Raises:
            X12BuildError: An 835 service line matches no line of the claim.
        """

        def work(session: Session) -> SecondaryClaim | None:
            found = _secondary_row(session, claim_id)
            if found is not None:
                return _describe(session, found)
            remit = latest_primary_remit(session, claim_id)
            if remit is None or _denied(session, remit):
                return None
            primary = _claim_row(session, claim_id)
            account = _account_row(session, claim_id)
            share = _patient_share_left(session, account.id)
            if share <= 0:
                return None
            claim = _next_claim_for(session, claim_id)
            if claim is None:
                return None
            visit = session.get(EncounterRow, primary.encounter_id)
            encounter = EncounterRow(
                encounter_key=f"{visit.encounter_key}#{claim.coverage.priority}",
                patient_id=primary.patient_id,
                service_date=visit.service_date,
            )
            session.add(encounter)
            session.flush()
            row = ClaimRow(
                encounter_id=encounter.id,
                patient_id=primary.patient_id,
                payer_id=claim.coverage.payer_id,
                billing_npi=primary.billing_npi,
                primary_claim_id=claim_id,
            )
            session.add(row)
            session.flush()
            _add_version(
                session,
                row.id,
                1,
                claim.model_copy(update={"encounter_id": encounter.id}),
                claim.lines,
                claim.diagnoses,
                "1",
                None,
            )
            self._journal(
                session,
                transfer_key(claim_id, row.id),
                "transfer_to_secondary",
                share,
                claim_id=account.id,
                patient_id=primary.patient_id,
                reason=f"PR to {claim.coverage.payer_id} on claim {row.id}",
                effective_date=on or utcnow().date(),
            )
            session.add(
                AuditEventRow(
                    claim_id=claim_id,
                    event="secondary_started",
                    detail=f"{share} to {claim.coverage.payer_id}, claim {row.id}",
                )
            )
            session.add(
                AuditEventRow(
                    claim_id=row.id,
                    event="claim_created",
                    detail=f"secondary to claim {claim_id}",
                )
            )
            session.flush()
            return _describe(session, row)

        return self._tx(work)

    def post_remittance(self, remit_claim_id: int) -> PostingResult:
        """Post one stored CLP to the account its claim's money belongs to.

        A CLP of a primary claim posts as ``post_remittance_claim`` says. A
        secondary's CLP posts to the primary claim's account: its payment, its
        own adjustments (CO/OA/PI as adjustments, PR as patient responsibility
        assessed) and, on a denial, memo entries, but not the CARC 23
        adjustments, which restate the primary's adjudication already on the
        account. A reversal posts its amounts as sent; a primary's reversal
        after its share went on to a secondary also undoes that transfer and
        flags the secondary claim for a person. Posted once, however often
        called.

        Args:
            remit_claim_id: A ``RemitClaimMatch.remit_claim_id`` with a claim.

        Returns:
            The amounts posted (without CARC 23), the denial flags and codes;
            ``claim_id`` is the claim the CLP is for.
        """

        def secondary(session: Session) -> bool:
            row = session.get(RemitClaimRow, remit_claim_id)
            if row is None:
                raise NotFoundError(f"no remittance claim {remit_claim_id}")
            if row.claim_id is None:
                return False
            return _claim_row(session, row.claim_id).primary_claim_id is not None

        if not self._tx(secondary):
            posted = self.post_remittance_claim(remit_claim_id)
            self._tx(
                lambda session: _undo_transfer_after_reversal(
                    self, session, remit_claim_id
                )
            )
            return posted

        def work(session: Session) -> PostingResult:
            row, remittance = _rows_to_post(session, remit_claim_id)
            already = row.posted_at is not None
            result = _coordination_summary(session, row, already)
            if already:
                return result
            account = _account_row(session, row.claim_id).id
            self._post_entries(
                session,
                row,
                result,
                _effective_date(remittance),
                account_id=account,
                adjustments=_own(_adjustments(session, row.id)),
            )
            _mark_posted(
                session,
                row,
                f"secondary CLP02 {row.status_code}, {_posting_text(result)}, "
                f"to the account of claim {account}",
            )
            return result

        return self._tx(work)
