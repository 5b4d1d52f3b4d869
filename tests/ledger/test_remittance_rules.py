"""Posting rules on small hand-computed 835s: holds, reissues, PLB, remarks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_builders import (
    adj,
    balance_of,
    clp,
    line,
    plb,
    remittance,
    store,
    with_plb,
)
from sqlalchemy import text

from claimflow.ledger import RemittanceHeldError
from claimflow.x12 import parse_835

D = Decimal
NPI = "1234567893"


def _post_all(ledger, stored):
    return [ledger.post_remittance_claim(m.remit_claim_id) for m in stored.claims]


# ------------------------------------------------------------------ balance holds


def test_a_claim_that_does_not_balance_holds_the_whole_835(ledger, new_claim):
    good, bad = new_claim(["100.00"]), new_claim(["100.00"])
    remit = remittance(
        clp(f"C{good}V1", "1", "100.00", "80.00", [], [adj("CO-45", "20.00")]),
        # 100.00 - 70.00 = 30.00, but the adjustments say 20.00.
        clp(f"C{bad}V1", "1", "100.00", "70.00", [], [adj("CO-45", "20.00")]),
    )

    stored = store(ledger, remit)

    assert (stored.held, stored.balanced, stored.claims) == (True, True, [])
    assert stored.differences == [
        f"CLP 2 (C{bad}V1): charge 100.00 less paid 70.00 is 30.00 but "
        "adjustments total 20.00, off by 10.00"
    ]
    [item] = ledger.open_work_items()
    assert (item.queue, item.key) == (
        "remittance_balance",
        f"remit-balance:{stored.remittance_id}",
    )
    assert item.reason.endswith("not posted: " + stored.differences[0])
    # Nothing of it posts, not even the claim that balances.
    with ledger.engine.connect() as connection:
        ids = connection.execute(text("select id from remittance_claims")).scalars()
        first = list(ids)[0]
    with pytest.raises(RemittanceHeldError):
        ledger.post_remittance_claim(first)
    assert balance_of(ledger, good) == (D("100.00"), 0, 0, 0, D("100.00"))
    # Received again, it is still held and still lists nothing to post.
    again = store(ledger, remit, "again.835")
    assert (again.duplicate, again.held, again.claims) == (True, True, [])


def test_a_person_can_release_a_held_835(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    # Deposit 80.00 = 90.00 paid - 10.00 WO; the CLP is 5.00 short of balancing.
    remit = with_plb(
        remittance(
            clp(f"C{claim_id}V1", "1", "100.00", "90.00", [], [adj("CO-45", "5.00")])
        ),
        plb("WO", "10.00", f"C{claim_id}V1"),
    )
    held = store(ledger, remit)
    assert held.held is True
    assert ledger.provider_adjustments(held.remittance_id)[0].disposition == "claim"

    released = ledger.release_remittance(held.remittance_id, "payer confirmed by phone")
    again = ledger.release_remittance(held.remittance_id, "payer confirmed by phone")
    [posted] = _post_all(ledger, released)

    assert (released.held, released.balanced) == (False, True)
    assert again.claims == released.claims
    assert (posted.paid, posted.adjusted) == (D("90.00"), D("5.00"))
    # 100.00 - (90.00 - 10.00 recouped) - 5.00 = 15.00 still owed
    assert balance_of(ledger, claim_id) == (
        D("100.00"),
        D("80.00"),
        D("5.00"),
        0,
        D("15.00"),
    )
    assert ledger.open_work_items() == []


def test_a_line_that_does_not_balance_holds_the_835(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    # The claim balances (100 - 80 = 10 + 10) but its line does not (20 vs 10).
    remit_clp = clp(
        pcn,
        "1",
        "100.00",
        "80.00",
        lines=[line(f"{pcn}L1", "100.00", "80.00", adj("CO-45", "10.00"))],
        adjustments=[adj("CO-45", "10.00")],
    )

    stored = store(ledger, remittance(remit_clp))

    assert stored.held is True
    assert stored.differences == [
        f"CLP 1 ({pcn}) line 1: charge 100.00 less paid 80.00 is 20.00 but "
        "adjustments total 10.00, off by 10.00"
    ]


def test_a_deposit_that_does_not_reconcile_names_the_difference(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    remit = remittance(clp(f"C{claim_id}V1", "1", "100.00", "100.00"))
    remit.payment_amount = D("99.99")

    stored = store(ledger, remit)

    assert (stored.held, stored.balanced) == (True, False)
    assert stored.differences == [
        "payment 99.99 but claim payments 100.00 less provider adjustments "
        "0.00 is 100.00, off by -0.01"
    ]
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (figures.deposit, figures.claim_payments, figures.difference) == (
        D("99.99"),
        D("100.00"),
        D("-0.01"),
    )
    assert figures.reconciles is False


# ------------------------------------------------------------------ the same 835 again


def test_a_reissue_in_a_new_envelope_posts_nothing_twice(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    first = remittance(clp(f"C{claim_id}V1", "1", "100.00", "100.00"))
    reissue = first.model_copy(
        update={
            "interchange_control_number": "000000777",
            "group_control_number": "777",
            "transaction_control_number": "7777",
        }
    )

    one = store(ledger, first, "monday.835")
    _post_all(ledger, one)
    two = store(ledger, reissue, "monday-resent.835")
    repeat = _post_all(ledger, two)

    assert (two.duplicate, two.remittance_id) == (True, one.remittance_id)
    assert [r.already_posted for r in repeat] == [True]
    assert ledger.claim_balance(claim_id).paid == D("100.00")


def test_a_claim_paid_across_two_835s_accumulates(ledger, new_claim):
    claim_id = new_claim(["100.00", "50.00"])
    pcn = f"C{claim_id}V1"
    # The payer splits the claim: line 1 in one 835, line 2 in the next.
    one = clp(
        pcn,
        "1",
        "100.00",
        "80.00",
        [line(f"{pcn}L1", "100.00", "80.00", adj("CO-45", "20.00"))],
        payer_claim_number="SPLIT-1",
    )
    two = clp(
        pcn,
        "1",
        "50.00",
        "40.00",
        [line(f"{pcn}L2", "50.00", "40.00", adj("CO-45", "10.00"))],
        payer_claim_number="SPLIT-2",
    )

    _post_all(ledger, store(ledger, remittance(one, trace="EFT-1")))
    after_one = balance_of(ledger, claim_id)
    _post_all(ledger, store(ledger, remittance(two, trace="EFT-2")))

    assert after_one == (D("150.00"), D("80.00"), D("20.00"), 0, D("50.00"))
    assert balance_of(ledger, claim_id) == (
        D("150.00"),
        D("120.00"),
        D("30.00"),
        0,
        D("0.00"),
    )


def test_reversal_and_correction_link_by_payer_claim_number(ledger, new_claim):
    first, second = new_claim(["100.00"]), new_claim(["100.00"])
    original = remittance(
        clp(f"C{first}V1", "1", "100.00", "80.00", [], [adj("CO-45", "20.00")]),
        clp(
            f"C{second}V1",
            "1",
            "100.00",
            "60.00",
            [],
            [adj("CO-45", "40.00")],
            payer_claim_number="PAYER-2",
        ),
        trace="EFT-1",
    )
    _post_all(ledger, store(ledger, original))
    # The payer takes back claim 1's payment and pays it again at 90.00.
    fix = remittance(
        clp(f"C{first}V1", "22", "-100.00", "-80.00", [], [adj("CO-45", "-20.00")]),
        clp(
            f"C{first}V1",
            "1",
            "100.00",
            "90.00",
            [],
            [adj("CO-45", "10.00")],
            payer_claim_number="PAYER-1B",
        ),
        trace="EFT-2",
    )

    stored = store(ledger, fix)
    reversal, correction = _post_all(ledger, stored)

    assert stored.held is False
    assert ledger.deposit_reconciliation(stored.remittance_id).deposit == D("10.00")
    assert (reversal.paid, reversal.adjusted) == (D("-80.00"), D("-20.00"))
    with ledger.engine.connect() as connection:
        reversed_pcn = connection.execute(
            text("select patient_control_number from remittance_claims where id = :i"),
            {"i": reversal.reverses_remit_claim_id},
        ).scalar()
    assert reversed_pcn == f"C{first}V1"
    assert (correction.paid, correction.reverses_remit_claim_id) == (D("90.00"), None)
    assert balance_of(ledger, first) == (D("100.00"), D("90.00"), D("10.00"), 0, 0)
    assert balance_of(ledger, second) == (D("100.00"), D("60.00"), D("40.00"), 0, 0)


# ------------------------------------------------------------------ PLB


def test_wo_recoupment_applies_to_the_claim_it_names(ledger, new_claim):
    a, b, c = new_claim(["100.00"]), new_claim(["100.00"]), new_claim(["200.00"])
    earlier = remittance(
        clp(f"C{a}V1", "1", "100.00", "100.00", payer_claim_number="ICN-A"),
        clp(f"C{b}V1", "1", "100.00", "100.00", payer_claim_number="ICN-B"),
        trace="EFT-1",
    )
    _post_all(ledger, store(ledger, earlier))
    # Claim C is paid; 30.00 overpaid on claim B is recovered from the deposit.
    # Claim C sits right beside the PLB in this file; claim A has a payer claim
    # number one letter away. Neither is touched.
    later = with_plb(
        remittance(
            clp(f"C{c}V1", "1", "200.00", "200.00", payer_claim_number="ICN-C"),
            trace="EFT-2",
        ),
        plb("WO", "30.00", "ICN-B"),
    )

    stored = store(ledger, later)
    _post_all(ledger, stored)

    assert stored.held is False and later.payment_amount == D("170.00")
    [pair] = ledger.provider_adjustments(stored.remittance_id)
    assert (pair.reason, pair.amount, pair.disposition, pair.claim_id) == (
        "WO",
        D("30.00"),
        "claim",
        b,
    )
    assert balance_of(ledger, a) == (D("100.00"), D("100.00"), 0, 0, 0)
    assert balance_of(ledger, b) == (D("100.00"), D("70.00"), 0, 0, D("30.00"))
    assert balance_of(ledger, c) == (D("200.00"), D("200.00"), 0, 0, 0)
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (figures.claim_payments, figures.provider_adjustments) == (
        D("200.00"),
        D("30.00"),
    )
    assert figures.reconciles is True
    assert ledger.open_work_items() == []


def test_provider_level_adjustments_stay_off_the_claims(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    pcn = f"C{claim_id}V1"
    remit = with_plb(
        remittance(clp(pcn, "1", "100.00", "100.00")),
        plb("FB", "10.00"),  # forward balance kept from an earlier deposit
        plb("L6", "-2.50", pcn),  # interest paid on this claim
        plb("72", "5.00"),  # authorized return
        plb("CS", "1.25"),  # other adjustment
    )

    stored = store(ledger, remit)
    _post_all(ledger, stored)

    # 100.00 - (10.00 - 2.50 + 5.00 + 1.25) = 86.25
    assert remit.payment_amount == D("86.25")
    pairs = ledger.provider_adjustments(stored.remittance_id)
    assert [(p.reason, p.amount, p.disposition, p.claim_id) for p in pairs] == [
        ("FB", D("10.00"), "forward_balance", None),
        ("L6", D("-2.50"), "provider", claim_id),
        ("72", D("5.00"), "provider", None),
        ("CS", D("1.25"), "provider", None),
    ]
    assert balance_of(ledger, claim_id) == (D("100.00"), D("100.00"), 0, 0, 0)
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (figures.deposit, figures.provider_adjustments, figures.difference) == (
        D("86.25"),
        D("13.75"),
        D("0.00"),
    )
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select kind, amount from ledger_entries "
                "where provider_adjustment_id is not null order by id"
            )
        ).all()
    assert [(k, D(str(a)).quantize(D("0.01"))) for k, a in rows] == [
        ("forward_balance", D("10.00")),
        ("provider_adjustment", D("-2.50")),
        ("provider_adjustment", D("5.00")),
        ("provider_adjustment", D("1.25")),
    ]
    # An FB without a reference can never be settled by a later 835.
    [item] = ledger.open_work_items()
    assert (item.queue, item.title) == ("provider_suspense", "Forward balance open")


def test_plb_naming_no_known_claim_goes_to_suspense(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    remit = with_plb(
        remittance(clp(f"C{claim_id}V1", "1", "100.00", "100.00"), trace="EFT-9"),
        plb("WO", "40.00", "ICN-NOBODY"),
        plb("WO", "5.00"),  # a recoupment that names no claim at all
        plb("L6", "-0.75", "ICN-NOBODY-2"),  # interest on a claim we do not know
        plb("CV", "-1.27", "CP"),  # capital passthrough: a reference, no claim
    )

    stored = store(ledger, remit)
    _post_all(ledger, stored)

    suspense = ledger.provider_adjustments(disposition="suspense")
    assert [(p.reason, p.amount, p.reference) for p in suspense] == [
        ("WO", D("40.00"), "ICN-NOBODY"),
        ("WO", D("5.00"), None),
        ("L6", D("-0.75"), "ICN-NOBODY-2"),
    ]
    [passthrough] = ledger.provider_adjustments(disposition="provider")
    assert (passthrough.reason, passthrough.claim_id) == ("CV", None)
    items = ledger.open_work_items()
    assert [(i.queue, i.key) for i in items] == [
        ("provider_suspense", f"plb-suspense:{p.provider_adjustment_id}")
        for p in suspense
    ]
    assert items[0].reason == (
        f"835 trace EFT-9 PLB 1: WO 40.00 for provider {NPI} with reference "
        "ICN-NOBODY, which matches no claim in the ledger"
    )
    assert balance_of(ledger, claim_id) == (D("100.00"), D("100.00"), 0, 0, 0)
    assert ledger.deposit_reconciliation(stored.remittance_id).reconciles is True

    # A person finds the claim the 40.00 recoupment was meant for.
    applied = ledger.apply_suspense(suspense[0].provider_adjustment_id, claim_id)
    ledger.apply_suspense(suspense[0].provider_adjustment_id, claim_id)

    assert (applied.disposition, applied.claim_id) == ("claim", claim_id)
    assert balance_of(ledger, claim_id) == (
        D("100.00"),
        D("60.00"),
        0,
        0,
        D("40.00"),
    )
    assert [i.key for i in ledger.open_work_items()] == [i.key for i in items[1:]]


# ------------------------------------------------------------------ a parsed 835


def _isa_835(segments: list[str]) -> str:
    isa = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       "
        "*261201*1200*^*00501*000000321*0*P*:"
    )
    body = [
        "GS*HP*PAYER*PRACTICE*20261201*1200*321*X*005010X221A1",
        "ST*835*0001",
        *segments,
        f"SE*{len(segments) + 2}*0001",
        "GE*1*321",
        "IEA*1*000000321",
    ]
    return "~\n".join([isa, *body]) + "~\n"


def test_parsed_835_posts_to_the_cent_and_keeps_remark_codes(ledger, new_claim):
    first, second = new_claim(["120.00", "80.00"]), new_claim(["100.00"])
    p1, p2 = f"C{first}V1", f"C{second}V1"
    # Claim 1: 200.00 - 130.00 = 70.00 = CO-45 20 + PR-2 20 + CO-45 10 + PR-1 20.
    # Claim 2: paid in full. Deposit: 130.00 + 100.00 - (-1.50 interest) = 231.50.
    text_835 = _isa_835(
        [
            "BPR*I*231.50*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*"
            "999999999*DA*654321*20261201",
            "TRN*1*EFT-835-1*1512345678",
            "N1*PR*BLUE CROSS BLUE SHIELD",
            "N1*PE*SYNTHETIC FAMILY PRACTICE*XX*1234567893",
            "LX*1",
            f"CLP*{p1}*1*200.00*130.00*40.00*12*ICN-1",
            "MOA***MA01",
            "SVC*HC:99213*120.00*80.00",
            "CAS*CO*45*20.00",
            "CAS*PR*2*20.00",
            f"REF*6R*{p1}L1",
            "LQ*HE*N130",
            "SVC*HC:99213*80.00*50.00",
            "CAS*CO*45*10.00",
            "CAS*PR*1*20.00",
            f"REF*6R*{p1}L2",
            f"CLP*{p2}*1*100.00*100.00**12*ICN-2",
            "MIA*0***0*MA02",
            f"PLB*{NPI}*20261231*L6:{p2}*-1.50",
        ]
    )
    [remit] = parse_835(text_835)
    file_id, _ = ledger.store_inbound_file("bcbs-1201.835", "835", text_835.encode())

    stored = ledger.store_remittance(file_id, remit)
    one, two = _post_all(ledger, stored)

    assert (stored.held, stored.balanced) == (False, True)
    assert (one.paid, one.adjusted, one.patient_responsibility) == (
        D("130.00"),
        D("30.00"),
        D("40.00"),
    )
    assert one.adjustment_codes == ["CO-45", "PR-2", "PR-1"]
    assert (one.rarcs, two.rarcs) == (["MA01", "N130"], ["MA02"])
    assert balance_of(ledger, first) == (
        D("200.00"),
        D("130.00"),
        D("30.00"),
        0,
        D("40.00"),
    )
    assert ledger.bill_patient(first) == D("40.00")
    assert balance_of(ledger, second) == (D("100.00"), D("100.00"), 0, 0, 0)
    [interest] = ledger.provider_adjustments(stored.remittance_id)
    assert (interest.reason, interest.amount, interest.claim_id) == (
        "L6",
        D("-1.50"),
        second,
    )
    figures = ledger.deposit_reconciliation(stored.remittance_id)
    assert (figures.deposit, figures.claim_payments, figures.reconciles) == (
        D("231.50"),
        D("230.00"),
        True,
    )
