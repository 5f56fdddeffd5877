"""One interview of a form without repeat groups is read back from its stored rows in plain Python (the
interview app resumes and submits without pandas, issue 17): the same answers as the vectorised frame path,
value for value and type for type."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from surveykit.store.codec import ROW_COLUMNS, answers_from_levels, levels_from_rows

from .helpers import example_answers


def _both(store, interview_id):
    form = store.interviews.catalog.form(store.interviews.meta(interview_id).questionnaire_version_id)
    with store.db.read() as conn:
        rows = store.interviews._rows(conn, interview_id)
    plain, _ = levels_from_rows(form, rows, [interview_id])
    framed, _ = levels_from_rows(form, pd.DataFrame(list(rows), columns=list(ROW_COLUMNS)), [interview_id])
    return answers_from_levels(form, plain, [0])[0], answers_from_levels(form, framed, [0])[0]


def test_a_draft_read_from_driver_rows_equals_the_frame_path(store, world):
    meta = world.start("small")
    answers = {"consent": "yes", "age": 42, "services": ["cleaning", "meals"], "visited": dt.date(2026, 3, 1),
               "comment": "Всё хорошо", "satisfied": "no"}  # fmt: skip
    store.save_draft(meta.id, answers)
    plain, framed = _both(store, meta.id)
    assert plain == framed
    assert [type(plain[k]) for k in sorted(plain)] == [type(framed[k]) for k in sorted(framed)]
    assert plain["age"] == 42 and plain["visited"] == dt.date(2026, 3, 1)
    assert plain["services"] == frozenset({"meals", "cleaning"})
    assert store.load_interview(meta.id).answers == plain  # what the store hands the app


def test_unanswered_questions_read_as_none_on_both_paths(store, world):
    meta = world.start("small")
    store.save_draft(meta.id, {"consent": "no"})
    plain, framed = _both(store, meta.id)
    assert plain == framed
    assert plain["age"] is None and plain["visited"] is None and plain["services"] is None


def test_driver_rows_of_a_form_with_repeat_groups_take_the_frame_path(store, world):
    """The plain path is for forms without repeat groups: the rows of one with repeats become a frame, and
    its instances come back."""
    meta = world.start()
    store.save_draft(meta.id, example_answers())
    plain, framed = _both(store, meta.id)
    assert plain == framed
    assert [len(v) for v in plain.values() if isinstance(v, list)] == [
        len(v) for v in example_answers().values() if isinstance(v, list)
    ]
