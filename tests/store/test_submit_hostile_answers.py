"""Answers that are not answers given to ``Store.submit`` (issue 14, "Robust on any input"): refused with a
clear, located error; nothing stored, nothing stored as a Python repr.

The answer checks themselves live in :mod:`surveykit.questionnaire.answer_input` (SK410-SK414).
"""

from __future__ import annotations

import pytest

from surveykit.errors import SurveykitError

from .helpers import checksum, example_answers


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
    text = str(info.value).lower()
    assert ("answers" in text or "question code" in text) and "traceback" not in text
    assert checksum(world.store) == before


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
