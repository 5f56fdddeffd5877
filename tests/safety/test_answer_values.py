"""Answer values checked at input (issues 13 and 14): submit, drafts and validate_answers refuse, with a
located error, what is not an answer — answers that are not a mapping (SK410), bytes, mappings, sets and other
objects (SK411; once stored as their Python repr), broken text (SK412), NaN and infinities (SK413), and
malformed repeat groups or question codes (SK414). Never a crash, never a repr stored."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from surveykit.errors import ErrorCode, ValidationError
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.questionnaire.validate import validate_answers
from surveykit.store import Store
from surveykit.store.schema import answers as answers_table

FORM = {
    "schema_version": 1,
    "id": "values",
    "version": "1",
    "title": {"en": "Values"},
    "languages": ["en", "ru"],
    "default_language": "en",
    "choice_lists": {"services": [{"name": "meals"}, {"name": "cleaning"}]},
    "items": [
        {"code": "comment", "type": "text"},
        {"code": "age", "type": "integer"},
        {"code": "height", "type": "decimal"},
        {"code": "visited", "type": "date"},
        {"code": "services", "type": "select_multiple", "choices": "services"},
        {"code": "kids", "type": "repeat", "items": [{"code": "kid_age", "type": "integer"}]},
    ],
}
GOOD = {
    "comment": "всё хорошо",
    "age": 70,
    "height": 1.7,
    "visited": dt.date(2026, 3, 1),
    "services": ["meals"],
    "kids": [{"kid_age": 40}],
}


class Odd:
    def __repr__(self) -> str:
        return "<Odd object>"


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as opened:
        opened.publish(questionnaire_from_data(FORM).unwrap())
        opened.add_institution("i1", "Institution 1")
        opened.add_person("p1", "Interviewer", ["interviewer"])
        yield opened


def _start(store: Store):
    return store.start_interview("values", institution_id="i1", interviewer_id="p1", mode="face_to_face")


def _stored_texts(store: Store) -> list:
    with store.db.read() as conn:
        return list(conn.execute(sa.select(answers_table.c.text)).scalars())


REFUSED = [
    ({"comment": b"bytes"}, ErrorCode.ANSWER_VALUE_TYPE, "comment", None),
    ({"comment": {"a": 1}}, ErrorCode.ANSWER_VALUE_TYPE, "comment", None),
    ({"comment": {"x", "y"}}, ErrorCode.ANSWER_VALUE_TYPE, "comment", None),
    ({"comment": Odd()}, ErrorCode.ANSWER_VALUE_TYPE, "comment", None),
    ({"age": bytearray(b"42")}, ErrorCode.ANSWER_VALUE_TYPE, "age", None),
    ({"comment": "broken \ud83d text"}, ErrorCode.ANSWER_TEXT_INVALID, "comment", None),
    ({"comment": "nul\0inside"}, ErrorCode.ANSWER_TEXT_INVALID, "comment", None),
    ({"age": float("nan")}, ErrorCode.ANSWER_NOT_FINITE, "age", None),
    ({"height": float("inf")}, ErrorCode.ANSWER_NOT_FINITE, "height", None),
    ({"height": np.float64("-inf")}, ErrorCode.ANSWER_NOT_FINITE, "height", None),
    ({"height": decimal.Decimal("NaN")}, ErrorCode.ANSWER_NOT_FINITE, "height", None),
    ({"comment": float("nan")}, ErrorCode.ANSWER_NOT_FINITE, "comment", None),
    ({"services": ["meals", {"x": 1}]}, ErrorCode.ANSWER_VALUE_TYPE, "services", None),
    ({"services": ["meals", b"cleaning"]}, ErrorCode.ANSWER_VALUE_TYPE, "services", None),
    ({"services": ["meals", "bad\ud800"]}, ErrorCode.ANSWER_TEXT_INVALID, "services", None),
    ({"kids": "three"}, ErrorCode.ANSWER_SHAPE, "kids", None),
    ({"kids": [1, 2]}, ErrorCode.ANSWER_SHAPE, "kids", None),
    ({"kids": [{"kid_age": b"4"}]}, ErrorCode.ANSWER_VALUE_TYPE, "kid_age", "kids[1]"),
    ({1: "x"}, ErrorCode.ANSWER_SHAPE, None, None),
]


@pytest.mark.parametrize(
    ("change", "code", "field", "path"),
    REFUSED,
    ids=[f"{i}-{code.code}-{field}" for i, (_, code, field, _) in enumerate(REFUSED)],
)
def test_submit_refuses_a_value_that_is_no_answer_and_stores_nothing(store, change, code, field, path):
    meta = _start(store)
    with pytest.raises(ValidationError) as info:
        store.submit(meta.id, {**GOOD, **change})
    problems = [p for p in info.value.report.errors if p.code is code]
    assert problems, [str(p) for p in info.value.report.errors]
    assert problems[0].location.field == field and problems[0].location.path == path
    message, hint = problems[0].localized("ru")
    assert message and hint and "{" not in message
    assert store.interview(meta.id).status == "draft" and _stored_texts(store) == []


@pytest.mark.parametrize("answers", [["comment", "x"], "comment=x", 42, None, ("a", 1)])
def test_answers_that_are_not_a_mapping_are_refused_everywhere(store, answers):
    form = store.form("values")
    result = validate_answers(form, answers)
    assert [p.code for p in result.report.errors] == [ErrorCode.ANSWERS_NOT_MAPPING]
    meta = _start(store)
    with pytest.raises(ValidationError) as info:
        store.save_draft(meta.id, answers)
    assert info.value.code is ErrorCode.ANSWERS_NOT_MAPPING
    if answers is not None:  # None means "the saved draft" at submit
        with pytest.raises(ValidationError) as info:
            store.submit(meta.id, answers)
        assert info.value.code is ErrorCode.ANSWERS_NOT_MAPPING


def test_a_draft_with_bytes_is_refused_and_the_previous_draft_stays(store):
    meta = _start(store)
    store.save_draft(meta.id, {"comment": "first"})
    with pytest.raises(ValidationError) as info:
        store.save_draft(meta.id, {"comment": b"\xff\xfe"})
    assert info.value.code is ErrorCode.ANSWER_VALUE_TYPE
    assert store.load_interview(meta.id).answers["comment"] == "first"


def test_good_values_of_every_kind_are_accepted_and_pandas_missing_is_no_answer(store):
    meta = _start(store)
    answers = {
        **GOOD,
        "age": np.int64(71),
        "height": decimal.Decimal("1.65"),
        "visited": pd.Timestamp("2026-03-02"),
        "services": frozenset({"meals", "cleaning"}),
        "comment": "tab\tand\x0bvertical tab and escape\x1b are text",
    }
    assert store.submit(meta.id, answers).outcome == "stored"
    stored = store.load_interview(meta.id).answers
    assert stored["age"] == 71 and stored["comment"] == answers["comment"]
    other = _start(store)
    assert store.submit(other.id, {**GOOD, "age": pd.NA, "visited": pd.NaT}).outcome == "stored"
    loaded = store.load_interview(other.id).answers
    assert loaded.get("age") is None and loaded.get("visited") is None


def test_no_python_repr_reaches_the_store_through_a_bulk_import(store):
    """The frame path (imports) reads values with the same rules: a dict or bytes is a wrong type."""
    frame = pd.DataFrame(
        {
            "institution_id": ["i1", "i1"],
            "interviewer_id": ["p1", "p1"],
            "mode": ["face_to_face", "face_to_face"],
            "comment": pd.Series([{"a": 1}, b"raw"], dtype=object),
        }
    )
    from surveykit.errors import DataImportError

    with pytest.raises(DataImportError) as info:
        store.import_frame(frame, "values", by="operator")
    wrong = [p for p in info.value.report.errors if p.code is ErrorCode.ANSWER_WRONG_TYPE]
    assert [p.location.row for p in wrong] == [1, 2] and {p.location.field for p in wrong} == {"comment"}
    assert _stored_texts(store) == []
    with pytest.raises(DataImportError) as info:  # a NUL (PostgreSQL cannot store it) is refused too
        store.import_frame(frame.assign(comment=["fine", "nul\0inside"]), "values", by="operator")
    assert [p.location.row for p in info.value.report.errors if p.code is ErrorCode.ANSWER_WRONG_TYPE] == [2]
    assert _stored_texts(store) == []
