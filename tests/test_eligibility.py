"""The 271's AAA03 reject reasons, in words with their code."""

from __future__ import annotations

import pytest

from claimflow.eligibility import reject_reason


@pytest.mark.parametrize(
    ("code", "words"),
    [
        pytest.param("72", "invalid or missing member ID (AAA 72)", id="member-id"),
        pytest.param("73", "invalid or missing subscriber name (AAA 73)", id="name"),
        pytest.param("75", "subscriber not found (AAA 75)", id="not-found"),
        pytest.param("76", "duplicate subscriber ID (AAA 76)", id="duplicate"),
        pytest.param("41", "authorization or access restrictions (AAA 41)", id="41"),
        pytest.param("42", "the payer is unable to respond now (AAA 42)", id="42"),
        pytest.param("58", "invalid or missing date of birth (AAA 58)", id="dob"),
        pytest.param("15", "required application data missing (AAA 15)", id="15"),
    ],
)
def test_a_reject_reason_is_said_in_words_with_its_code(code, words):
    assert reject_reason(code) == words


def test_an_unknown_code_is_named_not_guessed():
    assert reject_reason("Z9") == "a reject reason code we do not know (AAA Z9)"
