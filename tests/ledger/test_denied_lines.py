"""A line denied inside a paid claim stays owed until a person decides.

Hand-computed 835: claim 300.00; line 1 200.00 paid 150.00 with CO-45 50.00;
line 2 100.00 paid nothing with CO-97 100.00. The CO-45 closes 50.00 of line
1; the CO-97 is a memo, so line 2's 100.00 stays outstanding, owed by the
payer: paid 150.00 + adjusted 50.00 + outstanding 100.00 = billed 300.00.
"""

from decimal import Decimal

from ledger_builders import adj, balance_of, clp, line, remittance, store
from sqlmodel import Session, select

from claimflow.ledger.tables import LedgerEntryRow
from dsl.fields import denied_lines

D = Decimal


def _partly_denied(pcn: str, status: str = "1", sign: str = ""):
    """The hand-computed CLP; ``sign="-"`` and status 22 make its reversal."""
    return clp(
        pcn,
        status,
        f"{sign}300.00",
        f"{sign}150.00",
        lines=[
            line(
                f"{pcn}L1",
                f"{sign}200.00",
                f"{sign}150.00",
                adj("CO-45", f"{sign}50.00"),
            ),
            line(
                f"{pcn}L2", f"{sign}100.00", "0.00", adj("CO-97", f"{sign}100.00")
            ),
        ],
    )


def _entries(ledger, claim_id):
    """(kind, group, reason, amount) of the claim's 835 and write-off entries."""
    with Session(ledger.engine) as session:
        rows = session.exec(
            select(LedgerEntryRow)
            .where(
                LedgerEntryRow.claim_id == claim_id,
                LedgerEntryRow.kind != "charge",
            )
            .order_by(LedgerEntryRow.id)
        ).all()
        return [(r.kind, r.group_code, r.reason, r.amount) for r in rows]


def _post(ledger, *clps, trace):
    stored = store(ledger, remittance(*clps, trace=trace))
    return [ledger.post_remittance_claim(c.remit_claim_id) for c in stored.claims]


def test_denied_line_is_a_memo_and_its_charge_stays_outstanding(ledger, new_claim):
    claim_id = new_claim(["200.00", "100.00"])
    remit_clp = _partly_denied(f"C{claim_id}V1")

    (result,) = _post(ledger, remit_clp, trace="TRN-DL1")

    # The routing's count and the ledger's are the same definition.
    assert denied_lines(remit_clp) == 1
    assert (result.denied, result.denied_lines) == (False, 1)
    assert (result.paid, result.adjusted, result.denied_amount) == (
        D("150.00"),
        D("50.00"),
        D("100.00"),
    )
    assert result.adjustment_codes == ["CO-45", "CO-97"]
    assert _entries(ledger, claim_id) == [
        ("payer_payment", None, None, D("150.00")),
        ("adjustment", "CO", "45", D("50.00")),
        ("denial", "CO", "97", D("100.00")),
    ]
    # billed, paid, adjusted, patient, outstanding
    assert balance_of(ledger, claim_id) == (
        D("300.00"),
        D("150.00"),
        D("50.00"),
        0,
        D("100.00"),
    )

    # A person decides to write the denied line off: exactly its 100.00 goes.
    assert ledger.write_off(claim_id, "CO-97 bundled, not appealed") == D("100.00")
    assert _entries(ledger, claim_id)[-1] == (
        "write_off",
        None,
        "CO-97 bundled, not appealed",
        D("100.00"),
    )
    assert balance_of(ledger, claim_id) == (
        D("300.00"),
        D("150.00"),
        D("150.00"),
        0,
        0,
    )


