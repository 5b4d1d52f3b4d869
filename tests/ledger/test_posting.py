from decimal import Decimal

import pytest
from ledger_builders import adj, balance_of, clp, line, remittance, store
from sqlalchemy import text

from claimflow.models import ProviderAdjustment

D = Decimal


def _post_one(ledger, claim_id, remit_clp):
    stored = store(ledger, remittance(remit_clp, trace=f"T{claim_id}"))
    return ledger.post_remittance_claim(stored.claims[0].remit_claim_id)


def _post_one_traced(ledger, remit_clp):
    stored = store(ledger, remittance(remit_clp, trace=remit_clp.payer_claim_number))
    return ledger.post_remittance_claim(stored.claims[0].remit_claim_id)


def test_paid_in_full(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"

    result = _post_one(ledger, claim_id, clp(pcn, "1", "100.00", "100.00"))

    assert (result.paid, result.adjusted, result.patient_responsibility) == (
        D("100.00"),
        D("0.00"),
        D("0.00"),
    )
    assert result.denied is False and result.denied_lines == 0
    assert result.claim_id == claim_id
    assert balance_of(ledger, claim_id) == (D("100.00"), D("100.00"), 0, 0, 0)


def test_partial_payment_with_patient_responsibility(ledger, new_claim):
    claim_id = new_claim(["150.00", "50.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(
        pcn,
        "1",
        "200.00",
        "120.00",
        patient_responsibility="30.00",
        lines=[
            line(
                f"{pcn}L1",
                "150.00",
                "90.00",
                adj("CO-45", "40.00"),
                adj("PR-2", "20.00"),
            ),
            line(
                f"{pcn}L2",
                "50.00",
                "30.00",
                adj("CO-45", "10.00"),
                adj("PR-3", "10.00"),
            ),
        ],
    )

    result = _post_one(ledger, claim_id, remit_clp)

    assert result.paid == D("120.00")
    assert result.adjusted == D("50.00")
    assert result.patient_responsibility == D("30.00")
    assert result.denied is False and result.denied_lines == 0
    assert result.carcs == ["45", "2", "3"]
    assert result.adjustment_codes == ["CO-45", "PR-2", "PR-3"]
    # PR stays outstanding on the claim until it is billed to the patient.
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("120.00"),
        D("50.00"),
        D("0.00"),
        D("30.00"),
    )

    assert ledger.bill_patient(claim_id) == D("30.00")
    assert ledger.bill_patient(claim_id) == D("30.00")

    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("120.00"),
        D("50.00"),
        D("30.00"),
        D("0.00"),
    )
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    assert ledger.patient_balance(patient_id) == D("30.00")
    assert ledger.patient_due(claim_id) == D("30.00")
    ledger.record_patient_payment(patient_id, D("10.00"), "portal-77", claim_id)
    ledger.record_patient_payment(patient_id, D("10.00"), "portal-77", claim_id)
    assert ledger.patient_due(claim_id) == D("20.00")
    ledger.record_patient_payment(patient_id, D("20.00"), "portal-78")
    assert ledger.patient_balance(patient_id) == D("0.00")
    assert ledger.claim_balance(claim_id).outstanding == D("0.00")


