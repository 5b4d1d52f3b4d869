import claimflow.ledger


def test_public_names_are_pinned():
    assert sorted(claimflow.ledger.__all__) == [
        "ClaimBalance",
        "ControlNumbers",
        "InboundFileInfo",
        "Ledger",
        "LedgerError",
        "NotFoundError",
        "PostingResult",
        "RemitClaimMatch",
        "RemittanceStored",
        "StatusInfo",
        "SubmissionInfo",
        "WorkItem",
        "metadata",
    ]
