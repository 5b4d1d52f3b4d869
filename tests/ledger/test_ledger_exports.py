import claimflow.ledger


def test_public_names_are_pinned():
    assert sorted(claimflow.ledger.__all__) == [
        "ClaimBalance",
        "ControlNumbers",
        "DepositReconciliation",
        "ForwardBalance",
        "InboundFileInfo",
        "Ledger",
        "LedgerError",
        "NotFoundError",
        "PatientStatement",
        "PostingResult",
        "ProviderAdjustmentInfo",
        "RemitClaimMatch",
        "RemitClaimView",
        "RemittanceDetail",
        "RemittanceHeldError",
        "RemittanceInfo",
        "RemittanceStored",
        "SecondaryClaim",
        "StatementLine",
        "StatusInfo",
        "SubmissionInfo",
        "WorkItem",
        "metadata",
    ]