def test_denied_claim(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(
        pcn,
        "4",
        "100.00",
        "0.00",
        lines=[
            line(f"{pcn}L1", "100.00", "0.00", adj("CO-50", "100.00"), remarks=["N115"])
        ],
    )

    result = _post_one(ledger, claim_id, remit_clp)

    assert ledger.remit_claim(result.remit_claim_id) == remit_clp
    assert result.denied is True
    assert result.denied_lines == 1
    assert result.carcs == ["50"] and result.rarcs == ["N115"]
    assert (result.adjusted, result.denied_amount) == (D("0.00"), D("100.00"))
    # A denial writes nothing off: the charge stays owed until it is resolved.
    assert balance_of(ledger, claim_id) == (D("100.00"), 0, 0, 0, D("100.00"))

    assert ledger.write_off(claim_id, "not medically necessary") == D("100.00")
    assert balance_of(ledger, claim_id) == (D("100.00"), 0, D("100.00"), 0, 0)


def test_denied_then_corrected_version_paid(ledger, new_claim):
    claim_id = new_claim(["150.00"])
    denial = clp(
        f"C{claim_id}V1", "4", "150.00", "0.00", adjustments=[adj("CO-16", "150.00")]
    )
    _post_one(ledger, claim_id, denial)
    ledger.new_version(claim_id, diagnoses=["J02.0"], original_payer_claim_number="P")
    paid = clp(
        f"C{claim_id}V2", "1", "150.00", "67.50", adjustments=[adj("CO-45", "82.50")]
    )

    result = _post_one(ledger, claim_id, paid)

    assert result.claim_id == claim_id and result.denied is False
    assert balance_of(ledger, claim_id) == (D("150.00"), D("67.50"), D("82.50"), 0, 0)


def test_reversal_of_a_denial_stays_a_memo(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    _post_one(
        ledger, claim_id, clp(pcn, "4", "100.00", "0.00", [], [adj("CO-16", "100.00")])
    )
    stored = store(
        ledger,
        remittance(
            clp(pcn, "22", "-100.00", "0.00", adjustments=[adj("CO-16", "-100.00")]),
            clp(pcn, "1", "100.00", "80.00", adjustments=[adj("CO-45", "20.00")]),
            trace="TRN-R",
        ),
    )

    undo = ledger.post_remittance_claim(stored.claims[0].remit_claim_id)
    ledger.post_remittance_claim(stored.claims[1].remit_claim_id)

    assert (undo.reversal, undo.denied) == (True, False)
    assert (undo.adjusted, undo.denied_amount) == (D("0.00"), D("-100.00"))
    assert balance_of(ledger, claim_id) == (D("100.00"), D("80.00"), D("20.00"), 0, 0)


def test_all_lines_unpaid_with_contractual_adjustment_is_a_denial(ledger, new_claim):
    claim_id = new_claim(["60.00", "40.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(
        pcn,
        "1",
        "100.00",
        "0.00",
        lines=[
            line(f"{pcn}L1", "60.00", "0.00", adj("CO-97", "60.00")),
            line(f"{pcn}L2", "40.00", "0.00", adj("CO-97", "40.00")),
        ],
    )

    result = _post_one(ledger, claim_id, remit_clp)

    assert result.denied is True and result.denied_lines == 2


def test_zero_pay_to_deductible_is_not_a_denial(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(
        pcn,
        "1",
        "100.00",
        "0.00",
        patient_responsibility="100.00",
        lines=[line(f"{pcn}L1", "100.00", "0.00", adj("PR-1", "100.00"))],
    )

    result = _post_one(ledger, claim_id, remit_clp)

    assert result.denied is False
    assert result.denied_lines == 1
    assert result.patient_responsibility == D("100.00")
    assert ledger.bill_patient(claim_id) == D("100.00")
    assert balance_of(ledger, claim_id) == (D("100.00"), 0, 0, D("100.00"), 0)


def test_claim_patient_responsibility_without_pr_cas_uses_clp05(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    remit_clp = clp(pcn, "1", "100.00", "75.00", patient_responsibility="25.00")

    result = _post_one(ledger, claim_id, remit_clp)

    assert result.patient_responsibility == D("25.00")
    assert ledger.bill_patient(claim_id) == D("25.00")
    assert ledger.claim_balance(claim_id).outstanding == D("0.00")


def test_reversal_then_correction(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    first = store(
        ledger,
        remittance(
            clp(pcn, "1", "100.00", "80.00", adjustments=[adj("CO-45", "20.00")])
        ),
    )
    original = ledger.post_remittance_claim(first.claims[0].remit_claim_id)
    second = store(
        ledger,
        remittance(
            clp(pcn, "22", "-100.00", "-80.00", adjustments=[adj("CO-45", "-20.00")]),
            clp(pcn, "1", "100.00", "90.00", adjustments=[adj("CO-45", "10.00")]),
            trace="TRN-2",
        ),
    )

    reversal = ledger.post_remittance_claim(second.claims[0].remit_claim_id)
    correction = ledger.post_remittance_claim(second.claims[1].remit_claim_id)

    assert original.paid == D("80.00")
    assert reversal.reversal is True
    assert reversal.reverses_remit_claim_id == first.claims[0].remit_claim_id
    assert (reversal.paid, reversal.adjusted) == (D("-80.00"), D("-20.00"))
    assert correction.reversal is False
    assert correction.reverses_remit_claim_id is None
    assert balance_of(ledger, claim_id) == (D("100.00"), D("90.00"), D("10.00"), 0, 0)


def test_duplicate_remittance_is_stored_and_posted_once(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    remit = remittance(clp(f"C{claim_id}V1", "1", "100.00", "100.00"))

    first = store(ledger, remit, "monday.835")
    file_id, duplicate_file = ledger.store_inbound_file("resent.835", "835", b"other")
    again = ledger.store_remittance(file_id, remit)
    posted = ledger.post_remittance_claim(first.claims[0].remit_claim_id)
    repeat = ledger.post_remittance_claim(again.claims[0].remit_claim_id)

    assert (first.duplicate, again.duplicate, duplicate_file) == (False, True, False)
    assert again.remittance_id == first.remittance_id
    assert again.claims == first.claims
    assert posted.already_posted is False and repeat.already_posted is True
    assert repeat.paid == posted.paid == D("100.00")
    assert ledger.claim_balance(claim_id).paid == D("100.00")


def test_same_envelope_with_other_content_is_a_new_remittance(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"

    one = store(ledger, remittance(clp(pcn, "1", "100.00", "40.00")))
    two = store(ledger, remittance(clp(pcn, "1", "100.00", "60.00")), "x.835")

    assert two.duplicate is False
    assert two.remittance_id != one.remittance_id


def test_unmatched_clp_opens_a_work_item(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    stored = store(
        ledger,
        remittance(
            clp(f"C{claim_id}V1", "1", "100.00", "100.00"),
            clp("C999999V1", "1", "55.00", "55.00"),
        ),
    )

    matched, unmatched = stored.claims
    assert (matched.claim_id, matched.version) == (claim_id, 1)
    assert (unmatched.claim_id, unmatched.patient_control_number) == (None, "C999999V1")
    items = ledger.open_work_items()
    assert [(i.queue, i.claim_id, i.key) for i in items] == [
        ("unmatched_remittance", None, f"unmatched-remit:{unmatched.remit_claim_id}")
    ]
    assert "C999999V1" in items[0].reason
    with pytest.raises(ValueError, match="matches no claim"):
        ledger.post_remittance_claim(unmatched.remit_claim_id)


def test_write_off_is_idempotent(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    _post_one(
        ledger,
        claim_id,
        clp(
            pcn,
            "1",
            "100.00",
            "60.00",
            adjustments=[adj("CO-45", "10.00"), adj("PR-1", "30.00")],
        ),
    )

    # The 30.00 PR was never billed to the patient: it is still owed on the claim.
    assert ledger.write_off(claim_id, "small balance") == D("30.00")
    assert ledger.write_off(claim_id, "small balance") == D("30.00")
    assert balance_of(ledger, claim_id) == (D("100.00"), D("60.00"), D("40.00"), 0, 0)


def test_totals_sum_claims(ledger, new_claim):
    first, second, third = (
        new_claim(["10.00"]),
        new_claim(["20.00"]),
        new_claim(["5.55"]),
    )
    _post_one(ledger, first, clp(f"C{first}V1", "1", "10.00", "10.00"))

    assert ledger.totals([first, second]).billed == D("30.00")
    assert ledger.totals([first, second]).outstanding == D("20.00")
    assert ledger.totals().billed == D("35.55")
    assert ledger.totals().paid == D("10.00")
    assert ledger.totals([third]).outstanding == D("5.55")


def test_nothing_to_bill_makes_no_statement(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    _post_one(ledger, claim_id, clp(f"C{claim_id}V1", "1", "100.00", "100.00"))

    assert ledger.bill_patient(claim_id) == D("0.00")
    with ledger.engine.connect() as connection:
        rows = connection.execute(text("select count(*) from patient_statements"))
        assert rows.scalar() == 0


def test_a_credit_balance_is_not_written_off(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    # The payer pays the claim twice, under two claim numbers of its own.
    for trace in ("PAY-1", "PAY-2"):
        _post_one_traced(ledger, clp(pcn, "1", "100.00", "100.00", (), (), trace))

    assert ledger.write_off(claim_id, "small balance") == D("0.00")
    assert ledger.claim_balance(claim_id).outstanding == D("-100.00")


def test_provider_adjustments_and_balance_check(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    balanced = remittance(clp(f"C{claim_id}V1", "1", "100.00", "100.00"))
    balanced.provider_adjustments = [
        ProviderAdjustment(
            provider_id="1234567893",
            reason="WO",
            reference=f"C{claim_id}V1",
            amount=D("15.00"),
        )
    ]
    balanced.payment_amount = D("85.00")
    off = remittance(
        clp(f"C{claim_id}V1", "1", "100.00", "90.00", [], [adj("CO-45", "10.00")]),
        trace="T-OFF",
    )
    off.payment_amount = D("95.00")

    good = store(ledger, balanced)
    bad = store(ledger, off, "off.835")

    assert (good.balanced, bad.balanced) == (True, False)
    items = ledger.open_work_items()
    assert [(i.queue, i.key) for i in items] == [
        ("remittance_balance", f"remit-balance:{bad.remittance_id}")
    ]
    assert "payment 95.00 but claim payments 90.00" in items[0].reason
    with ledger.engine.connect() as connection:
        row = connection.execute(
            text("select reason, amount from provider_adjustments")
        ).one()
    assert (row.reason, D(str(row.amount)).quantize(D("0.01"))) == ("WO", D("15.00"))
