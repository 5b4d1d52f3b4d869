"""Coordination of benefits: the primary's PR goes to the secondary, then the rest
to the patient, with the money of both payers on the primary claim's account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger_builders import (
    adj,
    balance_of,
    clp,
    line,
    primary_with_pr,
    remittance,
    store,
)

from claimflow.ledger import NotFoundError
from claimflow.models import Coverage
from claimflow.reports.figures import build_report

D = Decimal
ON = date(2026, 11, 20)


def _post(ledger, remit_clp, trace):
    stored = store(ledger, remittance(remit_clp, trace=trace))
    return ledger.post_remittance(stored.claims[0].remit_claim_id)


def _add_secondary(ledger, claim_id) -> int:
    ledger.upsert_payer("AETNA", "Aetna", "60054", "CI")
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    return ledger.add_coverage(
        patient_id,
        Coverage(
            payer_id="AETNA",
            payer_name="Aetna",
            member_id="W999",
            plan_type="CI",
            priority="secondary",
            start=date(2026, 1, 1),
        ),
    )


def _primary_pays_with_pr(ledger, claim_id):
    """BCBS on 200.00: paid 140.00, CO-45 10.00, PR 50.00 (coinsurance, deductible)."""
    return _post(ledger, primary_with_pr(claim_id), "P-1")


def _secondary_pays(ledger, secondary_id):
    """Aetna pays 35.00 of the 50.00; OA-23 restates the primary's 150.00."""
    pcn = f"C{secondary_id}V1"
    return _post(
        ledger,
        clp(
            pcn,
            "1",
            "200.00",
            "35.00",
            [
                line(
                    f"{pcn}L1",
                    "120.00",
                    "20.00",
                    adj("OA-23", "100.00"),
                ),
                line(
                    f"{pcn}L2",
                    "80.00",
                    "15.00",
                    adj("OA-23", "50.00"),
                    adj("PR-1", "15.00"),
                ),
            ],
            payer_claim_number="AET-1",
            patient_responsibility="15.00",
        ),
        "S-1",
    )


def test_primary_pr_moves_to_the_secondary_then_the_rest_to_the_patient(
    ledger, new_claim
):
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    _primary_pays_with_pr(ledger, claim_id)

    started = ledger.start_secondary(claim_id, on=ON)

    assert started is not None
    assert (started.primary_claim_id, started.account_claim_id) == (
        claim_id,
        claim_id,
    )
    assert (started.payer_id, started.billed, started.transferred) == (
        "AETNA",
        D("200.00"),
        D("50.00"),
    )
    assert (started.primary_paid, started.primary_adjusted) == (
        D("140.00"),
        D("10.00"),
    )
    assert started.primary_payer_claim_number == "ICN-77"
    # The PR waits for the secondary: still outstanding, not the patient's.
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("140.00"),
        D("10.00"),
        D("0.00"),
        D("50.00"),
    )
    assert ledger.patient_balance(patient_id) == D("0.00")
    assert ledger.patient_statement(patient_id).lines == []
    assert build_report(ledger, ON).patient_balances == []
    # The secondary claim is a claim of its own with the primary's adjudication.
    secondary = ledger.get_claim(started.claim_id)
    assert secondary.patient_control_number == f"C{started.claim_id}V1"
    assert (secondary.coverage.payer_id, secondary.frequency_code) == ("AETNA", "1")
    assert [(o.payer_id, o.paid) for o in secondary.other_payers] == [
        ("BCBS", D("140.00"))
    ]
    assert [
        [(a.paid, [(x.group, x.reason, x.amount) for x in a.adjustments])]
        for ln in secondary.lines
        for a in ln.adjudications
    ] == [
        [(D("90.00"), [("CO", "45", D("10.00")), ("PR", "2", D("20.00"))])],
        [(D("50.00"), [("PR", "1", D("30.00"))])],
    ]
    assert ledger.account_claim(started.claim_id) == claim_id
    assert ledger.secondary_claims() == {started.claim_id: claim_id}
    # A repeat moves nothing and returns the same claim.
    assert ledger.start_secondary(claim_id, on=ON) == started

    posted = _secondary_pays(ledger, started.claim_id)

    assert (posted.claim_id, posted.paid, posted.adjusted) == (
        started.claim_id,
        D("35.00"),
        D("0.00"),
    )
    assert posted.patient_responsibility == D("15.00")
    assert not posted.denied and posted.denied_lines == 0
    assert posted.adjustment_codes == ["OA-23", "PR-1"]
    assert ledger.bill_patient(claim_id, on=ON) == D("15.00")
    # billed 200 = paid 140 + 35, adjusted 10, patient 15, outstanding 0.
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("175.00"),
        D("10.00"),
        D("15.00"),
        D("0.00"),
    )
    assert balance_of(ledger, started.claim_id) == (D("0.00"),) * 5
    totals = ledger.totals()
    assert (totals.billed, totals.paid, totals.adjusted) == (
        D("200.00"),
        D("175.00"),
        D("10.00"),
    )
    assert (totals.patient_responsibility, totals.outstanding) == (
        D("15.00"),
        D("0.00"),
    )
    assert ledger.patient_due(claim_id) == D("15.00")
    assert [
        (row.patient_id, row.owed) for row in build_report(ledger, ON).patient_balances
    ] == [(patient_id, D("15.00"))]
    [statement_line] = ledger.patient_statement(patient_id).lines
    assert (statement_line.payer_paid, statement_line.due) == (
        D("175.00"),
        D("15.00"),
    )
    # Posting the secondary's CLP again changes nothing.
    again = ledger.post_remittance(posted.remit_claim_id)
    assert again.already_posted and ledger.claim_balance(claim_id).paid == D("175.00")


