"""Response validation: typed values for every question type, XLSForm semantics, one interview or many."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveykit.errors import ErrorCode, Severity
from surveykit.expressions import Kind
from surveykit.questionnaire.io import load_questionnaire
from surveykit.questionnaire.validate import validate_answers, validate_frame

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "example_all_types.yaml"
NOW = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(EXAMPLE)


def complete(**changes):
    """A complete, valid interview of the example questionnaire."""
    answers = {
        "consent": "yes",
        "interview_date": "2026-03-01",
        "age": 70,
        "region": "north",
        "municipality": "n_city",
        "height_m": 1.72,
        "phone": "+7 900 123 45 67",
        "services": {"meals", "cleaning"},
        "uses_meals": "yes",
        "visits_per_week": 3,
        "satisfaction": "4",
        "waiting": "dk",
        "grid_late": "never",
        "grid_rushed": "sometimes",
        "grid_explains": "often",
        "n_relatives": 2,
        "relatives": [{"rel_relation": "child", "rel_age": 45}, {"rel_relation": "spouse", "rel_age": 72}],
        "suggestions": "More visits",
    }
    answers.update(changes)
    return answers


def problems(result, code=None):
    return [(p.code, p.location.field) for p in result.report.errors if code is None or p.code is code]


def test_a_complete_interview_is_valid_and_typed(q):
    result = validate_answers(q, complete(), now=NOW)
    assert result.ok, str(result.report)
    answers = result.answers()
    assert answers["interview_date"] == dt.date(2026, 3, 1)
    assert answers["age"] == 70 and isinstance(answers["age"], int)
    assert answers["height_m"] == pytest.approx(1.72)
    assert answers["services"] == frozenset({"meals", "cleaning"})
    assert answers["satisfaction"] == "4" and answers["waiting"] == "dk"
    assert answers["grid_rushed"] == "sometimes"
    # calculations: selected-at keeps choice-list order (meals before cleaning), counts, aggregates over the repeat
    assert answers["main_service"] == "meals"
    assert answers["n_services"] == 2
    assert answers["relatives_total_age"] == 117
    assert answers["oldest_relative"] == 72 and answers["youngest_relative"] == 45
    assert answers["age_group"] == "60-74"
    assert answers["bmi_ready"] == pytest.approx(172.0)
    assert answers["decade"] == 70
    assert answers["weeks_since_2020"] == (dt.date(2026, 3, 1) - dt.date(2020, 1, 1)).days // 7
    assert answers["stamp"] == "01.03.2026 / 2026"
    assert answers["relatives"] == [
        {"rel_relation": "child", "rel_age": 45},
        {"rel_relation": "spouse", "rel_age": 72},
    ]


def test_a_non_relevant_group_drops_its_answers_and_reports_them(q):
    result = validate_answers(q, complete(consent="no"), now=NOW)
    # consent's own constraint fails, and every answer inside the groups that need consent is reported
    assert (ErrorCode.ANSWER_CONSTRAINT, "consent") in problems(result)
    dropped = {field for code, field in problems(result, ErrorCode.ANSWER_NOT_RELEVANT)}
    assert {"age", "region", "services", "grid_late", "rel_age", "suggestions"} <= dropped
    assert result.answers()["age"] is None
    assert result.answers()["n_services"] is None  # a calculation is not computed where it does not apply


def test_skip_logic_on_a_multiple_choice(q):
    result = validate_answers(q, complete(services={"cleaning"}), now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_NOT_RELEVANT, "uses_meals")]
    assert not result.relevant("uses_meals")


def test_required_plain_and_by_expression(q):
    answers = complete()
    for code in ("age", "municipality", "satisfaction"):
        answers.pop(code)
    result = validate_answers(q, answers, now=NOW)
    assert sorted(problems(result, ErrorCode.ANSWER_REQUIRED)) == [
        (ErrorCode.ANSWER_REQUIRED, "age"),
        (ErrorCode.ANSWER_REQUIRED, "municipality"),
        (ErrorCode.ANSWER_REQUIRED, "satisfaction"),
    ]
    answers.pop("region")  # municipality is required only when a region is given
    fields = {f for _, f in problems(validate_answers(q, answers, now=NOW), ErrorCode.ANSWER_REQUIRED)}
    assert "municipality" not in fields and "region" in fields


def test_constraint_messages_in_the_chosen_language(q):
    ru = validate_answers(q, complete(phone="12345"), now=NOW)
    en = validate_answers(q, complete(phone="12345"), now=NOW, language="en")
    assert ru.report.errors[0].message == "Номер начинается с + и содержит только цифры"
    assert en.report.errors[0].message == "The number starts with + and has digits only"


def test_a_constraint_is_not_checked_on_an_empty_value(q):
    answers = complete()
    answers.pop("phone")
    assert validate_answers(q, answers, now=NOW).ok


@pytest.mark.parametrize(
    ("code", "value", "error"),
    [
        ("age", "seventy", ErrorCode.ANSWER_WRONG_TYPE),
        ("age", 70.5, ErrorCode.ANSWER_WRONG_TYPE),
        ("age", 15, ErrorCode.ANSWER_OUT_OF_RANGE),
        ("height_m", "tall", ErrorCode.ANSWER_WRONG_TYPE),
        ("height_m", 3.1, ErrorCode.ANSWER_OUT_OF_RANGE),
        ("interview_date", "yesterday", ErrorCode.ANSWER_WRONG_TYPE),
        ("interview_date", "2030-01-01", ErrorCode.ANSWER_CONSTRAINT),
        ("region", "east", ErrorCode.ANSWER_NOT_IN_LIST),
        ("services", {"meals", "flying"}, ErrorCode.ANSWER_NOT_IN_LIST),
        ("services", {"meals", "cleaning", "medical", "company"}, ErrorCode.ANSWER_CONSTRAINT),
        ("satisfaction", "6", ErrorCode.ANSWER_NOT_IN_LIST),
        ("grid_late", "always", ErrorCode.ANSWER_NOT_IN_LIST),
        ("municipality", "s_city", ErrorCode.ANSWER_FILTERED_CHOICE),
        ("suggestions", "see http://x", ErrorCode.ANSWER_CONSTRAINT),
        ("n_services", 5, ErrorCode.ANSWER_CALCULATION_DIFFERS),
    ],
)
def test_each_kind_of_invalid_answer(q, code, value, error):
    result = validate_answers(q, complete(**{code: value}), now=NOW)
    found = [(p.code, p.location.field) for p in result.report]
    assert (error, code) in found
    if error is ErrorCode.ANSWER_CALCULATION_DIFFERS:
        assert result.report.warnings and result.ok  # a warning; the computed value wins
        assert result.answers()["n_services"] == 2


def test_accepted_input_forms(q):
    result = validate_answers(
        q,
        complete(
            age="70",
            height_m="1,72",
            interview_date="01.03.2026",
            services="cleaning meals",
            visits_per_week=3.0,
        ),
        now=NOW,
    )
    assert result.ok, str(result.report)
    assert result.answers()["height_m"] == pytest.approx(1.72)
    assert result.answers()["services"] == frozenset({"meals", "cleaning"})


def test_unknown_codes_are_reported_with_a_suggestion(q):
    result = validate_answers(q, complete(regoin="north"), now=NOW)
    problem = next(p for p in result.report.errors if p.code is ErrorCode.ANSWER_UNKNOWN_QUESTION)
    assert problem.location.field == "regoin" and "'region'" in problem.message


def test_repeat_constraint_refers_to_the_parent_and_is_located(q):
    relatives = [{"rel_relation": "child", "rel_age": 80}, {"rel_age": 10}]
    result = validate_answers(q, complete(relatives=relatives), now=NOW)
    located = {(p.code, p.location.field, p.location.path) for p in result.report.errors}
    assert (ErrorCode.ANSWER_CONSTRAINT, "rel_age", "interview, relatives[1]") in located
    assert (ErrorCode.ANSWER_REQUIRED, "rel_relation", "interview, relatives[2]") in located


def frame_of(answers_list):
    rows = [{k: v for k, v in a.items() if k != "relatives"} for a in answers_list]
    parents, repeat_rows = [], []
    for i, a in enumerate(answers_list):
        for instance in a.get("relatives", []):
            parents.append(i)
            repeat_rows.append(instance)
    repeat = pd.DataFrame(repeat_rows)
    repeat.insert(0, "_parent", parents)
    return pd.DataFrame(rows), {"relatives": repeat}


def test_frame_validation_locates_rows_and_builds_canonical_frames(q):
    batch = [
        complete(),
        complete(age=15),
        complete(consent="no"),
        complete(region="south", municipality="s_city"),
    ]
    frame, repeats = frame_of(batch)
    result = validate_frame(q, frame, repeats=repeats, now=NOW)
    rows = {p.location.row for p in result.report.errors}
    assert rows == {2, 3}
    assert (ErrorCode.ANSWER_OUT_OF_RANGE, "age") in problems(result)
    data = result.data
    assert str(data["age"].dtype) == "Int64" and str(data["height_m"].dtype) == "Float64"
    assert isinstance(data["region"].dtype, pd.CategoricalDtype)
    assert list(data["region"].cat.categories) == ["north", "south"]
    assert data["services"].iloc[0] == "meals cleaning"
    assert str(data["interview_date"].dtype).startswith("datetime64")
    assert data.loc[2, "age"] is pd.NA  # dropped: no consent
    rel = result.repeats["relatives"]
    assert list(rel.columns[:2]) == ["_parent", "_index"] and rel["_index"].tolist() == [1, 2] * 4
    assert data["relatives_total_age"].tolist()[:2] == [117, 117]


def test_frame_and_single_interview_validation_agree(q):
    batch = [complete(), complete(phone="1"), complete(services={"cleaning"}), complete(age=None)]
    frame, repeats = frame_of(batch)
    together = validate_frame(q, frame, repeats=repeats, now=NOW)
    for i, answers in enumerate(batch):
        alone = validate_answers(q, answers, now=NOW)
        assert sorted((p.code.code, p.location.field) for p in alone.report.errors) == sorted(
            (p.code.code, p.location.field) for p in together.report.errors if p.location.row == i + 1
        )
        assert alone.answers() == together.answers(i)


def test_frame_with_an_unknown_repeat_or_without_parent_column(q):
    frame, repeats = frame_of([complete()])
    result = validate_frame(
        q,
        frame,
        repeats={"kids": repeats["relatives"], "relatives": repeats["relatives"].drop(columns="_parent")},
        now=NOW,
    )
    codes = {p.code for p in result.report.errors}
    assert ErrorCode.ANSWER_UNKNOWN_QUESTION in codes and ErrorCode.IMPORT_COLUMN_MISSING in codes


def test_report_flattens_to_a_table(q):
    frame, repeats = frame_of([complete(age=15), complete(phone="1")])
    table = validate_frame(q, frame, repeats=repeats, now=NOW).report.flatten()
    # in questionnaire order; a 15-year-old respondent cannot have a 45-year-old child either
    assert list(table[["code", "row", "field", "path"]].itertuples(index=False, name=None)) == [
        ("SK407", 1, "age", "row 1"),
        ("SK402", 2, "phone", "row 2"),
        ("SK402", 1, "rel_age", "row 1, relatives[1]"),
    ]


def test_validating_many_rows_is_vectorised(q):
    n = 20_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "consent": "yes",
            "interview_date": "2026-01-05",
            "age": rng.integers(10, 100, n),
            "region": rng.choice(["north", "south"], n),
            "municipality": rng.choice(["n_city", "s_city"], n),
            "services": rng.choice(["meals", "cleaning", "meals cleaning"], n),
            "satisfaction": rng.choice(["1", "5", "dk"], n),
        }
    )
    result = validate_frame(q, frame, now=NOW)
    out_of_range = (frame["age"] < 18).sum()
    mismatched = (frame["region"].str[0] != frame["municipality"].str[0]).sum()
    assert len([p for p in result.report.errors if p.code is ErrorCode.ANSWER_OUT_OF_RANGE]) == out_of_range
    assert len([p for p in result.report.errors if p.code is ErrorCode.ANSWER_FILTERED_CHOICE]) == mismatched
    assert result.data["n_services"].sum() == frame["services"].str.split().str.len().sum()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    consent=st.sampled_from(["yes", "no", None]),
    age=st.one_of(st.none(), st.integers(-5, 130), st.text(max_size=4)),
    services=st.sets(st.sampled_from(["meals", "cleaning", "medical", "company", "x"]), max_size=4),
    n_relatives=st.integers(0, 3),
)
def test_validation_never_raises_and_results_are_consistent(q, consent, age, services, n_relatives):
    answers = {
        "consent": consent,
        "age": age,
        "services": services,
        "n_relatives": n_relatives,
        "relatives": [{"rel_age": i * 10} for i in range(n_relatives)],
    }
    result = validate_answers(q, answers, now=NOW)
    cleaned = result.answers()
    for problem in result.report:
        assert problem.severity in (Severity.ERROR, Severity.WARNING)
        assert problem.location.field is not None
    if consent != "yes":
        assert cleaned["age"] is None and cleaned["services"] is None


def test_a_long_text_column_is_read_as_each_value_alone(q):
    """A file's column (text, longer than the plain-Python size, values repeating) is read once per distinct
    text (issue 17: 200,000 dates parsed one by one were most of an import's validation); the result must be
    what each value read alone gives, value, unreadable and not-in-list flags alike, for every kind."""
    from surveykit.questionnaire.compiled import compile_form
    from surveykit.questionnaire.frame import _SMALL, coerce

    pool = ["", "  ", "yes", "no", "dk", "north", "meals", "meals cleaning", "cleaning meals meals", "x y",
            "4", "4.0", "4,5", "-3", "1e3", "nan", "abc", "2026-03-01", "01.03.2026", "2026-02-30",
            "14:30", "2026-03-01 14:30", "55.7 37.6", "a\0b", "Спасибо, всё хорошо", "+7 900 123 45 67"]  # fmt: skip
    rng = np.random.default_rng(5)
    column = np.array(rng.choice(pool, 4 * _SMALL).tolist(), dtype=object)
    form = compile_form(q)
    kinds = set()
    for var in form.variables_of(None):
        kinds.add(var.kind)
        together = coerce(var, column, len(column))
        alone = [coerce(var, column[i : i + 1], 1) for i in range(len(column))]
        assert together.bad_type.tolist() == [a.bad_type[0] for a in alone], var.code
        assert together.not_in_list.tolist() == [a.not_in_list[0] for a in alone], var.code
        expected = np.concatenate([a.values for a in alone])
        if expected.dtype == object:
            assert together.values.tolist() == expected.tolist(), var.code
        else:
            np.testing.assert_array_equal(together.values, expected, err_msg=var.code)
    assert {Kind.STRING, Kind.MULTI, Kind.INTEGER, Kind.DECIMAL, Kind.DATE} <= kinds
