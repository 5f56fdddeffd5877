"""Reading for analysis: canonical frames with the right dtypes and values; practice never mixes in."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from surveykit.errors import NotFoundError
from surveykit.questionnaire.compiled import compile_form
from surveykit.store.frames import META_COLUMNS

from .helpers import example_answers, small_answers

EXPECTED_DTYPES = {
    "consent": "category",
    "interview_date": "datetime64[s]",
    "age": "Int64",
    "region": "category",
    "municipality": "category",
    "height_m": "Float64",
    "phone": "object",
    "services": "object",
    "main_service": "object",
    "n_services": "Int64",
    "uses_meals": "category",
    "visits_per_week": "Int64",
    "satisfaction": "category",
    "waiting": "category",
    "grid_late": "category",
    "n_relatives": "Int64",
    "relatives_total_age": "Int64",
    "suggestions": "object",
    "bmi_ready": "Float64",
}


@pytest.fixture
def filled(world):
    """Two real interviews (one approved), a draft, a rejected one and a practice one."""
    store = world.store
    first = world.start(period="2026-Q1", proxy=True)
    store.submit(first.id, example_answers())
    second = world.start(institution_id="csp2", mode="telephone", language="en", period="2026-Q1")
    store.submit(
        second.id,
        example_answers(
            age=80,
            region="south",
            municipality="s_village",
            services=frozenset({"medical"}),
            uses_meals=None,
            relatives=[{"rel_relation": "other", "rel_age": 50}],
            n_relatives=1,
            height_m=None,
            waiting=None,
        ),
    )
    store.set_status(second.id, "approved", by="sofia", note="ok")
    world.start(period="2026-Q1")  # a draft
    rejected = world.start(period="2026-Q2")
    store.submit(rejected.id, example_answers(age=90))
    store.set_status(rejected.id, "rejected", by="sofia", note="check")
    practice = world.start(practice=True, interviewer_id="boris")
    store.submit(practice.id, example_answers(age=66))
    return {"first": first.id, "second": second.id, "rejected": rejected.id, "practice": practice.id}


def test_interviews_frame_has_meta_columns_and_canonical_dtypes_and_values(world, filled):
    frame = world.store.interviews_frame("example_all_types")
    assert list(frame.columns[: len(META_COLUMNS)]) == list(META_COLUMNS)
    main_variables = [v.code for v in compile_form(world.example).variables_of(None)]
    assert list(frame.columns[len(META_COLUMNS) :]) == main_variables
    assert list(frame["interview_id"]) == [filled["first"], filled["second"]]
    for column, dtype in EXPECTED_DTYPES.items():
        assert str(frame[column].dtype) == dtype, column
    assert str(frame["started_at"].dtype) == "datetime64[us, UTC]"
    assert frame["proxy"].tolist() == [True, False] and frame["practice"].tolist() == [False, False]
    assert frame["status"].tolist() == ["submitted", "approved"]
    assert frame["mode"].tolist() == ["face_to_face", "telephone"]
    assert frame["language"].tolist() == ["ru", "en"]
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["age"] == 70 and second["age"] == 80
    assert first["interview_date"] == pd.Timestamp("2026-03-01")
    assert first["height_m"] == 1.72 and pd.isna(second["height_m"])
    assert first["region"] == "north" and second["municipality"] == "s_village"
    assert list(frame["region"].cat.categories) == ["north", "south"]
    assert first["services"] == "meals cleaning" and second["services"] == "medical"  # list order
    assert first["uses_meals"] == "yes" and pd.isna(second["uses_meals"])
    assert first["waiting"] == "dk" and pd.isna(second["waiting"])
    assert first["grid_rushed"] == "sometimes"
    assert first["relatives_total_age"] == 40 and second["oldest_relative"] == 50
    assert first["suggestions"] == "Больше прогулок"
    assert first["n_services"] == 2 and second["n_services"] == 1


def test_repeat_frame_is_keyed_by_interview_and_index(world, filled):
    relatives = world.store.repeat_frame("example_all_types", "relatives")
    assert list(relatives.columns) == ["interview_id", "_index", "_path", "rel_relation", "rel_age"]
    assert relatives["interview_id"].tolist() == [filled["first"], filled["first"], filled["second"]]
    assert relatives["_index"].tolist() == [1, 2, 1]
    assert relatives["_path"].tolist() == ["relatives[1]", "relatives[2]", "relatives[1]"]
    assert relatives["rel_relation"].tolist() == ["child", "spouse", "other"]
    assert str(relatives["rel_age"].dtype) == "Int64"
    assert relatives["rel_age"].tolist()[0] == 40 and pd.isna(relatives["rel_age"].tolist()[1])
    with pytest.raises(NotFoundError):
        world.store.repeat_frame("example_all_types", "relative")


def test_practice_never_mixes_with_real_data(world, filled):
    store = world.store
    real = store.interviews_frame("example_all_types", status=None)
    assert filled["practice"] not in set(real["interview_id"])
    assert not real["practice"].any()
    practice = store.interviews_frame("example_all_types", practice=True)
    assert practice["interview_id"].tolist() == [filled["practice"]]
    assert filled["practice"] not in set(store.repeat_frame("example_all_types", "relatives")["interview_id"])
    assert store.paradata_frame(interview_ids=[filled["practice"]]).empty
    both = store.interviews_frame("example_all_types", status=None, practice=None)
    assert len(both) == len(real) + 1


def test_filters(world, filled):
    store = world.store
    frame = store.interviews_frame
    assert set(frame("example_all_types", status=None)["status"]) == {
        "draft",
        "submitted",
        "approved",
        "rejected",
    }
    assert frame("example_all_types", status=("rejected",))["interview_id"].tolist() == [filled["rejected"]]
    assert frame("example_all_types", institution_ids=["csp2"])["interview_id"].tolist() == [filled["second"]]
    assert len(frame("example_all_types", period="2026-Q2", status=None)) == 1
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert frame("example_all_types", since=future).empty
    assert len(frame("example_all_types", until=future)) == 2


def test_an_empty_selection_still_has_every_column_with_its_dtype(world):
    frame = world.store.interviews_frame("example_all_types")
    assert frame.empty
    for column, dtype in EXPECTED_DTYPES.items():
        assert str(frame[column].dtype) == dtype


def test_paradata_frame(world):
    store = world.store
    meta = world.start()
    store.save_draft(
        meta.id,
        {"consent": "yes"},
        events=[
            {"event": "answer_set", "question": "consent", "new_value": "yes", "elapsed_ms": 900},
            {
                "event": "answer_changed",
                "question": "services",
                "old_value": frozenset({"meals"}),
                "new_value": frozenset({"meals", "cleaning"}),
            },
            {"event": "language_switch", "old_value": "ru", "new_value": "en"},
        ],
    )
    store.record_events(meta.id, [{"event": "resume"}])
    paradata = store.paradata_frame(questionnaire_id="example_all_types")
    assert paradata["event"].tolist() == ["answer_set", "answer_changed", "language_switch", "resume"]
    assert paradata["seq"].tolist() == [1, 2, 3, 4]
    assert paradata["new_value"].tolist()[1] == ["cleaning", "meals"]
    assert paradata["interviewer_id"].unique().tolist() == ["anna"]
    assert str(paradata["at"].dtype).startswith("datetime64") and paradata["at"].dt.tz is not None


def test_many_interviews_are_read_in_one_pass(world):
    store = world.store
    for k in range(40):
        store.submit(world.start("small").id, small_answers(k))
    frame = store.interviews_frame("small")
    assert len(frame) == 40
    assert frame["age"].tolist() == [30 + k for k in range(40)]
    assert frame["visited"].tolist()[3] == pd.Timestamp("2026-01-04")