def test_no_secondary_coverage_leaves_the_pr_to_the_patient(ledger, new_claim):
    claim_id = new_claim(["120.00", "80.00"])
    _primary_pays_with_pr(ledger, claim_id)

    assert ledger.start_secondary(claim_id, on=ON) is None
    assert ledger.secondary_claims() == {}
    assert ledger.bill_patient(claim_id, on=ON) == D("50.00")
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("140.00"),
        D("10.00"),
        D("50.00"),
        D("0.00"),
    )


def test_a_denied_primary_starts_no_secondary(ledger, new_claim):
    claim_id = new_claim(["150.00"])
    _add_secondary(ledger, claim_id)
    pcn = f"C{claim_id}V1"
    _post(
        ledger,
        clp(
            pcn,
            "4",
            "150.00",
            "0.00",
            [line(f"{pcn}L1", "150.00", "0.00", adj("CO-16", "150.00"))],
        ),
        "D-1",
    )

    assert ledger.start_secondary(claim_id, on=ON) is None
    assert ledger.secondary_claims() == {}
    assert ledger.claim_balance(claim_id).outstanding == D("150.00")


def test_a_secondary_denial_leaves_the_share_outstanding(ledger, new_claim):
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    _primary_pays_with_pr(ledger, claim_id)
    started = ledger.start_secondary(claim_id, on=ON)
    pcn = f"C{started.claim_id}V1"

    posted = _post(
        ledger,
        clp(
            pcn,
            "4",
            "200.00",
            "0.00",
            [
                line(
                    f"{pcn}L1",
                    "120.00",
                    "0.00",
                    adj("OA-23", "100.00"),
                    adj("CO-16", "20.00"),
                ),
                line(
                    f"{pcn}L2",
                    "80.00",
                    "0.00",
                    adj("OA-23", "50.00"),
                    adj("CO-16", "30.00"),
                ),
            ],
        ),
        "S-2",
    )

    assert posted.denied and posted.denied_amount == D("50.00")
    assert posted.denied_lines == 2
    # The denial is a memo: the 50.00 stays owed, by no one yet the patient.
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("140.00"),
        D("10.00"),
        D("0.00"),
        D("50.00"),
    )
    assert ledger.bill_patient(claim_id, on=ON) == D("0.00")


