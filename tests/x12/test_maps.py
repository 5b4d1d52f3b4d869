"""The project's pyx12 maps: our output validates, a wrong file fails for its fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow.x12 import build_270, build_271, build_276, build_837p, validate
from claimflow.x12.validate import MAP_PATH

from .conftest import SUBMITTER, make_claim, make_envelope, read_fixture
from .test_eligibility_status import ACTIVE, INQUIRY


def _first(text: str) -> tuple:
    finding = validate(text).first_error
    return (finding.segment_number, finding.segment_id, finding.element, finding.value)


def test_maps_folder_registers_every_shipped_version():
    index = (Path(MAP_PATH) / "maps.xml").read_text()
    for version, map_file in [
        ("005010X222A2", "837.5010.X222.A2.xml"),
        ("005010X223A3", "837Q3.I.5010.X223.A3.xml"),
        ("005010X224A2", "837.5010.X224.A2.xml"),
        ("005010X279A1", "270.5010.X279.A1.xml"),
        ("005010X279A1", "271.5010.X279.A1.xml"),
        ("005010X212", "276.5010.X212.xml"),
        ("005010X212", "277.5010.X212.xml"),
    ]:
        assert f'vriic="{version}"' in index
        assert (Path(MAP_PATH) / map_file).is_file()
    assert (Path(MAP_PATH) / "LICENSE.pyx12.txt").is_file()


def test_built_837p_is_x222a2_and_clean():
    text = build_837p([make_claim(1)], make_envelope(), SUBMITTER, "PAYER", "PAYERSIM")
    assert "GS*HC*CLAIMFLOW*PAYERSIM*20260302*0930*7*X*005010X222A2~" in text
    assert "ST*837*0001*005010X222A2~" in text
    assert validate(text).findings == []


def test_837p_with_a_dental_line_fails_on_that_line():
    text = build_837p([make_claim(1)], make_envelope(), SUBMITTER, "PAYER", "PAYERSIM")
    text = text.replace("SV1*HC:99213:25*125.00*UN*1***1:2~", "SV3*AD:D2150*125.00~")
    assert _first(text)[:2] == (27, "SV3")


def test_built_271_and_276_are_clean():
    assert validate(build_271(ACTIVE, INQUIRY, make_envelope())).findings == []
    text = build_276(make_claim(3), make_envelope(), "CLAIMFLOW BILLING", "CLAIMFLOW")
    assert validate(text).findings == []


def test_270_with_a_4010_date_qualifier_fails_on_it():
    text = build_270(INQUIRY, make_envelope()).replace("DTP*291*", "DTP*307*")
    finding = validate(text).first_error
    assert (finding.segment_number, finding.segment_id) == (13, "DTP")
    assert finding.message.startswith("Segment DTP*307 not found.")


DENTAL = "837D/ims-fork-dental-two-lines.837d"


def test_dental_sample_fails_only_on_its_st03():
    finding = validate(read_fixture(DENTAL)).first_error
    assert (finding.segment_number, finding.segment_id) == (3, "ST")
    assert finding.message == (
        "(005010X224) is not a valid code for Implementation Convention "
        "Reference (ST03) (005010X224)"
    )
    fixed = read_fixture(DENTAL).replace("*005010X224~", "*005010X224A2~")
    assert validate(fixed).findings == []


@pytest.mark.parametrize(
    ("old", "new", "segment", "element"),
    [
        pytest.param("TOO*JP*12*M:O", "TOO*JP*12*Q:O", 30, 3, id="bad-tooth-surface"),
        pytest.param("SV3*AD:D1110", "SV3*HC:D1110", 32, None, id="sv3-not-ad"),
    ],
)
def test_dental_map_rejects_bad_dental_values(old, new, segment, element):
    text = read_fixture(DENTAL).replace("*005010X224~", "*005010X224A2~")
    assert _first(text.replace(old, new))[:3] == (segment, new[:3], element)


def test_271_with_repeated_service_types_is_clean_and_bad_form_is_not():
    text = read_fixture("271/tr3-subscriber-eligibility.271")
    assert validate(text).findings == []
    broken = text.replace("1^33^35^47^86^88^98^AL^MH^UC", "1^33^355", 1)
    finding = validate(broken).first_error
    assert (finding.segment_id, finding.element) == ("EB", 3)


def _orthodontic_claim() -> str:
    """The dental sample with its ST03 fixed, DN1 (24 months, 18 to go) and two
    DN2 (tooth 1 missing, tooth 32 to be extracted) after the claim's DTP*472."""
    text = read_fixture(DENTAL).replace("*005010X224~", "*005010X224A2~")
    text = text.replace(
        "DTP*472*D8*20061029~",
        "DTP*472*D8*20061029~\nDN1*24*18~\nDN2*1*M****JP~\nDN2*32*E****JP~",
    )
    return text.replace("SE*31*3456~", "SE*34*3456~")


def test_dental_map_takes_dn1_and_dn2():
    assert validate(_orthodontic_claim()).findings == []


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        pytest.param(
            "DN2*1*M****JP",
            "DN2*1*X****JP",
            (26, "DN2", 2, "(X) is not a valid code for Tooth Status Code (DN202)"),
            id="unknown-tooth-status",
        ),
        pytest.param(
            "DN2*1*M****JP",
            "DN2*1*M",
            (
                26,
                "DN2",
                6,
                'Mandatory data element "Code List Qualifier Code" (DN206) is missing',
            ),
            id="no-tooth-code-list",
        ),
        pytest.param(
            "DN2*1*M****JP",
            "DN2*1*M**D8**JP",
            (
                26,
                "DN2",
                None,
                "Syntax Error (P0405): If any of DN204 or DN205 is present, "
                "then all are required",
            ),
            id="half-a-date",
        ),
        pytest.param(
            "DN1*24*18",
            "DN1*24*18*Y",
            (
                25,
                "DN1",
                3,
                'Data element "Yes/No Condition or Response Code" (DN103) is marked '
                "as Not Used",
            ),
            id="dn103-not-used",
        ),
        pytest.param(
            "DN1*24*18",
            "DN1*TWO",
            (
                25,
                "DN1",
                1,
                'Data element "Orthodontic Treatment Months Count" (DN101) is type '
                "R, contains an invalid character(TWO)",
            ),
            id="months-not-a-number",
        ),
    ],
)
def test_dental_map_rejects_bad_dn1_and_dn2(old, new, found):
    finding = validate(_orthodontic_claim().replace(old, new)).first_error
    assert (
        finding.segment_number,
        finding.segment_id,
        finding.element,
        finding.message,
    ) == found


def test_dn1_after_the_claim_references_is_out_of_place():
    text = _orthodontic_claim().replace("DN1*24*18~\n", "")
    reference = "REF*D9*17312345600006351~"
    text = text.replace(reference, reference + "DN1*24~")
    finding = validate(text).first_error
    assert (finding.segment_number, finding.segment_id) == (28, "DN1")
    assert finding.message.startswith("Segment DN1*24 not found.")
