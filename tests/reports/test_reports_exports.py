import claimflow.reports


def test_report_names_are_pinned():
    assert sorted(claimflow.reports.__all__) == [
        "AgingRow",
        "BUCKETS",
        "DaysInAR",
        "DenialRate",
        "MonthCollections",
        "OutstandingClaim",
        "PatientBalanceRow",
        "ReasonCount",
        "Report",
        "build_report",
        "report_command",
        "to_csv",
        "to_json",
        "to_text",
    ]