def test_the_coverage_the_encounter_named_is_the_one_billed(ledger, new_claim):
    claim_id = new_claim(["120.00", "80.00"])
    other_claim = new_claim(["60.00"])
    _add_secondary(ledger, claim_id)  # Aetna, found by date of service
    patient_id = ledger.get_claim(claim_id).patient.patient_id
    ledger.upsert_payer("CIGNA", "Cigna Health", "62308", "CI")
    cigna = ledger.add_coverage(
        patient_id,
        Coverage(
            payer_id="CIGNA",
            payer_name="Cigna Health",
            member_id="C777",
            priority="secondary",
            start=date(2026, 6, 1),
        ),
    )
    with pytest.raises(NotFoundError, match="no coverage"):
        ledger.set_next_coverage(other_claim, cigna)  # another patient's
    ledger.set_next_coverage(claim_id, cigna)
    _primary_pays_with_pr(ledger, claim_id)

    started = ledger.start_secondary(claim_id, on=ON)

    assert (started.payer_id, started.transferred) == ("CIGNA", D("50.00"))
    assert ledger.get_claim(started.claim_id).coverage.member_id == "C777"


def test_a_coverage_another_claim_named_is_not_found_by_date(ledger, new_claim):
    claim_id = new_claim(["120.00", "80.00"])
    # A second claim of the same patient names the Aetna coverage as its own.
    sibling = ledger.create_claim(
        "test-encounter-sibling",
        ledger.get_claim(claim_id).model_copy(update={"claim_id": 0}),
    )
    aetna = _add_secondary(ledger, claim_id)
    ledger.set_next_coverage(sibling, aetna)
    _primary_pays_with_pr(ledger, claim_id)

    assert ledger.start_secondary(claim_id, on=ON) is None
    assert ledger.bill_patient(claim_id, on=ON) == D("50.00")



def test_a_tertiary_claim_follows_the_secondary_on_the_same_account(
    ledger, new_claim
):
    claim_id = new_claim(["120.00", "80.00"])
    _add_secondary(ledger, claim_id)
    ledger.upsert_payer("MEDICAID", "Medicaid", "SKMA0", "MC")
    ledger.add_coverage(
        ledger.get_claim(claim_id).patient.patient_id,
        Coverage(
            payer_id="MEDICAID",
            payer_name="Medicaid",
            member_id="MCD1",
            plan_type="MC",
            priority="tertiary",
            start=date(2026, 1, 1),
        ),
    )
    _primary_pays_with_pr(ledger, claim_id)
    secondary = ledger.start_secondary(claim_id, on=ON)
    _secondary_pays(ledger, secondary.claim_id)  # leaves PR-1 15.00

    tertiary = ledger.start_secondary(secondary.claim_id, on=ON)

    assert (tertiary.payer_id, tertiary.transferred) == ("MEDICAID", D("15.00"))
    assert (tertiary.primary_claim_id, tertiary.account_claim_id) == (
        secondary.claim_id,
        claim_id,
    )
    billed = ledger.get_claim(tertiary.claim_id)
    assert [(o.payer_id, o.priority, o.paid) for o in billed.other_payers] == [
        ("BCBS", "primary", D("140.00")),
        ("AETNA", "secondary", D("35.00")),
    ]
    pcn = billed.patient_control_number
    _post(
        ledger,
        clp(
            pcn,
            "3",
            "200.00",
            "15.00",
            [
                line(f"{pcn}L1", "120.00", "0.00", adj("OA-23", "120.00")),
                line(f"{pcn}L2", "80.00", "15.00", adj("OA-23", "65.00")),
            ],
            payer_claim_number="MCD-1",
        ),
        "T-1",
    )
    assert ledger.bill_patient(claim_id, on=ON) == D("0.00")
    assert balance_of(ledger, claim_id) == (
        D("200.00"),
        D("190.00"),
        D("10.00"),
        D("0.00"),
        D("0.00"),
    )
