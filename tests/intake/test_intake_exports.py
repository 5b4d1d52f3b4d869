import claimflow.intake


def test_public_names_are_pinned():
    assert sorted(claimflow.intake.__all__) == [
        "IntakePlan",
        "IntakeResult",
        "PlannedClaim",
        "PlannedPatient",
        "Unbillable",
        "intake",
        "load_synthea",
        "plan_claims",
    ]
