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
        "PatientStatement",
        "PostingResult",
        "ProviderAdjustmentInfo",
        "RemitClaimMatch",
        "RemittanceHeldError",
        "RemittanceStored",
        "StatementLine",
        "StatusInfo",
        "SubmissionInfo",
        "WorkItem",
        "metadata",
    ]
