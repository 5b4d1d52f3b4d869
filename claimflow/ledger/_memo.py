"""Which adjustments of a CLP are a memo: denied money that stays owed.

A denial writes nothing off. When the payer denies a claim, or a line of a
claim it otherwise paid, the CO/OA/PI adjustments of what it denied are posted
as ``denial`` memo entries: the charge stays outstanding, owed by the payer,
until a person corrects and resubmits it (the corrected claim's 835 posts),
appeals it, or writes it off (an explicit ``write_off`` entry with the
reason). Contractual adjustments of paid lines (CO-45 and the like) close
their part of the charge as ``adjustment`` entries.

A line is denied as ``RemitLine.is_denied`` says, the definition the denial
routing (``remit.denied_lines``) uses: the lines that send a claim's flow to
its denial table are the lines whose payer adjustments stay owed. (An unpaid
line with only PR counts there too; it has no payer adjustment to hold, and
its PR goes to the patient as on any line.)

A reversal (CLP02 22) follows the CLP it takes back: an adjustment of the
reversal is a memo when the same line's adjustment with the same group and
reason posted as one, so memo and adjustments are each taken back in kind.

Entries posted before denied lines were memos (a denied line's CO posted as
an ``adjustment``) are left as they were: the journal is never rewritten, and
re-opening those charges would leave balances on claims whose workflows have
ended with no person asked to decide. Their reversals take them back as they
posted, since a reversal follows the entries of the CLP it undoes.
"""

from __future__ import annotations

from sqlmodel import Session, select

from claimflow.ledger.rules import PATIENT_GROUP, REVERSAL
from claimflow.ledger.tables import (
    AdjustmentRow,
    LedgerEntryRow,
    RemitClaimRow,
    RemitLineRow,
)
from claimflow.models import RemitClaim

MEMO = "denial"


def adjustment_key(remit_claim_id: int, adjustment_id: int) -> str:
    """The journal entry key of one posted CAS adjustment."""
    return f"remit:{remit_claim_id}:adj:{adjustment_id}"


def _line_numbers(session: Session, remit_claim_id: int) -> dict[int, int]:
    """Each stored service line's id and its position in the CLP (from 1)."""
    rows = session.exec(
        select(RemitLineRow.id, RemitLineRow.sequence).where(
            RemitLineRow.remit_claim_id == remit_claim_id
        )
    ).all()
    return dict(rows)


def denied_line_numbers(row: RemitClaimRow) -> set[int]:
    """Positions (from 1) of the CLP's service lines the payer denied."""
    clp = RemitClaim.model_validate(row.content)
    return {n for n, line in enumerate(clp.lines, start=1) if line.is_denied()}


def _posted_as_memo(
    session: Session, remit_claim_id: int
) -> set[tuple[int | None, str, str]]:
    """Line position, group and reason of each adjustment a CLP posted as memo."""
    keys = set(
        session.exec(
            select(LedgerEntryRow.entry_key).where(
                LedgerEntryRow.remit_claim_id == remit_claim_id,
                LedgerEntryRow.kind == MEMO,
            )
        ).all()
    )
    if not keys:
        return set()
    numbers = _line_numbers(session, remit_claim_id)
    adjustments = session.exec(
        select(AdjustmentRow).where(AdjustmentRow.remit_claim_id == remit_claim_id)
    ).all()
    return {
        (numbers.get(a.remit_line_id), a.group_code, a.reason)
        for a in adjustments
        if adjustment_key(remit_claim_id, a.id) in keys
    }


def memo_adjustments(
    session: Session,
    row: RemitClaimRow,
    adjustments: list[AdjustmentRow],
    claim_denied: bool,
) -> set[int]:
    """The ids of the adjustments that post as a memo instead of closing money.

    Args:
        session: The open ledger session.
        row: The stored CLP.
        adjustments: Its adjustments that post (a secondary's without CARC 23).
        claim_denied: Whether the whole CLP is a denial (``rules.is_denial``):
            then every non-PR adjustment is a memo.

    Returns:
        Adjustment ids; PR adjustments are never among them.
    """
    other = [a for a in adjustments if a.group_code != PATIENT_GROUP]
    numbers = _line_numbers(session, row.id)
    if row.status_code == REVERSAL:
        if row.reverses_id is None:
            return set()
        memo = _posted_as_memo(session, row.reverses_id)
        return {
            a.id
            for a in other
            if (numbers.get(a.remit_line_id), a.group_code, a.reason) in memo
        }
    if claim_denied:
        return {a.id for a in other}
    denied = denied_line_numbers(row)
    return {a.id for a in other if numbers.get(a.remit_line_id) in denied}
