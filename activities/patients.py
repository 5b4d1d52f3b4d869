"""Activities of patient money that reaches past one claim: payments and credit.

A patient payment can pay more than the claim it names; the ledger turns the
excess into credit and spends it on the patient's other open balances, oldest
date of service first. Those other claims' workflows are waiting for a patient
payment of their own, so the activity that records the payment also tells them,
by a ``patient_balance_settled`` signal through the Temporal client, that their
balance is paid. The signal's transaction ID names the payment and the claim, so
a retried activity sends nothing a claim takes twice.
"""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.claims import balances
from claimflow.ledger import Ledger
from claimflow.messages import (
    Balances,
    PatientBalanceSettled,
    PaymentOutcome,
    PaymentRequest,
)


class PatientActivities:
    """Patient payments, bound to the ledger and a Temporal client."""

    def __init__(self, ledger: Ledger, client: Client) -> None:
        self.ledger = ledger
        self.client = client

    def all(self) -> list:
        return [self.take_patient_payment, self.tell_claims_overpayment_settled]

    def _billing_claim(self, account: int) -> int:
        """The claim whose workflow waits for the account's patient balance.

        That is the last claim billed on the account: its secondary (or
        tertiary) claim when there is one, which bills the patient what its
        payer leaves, else the account's own claim.
        """
        claims = self.ledger.secondary_claims().items()
        after = {before: claim for claim, before in claims}
        claim = account
        while claim in after:
            claim = after[claim]
        return claim

    @activity.defn(name="take_patient_payment")
    async def take_patient_payment(self, request: PaymentRequest) -> PaymentOutcome:
        """Record a patient payment; tell the claims its credit settled.

        The payment goes on the claim's account (the primary claim's for a
        secondary). Answers the account's balances, with what the patient
        still owes on it, and the other accounts whose patient balance the
        payment's credit paid off; each of those claims' workflows gets a
        ``patient_balance_settled`` signal (a claim whose workflow has ended
        is passed over).
        """
        settled, owed = await asyncio.to_thread(self._record, request)
        for other in settled:
            await self._tell_settled(other, request.payment.transaction_id)
        return PaymentOutcome(balances=owed, settled_by_credit=settled)

    def _record(self, request: PaymentRequest) -> tuple[list[int], Balances]:
        """The ledger's part (blocking, so it runs off the event loop)."""
        ledger = self.ledger
        patient_id = ledger.get_claim(request.claim_id).patient.patient_id
        account = ledger.account_claim(request.claim_id)
        entry = ledger.record_patient_payment(
            patient_id,
            request.payment.amount,
            request.payment.transaction_id,
            claim_id=account,
        )
        settled = [
            other
            for other in ledger.claims_settled_by_credit(patient_id, entry)
            if other != account
        ]
        owed = balances(ledger.claim_balance(account))
        owed.patient_responsibility = ledger.patient_due(account)
        return settled, owed

    @activity.defn(name="tell_claims_overpayment_settled")
    async def tell_claims_overpayment_settled(self, claim_id: int) -> list[int]:
        """Tell the claims that credit from this claim's overpayment paid off.

        Billing the patient after a reversal that lowered their share moves
        what they paid beyond it to credit, which can pay their other claims.
        Answers those claims' accounts (empty when the claim was never
        overpaid); each one's workflow gets ``patient_balance_settled``.
        """

        def find() -> tuple[int, list[int]] | None:
            return self.ledger.overpayment_credit(self.ledger.account_claim(claim_id))

        found = await asyncio.to_thread(find)
        if found is None:
            return []
        entry, settled = found
        for other in settled:
            await self._tell_settled(other, f"overpayment-{entry}")
        return settled

    async def _tell_settled(self, account: int, payment_id: str) -> None:
        from workflows.claim import ClaimWorkflow

        claim = await asyncio.to_thread(self._billing_claim, account)
        handle = self.client.get_workflow_handle(f"claim-{claim}")
        try:
            await handle.signal(
                ClaimWorkflow.patient_balance_settled,
                PatientBalanceSettled(
                    transaction_id=f"credit-settled:{payment_id}:{account}",
                    account_claim_id=account,
                ),
            )
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            activity.logger.info(
                "claim %s: no running workflow to tell its balance is settled", claim
            )