def test_reversal_takes_back_memo_and_adjustment_in_kind(ledger, new_claim):
    claim_id = new_claim(["200.00", "100.00"])
    pcn = f"C{claim_id}V1"
    _post(ledger, _partly_denied(pcn), trace="TRN-DL2")

    (undo,) = _post(ledger, _partly_denied(pcn, "22", "-"), trace="TRN-DL2R")

    assert (undo.reversal, undo.denied, undo.denied_lines) == (True, False, 0)
    assert (undo.paid, undo.adjusted, undo.denied_amount) == (
        D("-150.00"),
        D("-50.00"),
        D("-100.00"),
    )
    assert _entries(ledger, claim_id)[3:] == [
        ("payer_payment", None, None, D("-150.00")),
        ("adjustment", "CO", "45", D("-50.00")),
        ("denial", "CO", "97", D("-100.00")),
    ]
    # Back to nothing adjudicated: the whole charge is owed again.
    assert balance_of(ledger, claim_id) == (D("300.00"), 0, 0, 0, D("300.00"))


def test_corrected_claim_pays_the_denied_line_and_posts_normally(ledger, new_claim):
    claim_id = new_claim(["200.00", "100.00"])
    _post(ledger, _partly_denied(f"C{claim_id}V1"), trace="TRN-DL3")
    ledger.new_version(
        claim_id, diagnoses=["J02.0"], original_payer_claim_number="PAYER-1"
    )
    pcn = f"C{claim_id}V2"
    corrected = clp(
        pcn,
        "1",
        "300.00",
        "230.00",
        lines=[
            line(f"{pcn}L1", "200.00", "150.00", adj("CO-45", "50.00")),
            line(f"{pcn}L2", "100.00", "80.00", adj("CO-45", "20.00")),
        ],
    )

    # The payer takes the first adjudication back and pays the corrected claim.
    undo, paid = _post(
        ledger,
        _partly_denied(f"C{claim_id}V1", "22", "-"),
        corrected,
        trace="TRN-DL3C",
    )

    assert undo.denied_amount == D("-100.00")
    assert (paid.denied, paid.denied_lines, paid.denied_amount) == (
        False,
        0,
        D("0.00"),
    )
    assert (paid.paid, paid.adjusted) == (D("230.00"), D("70.00"))
    assert balance_of(ledger, claim_id) == (
        D("300.00"),
        D("230.00"),
        D("70.00"),
        0,
        0,
    )


def test_unpaid_line_of_only_patient_share_is_billed_not_memo(ledger, new_claim):
    claim_id = new_claim(["200.00", "100.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(
        pcn,
        "1",
        "300.00",
        "150.00",
        patient_responsibility="100.00",
        lines=[
            line(f"{pcn}L1", "200.00", "150.00", adj("CO-45", "50.00")),
            line(f"{pcn}L2", "100.00", "0.00", adj("PR-1", "100.00")),
        ],
    )

    (result,) = _post(ledger, remit_clp, trace="TRN-DL4")

    # The routing counts the line (its table sends PR-1 to the patient), but
    # there is no payer adjustment on it to hold as a memo.
    assert denied_lines(remit_clp) == result.denied_lines == 1
    assert (result.adjusted, result.denied_amount) == (D("50.00"), D("0.00"))
    assert ledger.bill_patient(claim_id) == D("100.00")
    assert balance_of(ledger, claim_id) == (
        D("300.00"),
        D("150.00"),
        D("50.00"),
        D("100.00"),
        0,
    )


def test_reversal_of_a_line_posted_before_memos_takes_back_the_adjustment(
    ledger, new_claim
):
    claim_id = new_claim(["200.00", "100.00"])
    pcn = f"C{claim_id}V1"
    _post(ledger, _partly_denied(pcn), trace="TRN-DL5")
    # As a ledger posted it before denied lines were memos: CO-97 adjusted.
    with Session(ledger.engine) as session:
        memo = session.exec(
            select(LedgerEntryRow).where(
                LedgerEntryRow.claim_id == claim_id, LedgerEntryRow.kind == "denial"
            )
        ).one()
        memo.kind = "adjustment"
        session.add(memo)
        session.commit()
    assert balance_of(ledger, claim_id)[2:] == (D("150.00"), 0, 0)

    (undo,) = _post(ledger, _partly_denied(pcn, "22", "-"), trace="TRN-DL5R")

    assert (undo.adjusted, undo.denied_amount) == (D("-150.00"), D("0.00"))
    assert balance_of(ledger, claim_id) == (D("300.00"), 0, 0, 0, D("300.00"))
