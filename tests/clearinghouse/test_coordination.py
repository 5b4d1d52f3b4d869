"""The simulated secondary payer settles a claim against the primary's decision."""

from __future__ import annotations

from decimal import Decimal

from claimflow.clearinghouse.adjudication import adjudicate, claim_seed
from claimflow.clearinghouse.coordination import adjudicate_secondary
from claimflow.clearinghouse.payers import payer_profile
from claimflow.models import Coverage
from claimflow.x12 import build_secondary_claim
from dsl.fields import denied_lines

D = Decimal


def cas(line):
    return [(a.group, a.reason, a.amount) for a in line.adjustments]


def _secondary_of(make_claim, payer_id: str, lines):
    """A Medicare claim, adjudicated by Medicare, then billed to ``payer_id``."""
    primary = make_claim(7, lines, payer_id="MEDICARE")
    remit = adjudicate(
        primary, payer_profile("MEDICARE"), claim_seed(primary), decision=None
    )
    coverage = Coverage(
        payer_id=payer_id,
        payer_name=payer_id.title(),
        member_id="SEC0001",
        plan_type="CI" if payer_id != "MEDICAID" else "MC",
        priority="secondary",
    )
    return build_secondary_claim(primary, remit, coverage)


def test_commercial_secondary_pays_the_coinsurance_less_its_copay(make_claim):
    # Medicare: 55% of 400.00 allowed is 220.00, 176.00 paid, PR-2 44.00.
    claim = _secondary_of(make_claim, "AETNA", [("99214", "400.00")])

    remit = adjudicate_secondary(claim, payer_profile("AETNA"))

    assert remit.status_code == "2"  # processed as secondary
    assert (remit.charge, remit.paid, remit.patient_responsibility) == (
        D("400.00"),
        D("19.00"),
        D("25.00"),
    )
    [line] = remit.lines
    assert cas(line) == [("OA", "23", D("356.00")), ("PR", "3", D("25.00"))]
    assert line.paid + sum(a.amount for a in line.adjustments) == line.charge
    assert denied_lines(remit) == 0
    # The claim's SBR09 CI (commercial) has no CLP06 code: the 835 says ZZ.
    assert remit.filing_indicator == "ZZ"


def test_medicaid_secondary_pays_the_whole_remaining_share(make_claim):
    claim = _secondary_of(
        make_claim, "MEDICAID", [("99213", "150.00"), ("85025", "40.00")]
    )

    remit = adjudicate_secondary(claim, payer_profile("MEDICAID"))

    # Medicare left 20% of 82.50 (16.50) and of 22.00 (4.40): Medicaid pays both.
    assert [line.paid for line in remit.lines] == [D("16.50"), D("4.40")]
    assert remit.patient_responsibility == D("0.00")
    assert [cas(line) for line in remit.lines] == [
        [("OA", "23", D("133.50"))],
        [("OA", "23", D("35.60"))],
    ]


def test_a_line_the_primary_settled_is_not_a_denied_line(make_claim):
    # A copay larger than what Medicare left: the secondary pays nothing on it,
    # and that is coordination, not a denial.
    claim = _secondary_of(make_claim, "AETNA", [("99213", "150.00")])

    remit = adjudicate_secondary(claim, payer_profile("AETNA"))

    [line] = remit.lines
    assert line.paid == D("0.00")
    assert cas(line) == [("OA", "23", D("133.50")), ("PR", "3", D("16.50"))]
    assert denied_lines(remit) == 0
