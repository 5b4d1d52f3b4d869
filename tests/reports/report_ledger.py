"""The small ledger the report figures were computed on by hand.

Five claims, two payers, two billing providers (A and B):

* c1: MEDICARE, A, served 2026-04-10, 99213 100.00; 835 of 2026-05-05 pays 80.00,
  CO-45 20.00.
* c2: MEDICARE, A, served 2026-05-20, 99214 150.00; denied 2026-06-10, CO-50
  100.00 and CO-16 50.00.
* c3: AETNA, B, served 2026-06-15, 99213 100.00 and 80053 50.00; 835 of
  2026-07-15 pays 80.00 + 40.00, CO-45 20.00 + 10.00.
* c4: AETNA, B, served 2026-01-20, 99213 200.00; 835 of 2026-03-02 pays
  120.00, CO-45 30.00, PR-2 50.00; 50.00 billed to the patient on 2026-03-10,
  who pays 30.00 on 2026-04-15.
* c5: MEDICARE, A, served 2026-02-01, 99213 100.00; nothing yet.

Filing deadlines: c2 2026-11-16, c3 2026-12-12, c5 2026-07-31.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from factories import CLINIC, make_claim, store_claim

from claimflow.ledger import Ledger
from claimflow.models import Adjustment, RemitClaim, RemitLine, Remittance

NPI_A, NPI_B = CLINIC.npi, "1245319599"
SECOND_CLINIC = CLINIC.model_copy(update={"npi": NPI_B, "name": "SYNTHETIC CLINIC B"})


def _claim(
    ledger: Ledger, key: str, payer: str, npi: str, on: date, lines: list[tuple]
) -> int:
    claim = make_claim(payer_id=payer, service_date=on, lines=lines)
    if npi == NPI_B:
        claim = claim.model_copy(update={"billing_provider": SECOND_CLINIC})
    return store_claim(ledger, claim, f"report-{key}")


def _adj(code: str, amount: str) -> Adjustment:
    group, reason = code.split("-")
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def _pay(
    ledger: Ledger,
    claim_id: int,
    status: str,
    paid_on: date,
    lines: list[tuple[str, str, str, list[Adjustment]]],
) -> None:
    """Post a one-CLP 835: each line is (procedure, charge, paid, adjustments)."""
    pcn = f"C{claim_id}V1"
    remit_lines = [
        RemitLine(
            procedure=f"HC:{code}",
            charge=Decimal(charge),
            paid=Decimal(paid),
            line_control_number=f"{pcn}L{n}",
            adjustments=adjustments,
        )
        for n, (code, charge, paid, adjustments) in enumerate(lines, start=1)
    ]
    charge = sum((line.charge for line in remit_lines), Decimal(0))
    paid = sum((line.paid for line in remit_lines), Decimal(0))
    patient = sum(
        (a.amount for line in remit_lines for a in line.adjustments if a.group == "PR"),
        Decimal(0),
    )
    remit = Remittance(
        interchange_control_number="000000101",
        group_control_number="101",
        transaction_control_number="0001",
        trace_number=f"EFT-{claim_id}-{paid_on.isoformat()}",
        payer_name="Payer",
        payment_amount=paid,
        payment_date=paid_on,
        claims=[
            RemitClaim(
                patient_control_number=pcn,
                status_code=status,
                charge=charge,
                paid=paid,
                patient_responsibility=patient,
                payer_claim_number=f"ICN-{claim_id}",
                lines=remit_lines,
            )
        ],
    )
    file_id, _ = ledger.store_inbound_file(
        remit.trace_number, "835", remit.model_dump_json().encode()
    )
    stored = ledger.store_remittance(file_id, remit)
    assert not stored.held, stored.differences
    ledger.post_remittance(stored.claims[0].remit_claim_id)


def build_small_ledger(ledger: Ledger) -> dict[str, int]:
    """Fill ``ledger`` as the module docstring says; return the claim ids."""
    ids = {
        "c1": _claim(
            ledger, "c1", "MEDICARE", NPI_A, date(2026, 4, 10), [("99213", "100.00")]
        ),
        "c2": _claim(
            ledger, "c2", "MEDICARE", NPI_A, date(2026, 5, 20), [("99214", "150.00")]
        ),
        "c3": _claim(
            ledger,
            "c3",
            "AETNA",
            NPI_B,
            date(2026, 6, 15),
            [("99213", "100.00"), ("80053", "50.00")],
        ),
        "c4": _claim(
            ledger, "c4", "AETNA", NPI_B, date(2026, 1, 20), [("99213", "200.00")]
        ),
        "c5": _claim(
            ledger, "c5", "MEDICARE", NPI_A, date(2026, 2, 1), [("99213", "100.00")]
        ),
    }
    _pay(
        ledger,
        ids["c1"],
        "1",
        date(2026, 5, 5),
        [("99213", "100.00", "80.00", [_adj("CO-45", "20.00")])],
    )
    _pay(
        ledger,
        ids["c2"],
        "4",
        date(2026, 6, 10),
        [
            (
                "99214",
                "150.00",
                "0.00",
                [_adj("CO-50", "100.00"), _adj("CO-16", "50.00")],
            )
        ],
    )
    _pay(
        ledger,
        ids["c3"],
        "1",
        date(2026, 7, 15),
        [
            ("99213", "100.00", "80.00", [_adj("CO-45", "20.00")]),
            ("80053", "50.00", "40.00", [_adj("CO-45", "10.00")]),
        ],
    )
    _pay(
        ledger,
        ids["c4"],
        "1",
        date(2026, 3, 2),
        [
            (
                "99213",
                "200.00",
                "120.00",
                [_adj("CO-45", "30.00"), _adj("PR-2", "50.00")],
            )
        ],
    )
    ledger.bill_patient(ids["c4"], on=date(2026, 3, 10))
    patient = ledger.get_claim(ids["c4"]).patient.patient_id
    ledger.record_patient_payment(
        patient, Decimal("30.00"), "portal-1", ids["c4"], received_on=date(2026, 4, 15)
    )
    ids["p4"] = patient
    ledger.set_filing_deadline(ids["c2"], date(2026, 11, 16))
    ledger.set_filing_deadline(ids["c3"], date(2026, 12, 12))
    ledger.set_filing_deadline(ids["c5"], date(2026, 7, 31))
    return ids
