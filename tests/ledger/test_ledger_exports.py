import claimflow.ledger


def test_public_names_are_pinned():
    assert sorted(claimflow.ledger.__all__) == [
        "ClaimBalance",
        "ControlNumbers",
        "DepositReconciliation",
        "InboundFileInfo",
        "Ledger",
        "LedgerError",
        "NotFoundError",
        "PostingResult",
        "ProviderAdjustmentInfo",
        "RemitClaimMatch",
        "RemittanceHeldError",
        "RemittanceStored",
        "StatusInfo",
        "SubmissionInfo",
        "WorkItem",
        "metadata",
    ]
