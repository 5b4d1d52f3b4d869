"""Public surface, detection and the validation wrapper."""

from __future__ import annotations

import pytest

import claimflow.x12 as x12
from claimflow.x12 import detect, validate

from .conftest import read_fixture


def test_exported_names():
    assert sorted(x12.__all__) == sorted(
        [
            "AcceptedTransaction",
            "Intake837",
            "ReadResult",
            "RejectedTransaction",
            "acknowledge",
            "build_secondary_claim",
            "merge_cas",
            "read_837_file",
            "read_file",
            "ClaimStatus",
            "Delimiters",
            "InterchangeAck",
            "Envelope",
            "Segment",
            "TransactionSet",
            "ValidationReport",
            "X12BuildError",
            "X12CodeError",
            "X12Error",
            "X12Finding",
            "X12StructureError",
            "X12SyntaxError",
            "X12ValueError",
            "build_270",
            "build_271",
            "build_276",
            "build_277ca",
            "build_835",
            "build_837d",
            "build_837i",
            "build_837p",
            "build_999",
            "detect",
            "parse_270",
            "parse_271",
            "parse_277",
            "parse_277ca",
            "parse_835",
            "parse_837",
            "parse_999",
            "parse_ta1",
            "tokenize",
            "validate",
        ]
    )


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("837P/uhin-icd10-single-claim.837", "837P", id="837P"),
        pytest.param("835/pyx12-denied-three-lines.835", "835", id="835"),
        pytest.param("270/tr3-subscriber-eligibility.270", "270", id="270"),
        pytest.param("271/tr3-subscriber-eligibility.271", "271", id="271"),
        pytest.param("276/tr3-claim-level-status.276", "276", id="276"),
        pytest.param("277/tr3-claim-level-status.277", "277", id="277"),
        pytest.param("277CA/emedny-277ca-accepted.277", "277CA", id="277CA"),
        pytest.param("999/ims-999-accepted.999", "999", id="999"),
    ],
)
def test_detect(path, kind):
    assert detect(read_fixture(path)) == kind


def test_validate_clean_sample():
    assert validate(read_fixture("835/pyx12-denied-three-lines.835")).ok


def test_validate_first_error_is_located():
    report = validate(read_fixture("835/tr3-managed-care-two-claims.835"))
    first = report.first_error
    assert (first.segment_number, first.segment_id, first.element, first.value) == (
        4,
        "BPR",
        16,
        "20002316",
    )
    assert len(report.findings) == 2


def test_validate_reports_missing_envelope():
    report = validate(read_fixture("835/bcbsnc-no-envelope.835"))
    assert not report.ok
    first = report.first_error
    assert (first.segment_number, first.segment_id) == (1, "ST")
    assert first.message == "interchange does not start with ISA; expected ISA"


def test_validate_multiple_interchanges_sample_reports_pyx12_findings():
    report = validate(read_fixture("837P/ims-multiple-isa.837"))
    assert len(report.findings) == 40
    first = report.first_error
    assert (first.segment_number, first.segment_id, first.element) == (23, "HI", 1)
    assert first.message == (
        'Mandatory data element "Diagnosis Code" (HI01-02) is missing'
    )
