"""The denial codes a claim shows come from the lines the payer denied.

``activities.claims.denial_codes`` picks a paid claim's denied lines by
``RemitLine.is_denied``, the definition the ledger posts by, so a line the
patient's share alone leaves unpaid (a deductible) shows no denial code, and a
line billed at nothing that the payer "denies" owes nothing and shows none
either.
"""

from __future__ import annotations

from decimal import Decimal

from activities.claims import denial_codes
from claimflow.models import Adjustment, RemitClaim, RemitLine


def _line(procedure: str, charge: str, paid: str, *cas: tuple[str, str, str]):
    return RemitLine(
        procedure=procedure,
        charge=charge,
        paid=paid,
        adjustments=[Adjustment(group=g, reason=r, amount=a) for g, r, a in cas],
    )


def _remit(*lines: RemitLine, status_code: str = "1") -> RemitClaim:
    return RemitClaim(
        patient_control_number="C7V1",
        status_code=status_code,
        charge=sum((line.charge for line in lines), Decimal("0.00")),
        paid=sum((line.paid for line in lines), Decimal("0.00")),
        lines=list(lines),
    )


def test_a_line_paid_nothing_for_the_deductible_alone_is_no_denial():
    remit = _remit(
        _line("99213", "100.00", "45.00", ("CO", "45", "55.00")),
        _line("81002", "28.00", "0.00", ("PR", "1", "28.00")),
    )

    assert denial_codes(remit) == []


def test_a_denied_line_beside_a_deductible_line_gives_only_its_own_code():
    remit = _remit(
        _line("99213", "100.00", "0.00", ("PR", "1", "100.00")),
        _line("81002", "28.00", "0.00", ("CO", "97", "28.00")),
        _line("36415", "12.00", "9.60", ("CO", "45", "2.40")),
    )

    assert denial_codes(remit) == ["CO-97"]


def test_a_line_billed_at_nothing_is_not_denied():
    # Nothing was charged, so nothing is owed: no denial to route or show.
    remit = _remit(
        _line("99213", "100.00", "80.00", ("CO", "45", "20.00")),
        _line("99080", "0.00", "0.00", ("CO", "97", "0.00")),
    )

    assert denial_codes(remit) == []


def test_a_denied_claim_gives_its_codes_whatever_its_lines_say():
    remit = _remit(
        _line("99213", "100.00", "0.00", ("CO", "16", "100.00")),
        _line("81002", "28.00", "0.00", ("PR", "1", "28.00")),
        status_code="4",
    )

    assert denial_codes(remit) == ["CO-16"]
