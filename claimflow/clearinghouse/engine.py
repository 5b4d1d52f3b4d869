"""What the payer simulator does with each request, independent of HTTP.

Answers to an 837 are queued in this order: a 999 for the file, one 277CA with a
status per claim, then one 835 per payer for the claims it adjudicated. Each
transaction set is read and checked on its own: a set that fails is rejected in
the 999 and its claims go no further, the other sets' claims carry on. Every date
in them comes from the 837 itself, never from the clock: the 999 and 277CA carry
the 837's creation time, and so does the 835's payment: the simulator answers at
once, so its payer pays on the day it receives the claim (a later payment date would
lie in the future of a ledger that posts it now).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from claimflow.clearinghouse import status277, x12io
from claimflow.clearinghouse.adjudication import (
    adjudicate,
    claim_seed,
    payer_claim_number,
)
from claimflow.clearinghouse.coordination import adjudicate_secondary
from claimflow.clearinghouse.payers import payer_profile
from claimflow.clearinghouse.plan_codes import insurance_type
from claimflow.clearinghouse.roster import Coverage, Roster, parse_roster
from claimflow.clearinghouse.scenarios import Scenario, parse_scenarios
from claimflow.clearinghouse.state import SimulatorState
from claimflow.models import (
    AckKind,
    Claim,
    ClaimAcknowledgment,
    EligibilityInquiry,
    EligibilityResult,
    RemitClaim,
    Remittance,
    money,
)

PAYMENT_LAG_DAYS = 0
PAYMENT_LAG = timedelta(days=PAYMENT_LAG_DAYS)

# 277CA STC01 for each outcome: category code and claim status code.
ACCEPTED = "A2:20"  # accepted for processing
UNKNOWN_MEMBER = "A7:33"  # subscriber and subscriber id not found
NOT_COVERED = "A7:97"  # patient eligibility not found with entity
SCENARIO_REJECT = "A7:21"  # missing or invalid information

# 277 STC01 answers to a status inquiry.
IN_PROCESS = "P1:20"  # accepted, no remittance yet
FINALIZED_PAID = "F1:65"  # claim has been paid
FINALIZED_DENIED = "F2:1"  # denied: see the remittance advice
NOT_FOUND = "A4:35"  # claim not found


class SimulatorEngine:
    """The simulated clearinghouse and payers, over a data directory.

    Args:
        data_dir: where state lives (see ``claimflow.clearinghouse.state``).
        roster: replaces the stored roster when given.
    """

    def __init__(self, data_dir: Path, roster: Roster | None = None) -> None:
        self.state = SimulatorState(data_dir)
        stored = self.state.load_json("roster.json", [])
        self.roster = roster if roster is not None else parse_roster(json.dumps(stored))
        if roster is not None:
            self._save_roster()
        self.scenario_text: dict[str, str] = self.state.load_json("scenarios.json", {})
        self.scenarios = parse_scenarios(self.scenario_text)

    # ------------------------------------------------------------ configuration

    def replace_roster(self, raw: bytes) -> int:
        """Replace the roster from JSON and return its number of members.

        Raises:
            ValueError: the JSON is not a roster.
        """
        roster = parse_roster(raw)
        with self.state.lock:
            self.roster = roster
            self._save_roster()
        return len(roster.members)

    def _save_roster(self) -> None:
        self.state.save_json(
            "roster.json", [m.model_dump(mode="json") for m in self.roster.members]
        )

    def replace_scenarios(self, raw: bytes) -> int:
        """Replace the scenarios from a JSON object and return how many there are.

        Raises:
            ValueError: the JSON is not an object or names an unknown behaviour.
        """
        text = json.loads(raw)
        scenarios = parse_scenarios(text)
        with self.state.lock:
            self.scenario_text = {str(k): str(v) for k, v in text.items()}
            self.scenarios = scenarios
            self.state.save_json("scenarios.json", self.scenario_text)
        return len(scenarios)

    # ------------------------------------------------------------ submissions

    def submit(self, text: str, idempotency_key: str) -> tuple[str, bool]:
        """Accept one 837 file and queue its answers.

        Args:
            text: the interchange.
            idempotency_key: the sender's key for this file.

        Returns:
            ``(receipt_id, duplicate)``; a key seen before returns its first
            receipt and queues nothing.
        """
        state = self.state
        with state.lock:
            existing = state.receipt_for(idempotency_key)
            if existing is not None:
                state.count("duplicates")
                state.commit()
                return existing, True
            # An unreadable envelope raises here, before anything is counted.
            answers = self._answers(text)
            receipt_id = f"R{state.next_number('receipt'):07d}"
            state.count("submissions")
            named = [
                (state.inbox_name(receipt_id, kind), body) for kind, body in answers
            ]
            state.record_receipt(idempotency_key, receipt_id)
            state.commit()
            for name, body in named:
                state.write_inbox(name, body)
        return receipt_id, False

    def _answers(self, text: str) -> list[tuple[str, str]]:
        inbound = x12io.read_inbound(text)
        claims, findings = x12io.read_submission(inbound)
        if findings:
            self.state.count("rejected_syntax")
        if not claims:
            return [("999", x12io.write_999(inbound, findings, self._number()))]

        self.state.count("claims_received", len(claims))
        submitted = inbound.created.date()
        acks: list[ClaimAcknowledgment] = []
        paid: list[tuple[Claim, RemitClaim]] = []
        for claim in claims:
            scenario = self.scenarios.get(claim.patient_control_number)
            if scenario is not None and not scenario.acknowledge:
                continue
            ack = self._acknowledge(claim, scenario, submitted)
            acks.append(ack)
            if ack.accepted and (scenario is None or scenario.remit):
                paid.append((claim, self._adjudicate(claim, scenario, submitted)))

        answers: list[tuple[str, str]] = []
        if acks or findings:
            answers.append(("999", x12io.write_999(inbound, findings, self._number())))
        by_pcn = {claim.patient_control_number: claim for claim in claims}
        for payer_acks in _by_payer(acks, by_pcn).values():
            coverage = by_pcn[payer_acks[0].patient_control_number].coverage
            text_277 = x12io.write_277ca(
                payer_acks,
                claims,
                coverage.payer_name,
                coverage.payer_id,
                inbound,
                self._number(),
            )
            answers.append(("277CA", text_277))
        for remittance in self._remittances(paid, submitted):
            created = datetime.combine(remittance.payment_date, time(6, 0))
            text_835 = x12io.write_835(remittance, inbound, self._number(), created)
            answers.append(("835", text_835))
        return answers

    def _acknowledge(
        self, claim: Claim, scenario: Scenario | None, submitted: date
    ) -> ClaimAcknowledgment:
        pcn = claim.patient_control_number
        coverage, _ = self.roster.find(
            claim.coverage.payer_id, claim.coverage.member_id, claim.from_date
        )
        if scenario is not None and scenario.reject:
            status, message = SCENARIO_REJECT, "rejected by test scenario"
        elif coverage is Coverage.UNKNOWN:
            status, message = UNKNOWN_MEMBER, "subscriber not found"
        elif coverage is Coverage.INACTIVE:
            status, message = NOT_COVERED, "not covered on the date of service"
        else:
            status, message = ACCEPTED, "accepted for adjudication"
        accepted = status == ACCEPTED
        self.state.count("claims_accepted" if accepted else "claims_rejected")
        self._record(
            pcn,
            status=status if not accepted else IN_PROCESS,
            effective=submitted.isoformat(),
            charge=str(claim.total_charge),
            payer_claim_number=payer_claim_number(pcn) if accepted else None,
        )
        return ClaimAcknowledgment(
            kind=AckKind.CLAIM_277CA,
            accepted=accepted,
            patient_control_number=pcn,
            payer_claim_number=payer_claim_number(pcn) if accepted else None,
            status_codes=[status],
            message=message,
        )

    def _adjudicate(
        self, claim: Claim, scenario: Scenario | None, submitted: date
    ) -> RemitClaim:
        payer = payer_profile(claim.coverage.payer_id, claim.coverage.payer_name)
        decision = scenario.decision if scenario is not None else None
        if claim.other_payers and (decision is None or decision.kind == "pay"):
            # Coordination of benefits: settled against the earlier payers.
            remit = adjudicate_secondary(claim, payer)
        else:
            remit = adjudicate(claim, payer, claim_seed(claim), decision)
        denied = remit.status_code == "4"
        self.state.count("claims_adjudicated")
        self.state.count("claims_denied" if denied else "claims_paid")
        self._record(
            claim.patient_control_number,
            status=FINALIZED_DENIED if denied else FINALIZED_PAID,
            effective=(submitted + PAYMENT_LAG).isoformat(),
            paid=str(remit.paid),
        )
        return remit

    def _remittances(
        self, paid: list[tuple[Claim, RemitClaim]], submitted: date
    ) -> list[Remittance]:
        """One 835 per payer, in the order payers first appear in the file."""
        groups: dict[str, list[tuple[Claim, RemitClaim]]] = {}
        for claim, remit in paid:
            groups.setdefault(claim.coverage.payer_id, []).append((claim, remit))
        remittances = []
        for payer_id, members in groups.items():
            first = members[0][0]
            number = self.state.next_number("trace")
            total = money(sum((remit.paid for _, remit in members), Decimal(0)))
            remittances.append(
                Remittance(
                    transaction_control_number=f"{number:04d}",
                    trace_number=f"SIM{number:09d}",
                    payer_name=first.coverage.payer_name,
                    payer_id=x12io.originator_id(payer_id),
                    payee_name=first.billing_provider.name,
                    payee_npi=first.billing_provider.npi,
                    payment_amount=total,
                    payment_method="ACH" if total > 0 else "NON",
                    payment_date=submitted + PAYMENT_LAG,
                    production_date=submitted + PAYMENT_LAG,
                    claims=[remit for _, remit in members],
                )
            )
            self.state.count("remittances")
        return remittances

    def _record(self, pcn: str, **fields: Any) -> None:
        self.state.claims.setdefault(pcn, {}).update(fields)

    def _number(self) -> int:
        return self.state.next_number("interchange")

    # ------------------------------------------------------------ real time

    def eligibility(self, text: str) -> str:
        """Answer a 270 with a 271 from the roster (one interchange per inquiry).

        Raises:
            x12io.X12Error: the 270 cannot be read.
        """
        inbound = x12io.read_inbound(text)
        inquiries = x12io.read_270(inbound)
        if not inquiries:
            raise x12io.X12StructureError("no inquiry", expected="a 2000C with TRN")
        with self.state.lock:
            self.state.count("eligibility_requests")
            answers = [
                x12io.write_271(
                    self._eligibility(inquiry), inquiry, inbound, self._number()
                )
                for inquiry in inquiries
            ]
            self.state.commit()
        return "".join(answers)

    def _eligibility(self, inquiry: EligibilityInquiry) -> EligibilityResult:
        coverage, member = self.roster.find(
            inquiry.payer_id, inquiry.member_id, inquiry.service_date
        )
        payer = payer_profile(inquiry.payer_id, inquiry.payer_name)
        result = EligibilityResult(
            active=coverage is Coverage.ACTIVE,
            member_id=inquiry.member_id,
            payer_id=inquiry.payer_id,
            service_date=inquiry.service_date,
        )
        if member is None:
            result.rejection_code = "72"  # invalid/missing member id
            result.message = "member not found"
            return result
        result.plan_type = insurance_type(member.plan_type)
        result.coverage_start = member.start
        result.coverage_end = member.end
        if result.active:
            result.copay = payer.office_copay if payer.office_copay else None
            result.coinsurance_percent = payer.coinsurance_percent or None
        return result

    def claim_status(self, text: str) -> str:
        """Answer a 276 with a 277 from what this simulator has seen.

        Raises:
            x12io.X12Error: the 276 cannot be read.
        """
        inbound = x12io.read_inbound(text)
        inquiries = status277.read_276(text)
        with self.state.lock:
            self.state.count("claim_status_requests")
            envelope = x12io.envelope(inbound, self._number(), inbound.created)
            asked = inbound.created.date()
            answer = status277.build_277(
                inquiries, lambda pcn: self._status_of(pcn, asked), envelope
            )
            self.state.commit()
        return answer

    def _status_of(self, pcn: str, asked: date) -> status277.StatusAnswer:
        record = self.state.claims.get(pcn)
        if record is None:
            return status277.StatusAnswer(NOT_FOUND, asked)
        return status277.StatusAnswer(
            status=record["status"],
            effective=date.fromisoformat(record["effective"]),
            charge=Decimal(record["charge"]),
            paid=Decimal(record["paid"]) if "paid" in record else None,
            payer_claim_number=record.get("payer_claim_number"),
        )


def _by_payer(
    acks: list[ClaimAcknowledgment], claims: dict[str, Claim]
) -> dict[str, list[ClaimAcknowledgment]]:
    groups: dict[str, list[ClaimAcknowledgment]] = {}
    for ack in acks:
        payer_id = claims[ack.patient_control_number or ""].coverage.payer_id
        groups.setdefault(payer_id, []).append(ack)
    return groups
