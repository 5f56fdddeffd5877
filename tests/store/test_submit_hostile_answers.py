"""Answers that are not answers given to ``Store.submit`` (issue 14, "Robust on any input"): refused with a
clear, located error; nothing stored, nothing stored as a Python repr.

The answer checks themselves are built by another part of the work on issue 14 (submit's answer types);
until that part is merged these tests are expected to fail, and ``xfail(strict=True)`` makes their passing
visible: remove the marks when they pass.
"""

from __future__ import annotations

import pytest

from surveykit.errors import SurveykitError

from .helpers import checksum, example_answers

XFAIL = pytest.mark.xfail(
    strict=True,
    reason="submit's answer checks (issue 14) are merged from another branch; then remove this mark",
)


@XFAIL
@pytest.mark.parametrize(
    "answers",
    [["age", 70], "age=70", 70, b"age=70", {("age",): 70}],
    ids=["a list", "a text", "a number", "bytes", "a tuple key"],
)
def test_answers_that_are_not_a_mapping_of_codes_are_refused(world, answers):
    meta = world.start()
    before = checksum(world.store)
    with pytest.raises(SurveykitError) as info:
        world.store.submit(meta.id, answers)
    assert "answers" in str(info.value).lower() and "Traceback" not in str(info.value)
    assert checksum(world.store) == before


@XFAIL
@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("suggestions", "More \ud800 visits"),  # a lone surrogate cannot be stored as UTF-8
        ("suggestions", "More\x00visits"),  # NUL cannot be stored in PostgreSQL text
        ("suggestions", b"More visits"),  # bytes would be stored as their repr, b'...'
        ("suggestions", {"text": "More visits"}),  # a dict would be stored as its repr
    ],
    ids=["lone surrogate", "NUL", "bytes", "a dict"],
)
def test_a_value_that_is_not_text_number_date_or_choices_is_refused_with_its_question(world, code, value):
    refused_with_its_question(world, code, value)


@pytest.mark.parametrize(
    ("code", "value"),
    [("age", [70]), ("region", object())],
    ids=["a list for a number", "an object for a choice"],
)
def test_values_the_validation_already_refuses(world, code, value):
    refused_with_its_question(world, code, value)


def refused_with_its_question(world, code, value):
    meta = world.start()
    before = checksum(world.store)
    with pytest.raises(SurveykitError) as info:
        world.store.submit(meta.id, example_answers(**{code: value}))
    assert info.value.location.field == code or code in str(info.value)
    assert checksum(world.store) == before
