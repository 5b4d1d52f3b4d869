"""``claimflow patient``: a patient's unapplied credit, and refunding it.

Credit is money of the patient's that pays no claim (see
``claimflow.ledger._credit``). It belongs to no claim and no claim workflow
waits on it, so a refund is written to the ledger directly: one
``patient_refund`` entry with the reason a person gives.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation

from claimflow.ledger import Ledger, NotFoundError


def credit_command(database_url: str, patient_id: int) -> int:
    """Print the patient's unapplied credit and balance."""
    ledger = Ledger(database_url)
    try:
        credit = ledger.patient_credit(patient_id)
        balance = ledger.patient_balance(patient_id)
    except NotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    finally:
        ledger.engine.dispose()
    print(f"patient {patient_id}: unapplied credit {credit}, balance {balance}")
    return 0


def refund_command(
    database_url: str,
    patient_id: int,
    amount: str,
    reason: str,
    reference: str,
    on: date | None,
) -> int:
    """Refund unapplied credit to the patient; print what is left."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        print(f"refund amount {amount!r} is not a number", file=sys.stderr)
        return 2
    ledger = Ledger(database_url)
    try:
        entry = ledger.refund_patient_credit(patient_id, value, reason, reference, on)
        credit = ledger.patient_credit(patient_id)
    except (NotFoundError, ValueError) as err:
        print(err, file=sys.stderr)
        return 1
    finally:
        ledger.engine.dispose()
    print(
        f"refunded {value:.2f} to patient {patient_id} (entry {entry}, "
        f"reference {reference}); unapplied credit now {credit}"
    )
    return 0
