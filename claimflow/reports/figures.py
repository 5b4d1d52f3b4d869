"""Compute the ledger report from the journal and the posted 835 claims.

Every figure is as of a date the caller passes in: a journal entry counts when
its business date (``effective_date``, or the day it was written for entries
that have none) is on or before that date, and an adjudication when its 835's
payment date (or the day it was stored) is. Nothing here reads the clock.

Definitions:

* Charges are dated by date of service, payer money by the 835's payment
  date, patient payments by the day received.
* Collections by month follow each month of service's charges (a cohort):
  the payments and adjustments posted on the claims served that month, by the
  as-of date, over their charges; beside them the cash received in the
  calendar month, for whatever service.
* A/R is charges less payer payments (net of recoupments), adjustments,
  write-offs and patient payments: what payers and patients still owe.
* Days in A/R is A/R over the average daily charges of the ``window_days``
  days that end on the as-of date.
* Aging counts what payers still owe on each claim (charges less payments,
  adjustments and what was moved to the patient), aged from the date of
  service; credit balances are left out. The patient share a payer left that
  went on to the secondary payer (coordination of benefits) is owed by the
  secondary: it counts under that payer and its secondary claim until the
  secondary's own adjudication settles it.
* A refund of patient credit gives the patient's money back: it adds to A/R
  and to what the patient owes as the payment it undoes took away.
* An adjudication is a posted CLP that is not a reversal and that no reversal
  dated by the as-of date has taken back. A denial is as
  ``claimflow.ledger.rules.is_denial`` says; a line is denied when its claim
  is, or when it is unpaid with an adjustment other than PR. Reason codes
  count once per denied adjudication (or line) they appear in. Each payer is
  judged on its own adjudications: on a secondary's 835, CARC 23 restates
  what the payer before it decided and is neither a denial nor a reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, select

from claimflow.ledger import Ledger
from claimflow.ledger._credit import CREDIT_APPLIED, OVERPAYMENT_TO_CREDIT
from claimflow.ledger.rules import (
    ADJUSTED,
    BILLED,
    PAID,
    PATIENT_GROUP,
    PATIENT_PAID,
    PRIOR_PAYER_CARC,
    RECOUPED,
    REVERSAL,
    TO_PATIENT,
    TO_SECONDARY,
    is_denial,
    transfer_target,
)
from claimflow.ledger.tables import (
    AdjustmentRow,
    ClaimLineRow,
    ClaimRow,
    EncounterRow,
    LedgerEntryRow,
    RemitClaimRow,
    RemitLineRow,
    RemittanceRow,
)
from claimflow.models import money
from claimflow.reports.models import (
    BUCKETS,
    AgingRow,
    DaysInAR,
    DenialRate,
    MonthCollections,
    OutstandingClaim,
    PatientBalanceRow,
    ReasonCount,
    Report,
)

ZERO = Decimal("0.00")
# Patient credit refunded: the patient's money going back out.
REFUNDED = ("patient_refund",)


@dataclass(frozen=True)
class _Entry:
    claim_id: int | None
    patient_id: int | None
    kind: str
    amount: Decimal
    on: date
    key: str = ""


@dataclass(frozen=True)
class _Claim:
    claim_id: int
    payer_id: str
    billing_npi: str
    status: str
    service_date: date
    filing_deadline: date | None


@dataclass
class _Line:
    line_id: int
    procedure: str
    paid: Decimal
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)


@dataclass
class _Adjudication:
    remit_claim_id: int
    claim_id: int
    status_code: str
    paid: Decimal
    reverses_id: int | None
    on: date
    claim_adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    def all_adjustments(self) -> list[tuple[str, str, Decimal]]:
        found = list(self.claim_adjustments)
        for line in self.lines:
            found.extend(line.adjustments)
        return found

    @property
    def denied(self) -> bool:
        return is_denial(
            self.status_code,
            self.paid,
            [line.paid for line in self.lines],
            [group for group, _, _ in self.all_adjustments()],
        )


# ------------------------------------------------------------------ loading


def _entries(session: Session) -> list[_Entry]:
    rows = session.exec(select(LedgerEntryRow).order_by(LedgerEntryRow.id)).all()
    return [
        _Entry(
            row.claim_id,
            row.patient_id,
            row.kind,
            row.amount,
            row.effective_date or row.created_at.date(),
            row.entry_key,
        )
        for row in rows
    ]


def _claims(session: Session) -> dict[int, _Claim]:
    rows = session.exec(
        select(ClaimRow, EncounterRow.service_date).join(
            EncounterRow, EncounterRow.id == ClaimRow.encounter_id
        )
    ).all()
    return {
        claim.id: _Claim(
            claim.id,
            claim.payer_id,
            claim.billing_npi,
            claim.status,
            service_date,
            claim.filing_deadline,
        )
        for claim, service_date in rows
    }


def _adjudications(session: Session) -> list[_Adjudication]:
    found: dict[int, _Adjudication] = {}
    for row, paid_on, stored in session.exec(
        select(RemitClaimRow, RemittanceRow.payment_date, RemittanceRow.created_at)
        .join(RemittanceRow, RemittanceRow.id == RemitClaimRow.remittance_id)
        .where(
            RemitClaimRow.posted_at.is_not(None), RemitClaimRow.claim_id.is_not(None)
        )
        .order_by(RemitClaimRow.id)
    ).all():
        found[row.id] = _Adjudication(
            row.id,
            row.claim_id,
            row.status_code,
            row.paid,
            row.reverses_id,
            paid_on or stored.date(),
        )
    lines: dict[int, _Line] = {}
    for line, billed_code in session.exec(
        select(RemitLineRow, ClaimLineRow.procedure)
        .outerjoin(ClaimLineRow, ClaimLineRow.id == RemitLineRow.claim_line_id)
        .order_by(RemitLineRow.id)
    ).all():
        if line.remit_claim_id in found:
            code = billed_code or line.procedure.split(":")[-1]
            lines[line.id] = _Line(line.id, code, line.paid)
            found[line.remit_claim_id].lines.append(lines[line.id])
    for adj in session.exec(select(AdjustmentRow).order_by(AdjustmentRow.id)).all():
        if adj.reason == PRIOR_PAYER_CARC:
            continue  # the payer before decided it, not this one
        item = (adj.group_code, adj.reason, adj.amount)
        if adj.remit_line_id in lines:
            lines[adj.remit_line_id].adjustments.append(item)
        elif adj.remit_line_id is None and adj.remit_claim_id in found:
            found[adj.remit_claim_id].claim_adjustments.append(item)
    return list(found.values())


# ------------------------------------------------------------------ figures


def _total(entries: list[_Entry], kinds: tuple[str, ...]) -> Decimal:
    return money(sum((e.amount for e in entries if e.kind in kinds), ZERO))


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bucket(age_days: int) -> str:
    """The aging bucket of a balance ``age_days`` old (0-30 ... over 120)."""
    for name, upper in zip(BUCKETS, (30, 60, 90, 120), strict=False):
        if age_days <= upper:
            return name
    return BUCKETS[-1]


def collections_by_month(
    entries: list[_Entry], claims: dict[int, _Claim]
) -> list[MonthCollections]:
    """What became of each month's charges, by month of service.

    A month's row follows the charges of the claims served in it: the payer
    payments (net of recoupments), the patient money and the adjustments
    posted on those claims by the as-of date, whenever they came. So the rates
    cannot pass 100 % but by an overpayment, and an old month's rate rises as
    its claims are paid. ``cash_in_month`` is the other view: the money
    received in the calendar month, whatever month it paid for.
    """
    months: dict[str, list[_Entry]] = defaultdict(list)
    cash: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry.kind in (*PAID, *PATIENT_PAID):
            cash[entry.on.strftime("%Y-%m")] += entry.amount
        elif entry.kind in RECOUPED:
            cash[entry.on.strftime("%Y-%m")] -= entry.amount
        claim = claims.get(entry.claim_id) if entry.claim_id is not None else None
        if claim is not None:
            months[claim.service_date.strftime("%Y-%m")].append(entry)
    rows = []
    for month in sorted(months.keys() | cash.keys()):
        found = months.get(month, [])
        charges = _total(found, BILLED)
        payer = _total(found, PAID) - _total(found, RECOUPED)
        # Patient money on the claims: paid on them, or credit applied to them.
        patient = (
            _total(found, (*PATIENT_PAID, CREDIT_APPLIED))
            - _total(found, (OVERPAYMENT_TO_CREDIT,))
        )
        adjusted = _total(found, ADJUSTED)
        rows.append(
            MonthCollections(
                month=month,
                charges=charges,
                payer_payments=payer,
                patient_payments=patient,
                adjustments=adjusted,
                collections=payer + patient,
                collection_rate=_percent(payer + patient, charges) if charges else None,
                settled_rate=(
                    _percent(payer + patient + adjusted, charges) if charges else None
                ),
                cash_in_month=money(cash.get(month, ZERO)),
            )
        )
    return rows


def ar_balance(entries: list[_Entry]) -> Decimal:
    """What payers and patients still owe, from the journal entries given."""
    return (
        _total(entries, BILLED)
        - _total(entries, PAID)
        + _total(entries, RECOUPED)
        - _total(entries, ADJUSTED)
        - _total(entries, PATIENT_PAID)
        + _total(entries, REFUNDED)
    )


def days_in_ar(entries: list[_Entry], as_of: date, window_days: int) -> DaysInAR:
    """A/R over the average daily charges of the window ending on ``as_of``."""
    start = as_of - timedelta(days=window_days - 1)
    charges = _total([e for e in entries if start <= e.on], BILLED)
    balance = ar_balance(entries)
    days = None
    if charges:
        days = (balance * window_days / charges).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return DaysInAR(
        ar_balance=balance,
        window_days=window_days,
        window_charges=charges,
        days=days,
    )


def payer_owed(entries: list[_Entry]) -> dict[int, Decimal]:
    """What payers still owe per claim: charges less payments, adjustments, PR moved."""
    by_claim: dict[int, list[_Entry]] = defaultdict(list)
    for entry in entries:
        if entry.claim_id is not None:
            by_claim[entry.claim_id].append(entry)
    return {
        claim_id: _total(found, BILLED)
        - _total(found, PAID)
        + _total(found, RECOUPED)
        - _total(found, ADJUSTED)
        - _total(found, TO_PATIENT)
        for claim_id, found in by_claim.items()
    }


def owed_by_secondaries(
    owed: dict[int, Decimal], entries: list[_Entry]
) -> dict[int, Decimal]:
    """Put what the secondary payers owe on their own claims.

    An account's payer balance is owed first by the last payer its patient
    share went on to (a tertiary before a secondary), each up to the share
    moved to it net of any transfer taken back; the rest stays with the
    account's own claim. The totals are the same.
    """
    moved: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for entry in entries:
        target = transfer_target(entry.key) if entry.kind in TO_SECONDARY else None
        if target is not None and entry.claim_id is not None:
            shares = moved[entry.claim_id]
            shares[target] = shares.get(target, ZERO) + entry.amount
    found = dict(owed)
    for account, shares in moved.items():
        left = found.get(account, ZERO)
        for claim_id in reversed(list(shares)):
            part = min(left, max(shares[claim_id], ZERO))
            if part > 0:
                found[claim_id] = money(part)
                left -= part
        found[account] = money(left)
    return found


def aging_by_payer(
    owed: dict[int, Decimal], claims: dict[int, _Claim], as_of: date
) -> list[AgingRow]:
    """Positive payer balances per payer and bucket, then an "ALL" row."""
    table: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(BUCKETS, ZERO)
    )
    for claim_id, amount in owed.items():
        if amount <= 0:
            continue
        claim = claims[claim_id]
        age = (as_of - claim.service_date).days
        for payer in (claim.payer_id, "ALL"):
            table[payer][bucket(age)] += amount
    payers = sorted(p for p in table if p != "ALL")
    return [
        AgingRow(payer_id=p, buckets=table[p], total=money(sum(table[p].values())))
        for p in [*payers, "ALL"]
        if p in table
    ]


def _reason_counts(
    denied: list[list[tuple[str, str, Decimal]]], top: int
) -> list[ReasonCount]:
    counts: Counter[str] = Counter()
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for adjustments in denied:
        codes = set()
        for group, reason, amount in adjustments:
            if group == PATIENT_GROUP:
                continue
            code = f"{group}-{reason}"
            codes.add(code)
            amounts[code] += amount
        counts.update(codes)
    ranked = sorted(counts, key=lambda c: (-counts[c], -amounts[c], c))
    return [
        ReasonCount(code=c, count=counts[c], amount=money(amounts[c]))
        for c in ranked[:top]
    ]


def _rates(
    outcomes: dict[str, list[tuple[bool, list[tuple[str, str, Decimal]]]]],
    top: int,
) -> list[DenialRate]:
    rows = []
    for key in sorted(outcomes):
        found = outcomes[key]
        denied = [adjustments for is_denied, adjustments in found if is_denied]
        rows.append(
            DenialRate(
                key=key,
                adjudicated=len(found),
                denied=len(denied),
                rate=_percent(len(denied), len(found)),
                top_reasons=_reason_counts(denied, top),
            )
        )
    return rows


def standing_adjudications(
    adjudications: list[_Adjudication], as_of: date
) -> list[_Adjudication]:
    """Adjudications dated by ``as_of`` that no reversal by then has undone."""
    dated = [a for a in adjudications if a.on <= as_of]
    undone = {a.reverses_id for a in dated if a.status_code == REVERSAL}
    return [
        a for a in dated if a.status_code != REVERSAL and a.remit_claim_id not in undone
    ]


def denial_rates(
    adjudications: list[_Adjudication], claims: dict[int, _Claim], top: int = 3
) -> tuple[list[DenialRate], list[DenialRate], list[DenialRate]]:
    """Denial rates by payer, by billing provider and by procedure code."""
    by_payer: dict[str, list] = defaultdict(list)
    by_provider: dict[str, list] = defaultdict(list)
    by_procedure: dict[str, list] = defaultdict(list)
    for item in adjudications:
        claim = claims[item.claim_id]
        outcome = (item.denied, item.all_adjustments())
        by_payer[claim.payer_id].append(outcome)
        by_provider[claim.billing_npi].append(outcome)
        for line in item.lines:
            own = [a for a in line.adjustments if a[0] != PATIENT_GROUP]
            line_denied = item.denied or (line.paid == 0 and bool(own))
            reasons = line.adjustments if own else item.claim_adjustments
            by_procedure[line.procedure].append((line_denied, reasons))
    return _rates(by_payer, top), _rates(by_provider, top), _rates(by_procedure, top)


def patient_balances(entries: list[_Entry]) -> list[PatientBalanceRow]:
    """What each patient owes: amounts moved to them less their payments."""
    by_patient: dict[int, list[_Entry]] = defaultdict(list)
    for entry in entries:
        if entry.patient_id is not None:
            by_patient[entry.patient_id].append(entry)
    rows = []
    for patient_id in sorted(by_patient):
        found = by_patient[patient_id]
        owed = (
            _total(found, TO_PATIENT)
            - _total(found, PATIENT_PAID)
            + _total(found, REFUNDED)
        )
        if owed:
            rows.append(PatientBalanceRow(patient_id=patient_id, owed=owed))
    return rows


def outstanding_claims(
    owed: dict[int, Decimal], claims: dict[int, _Claim], as_of: date
) -> list[OutstandingClaim]:
    """Claims payers still owe on, soonest filing deadline first."""
    rows = []
    for claim_id, amount in owed.items():
        if amount <= 0:
            continue
        claim = claims[claim_id]
        deadline = claim.filing_deadline
        rows.append(
            OutstandingClaim(
                claim_id=claim_id,
                payer_id=claim.payer_id,
                status=claim.status,
                service_date=claim.service_date,
                outstanding=amount,
                filing_deadline=deadline,
                days_to_deadline=(deadline - as_of).days if deadline else None,
            )
        )
    return sorted(
        rows,
        key=lambda r: (
            r.filing_deadline is None,
            r.filing_deadline or as_of,
            r.claim_id,
        ),
    )


def build_report(ledger: Ledger, as_of: date, window_days: int = 90) -> Report:
    """Compute every figure of the report as of a date.

    Args:
        ledger: The ledger to read (in one read-only transaction).
        as_of: The date the figures are for; later entries are left out.
        window_days: The days of charges that days in A/R averages over.

    Returns:
        The report.
    """
    with Session(ledger.engine) as session, session.begin():
        claims = _claims(session)
        entries = [e for e in _entries(session) if e.on <= as_of]
        adjudications = standing_adjudications(_adjudications(session), as_of)
    owed = owed_by_secondaries(payer_owed(entries), entries)
    by_payer, by_provider, by_procedure = denial_rates(adjudications, claims)
    return Report(
        as_of=as_of,
        collections_by_month=collections_by_month(entries, claims),
        days_in_ar=days_in_ar(entries, as_of, window_days),
        aging_by_payer=aging_by_payer(owed, claims, as_of),
        denials_by_payer=by_payer,
        denials_by_provider=by_provider,
        denials_by_procedure=by_procedure,
        patient_balances=patient_balances(entries),
        outstanding_claims=outstanding_claims(owed, claims, as_of),
    )
