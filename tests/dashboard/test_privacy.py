"""Small-cell suppression and open answers: no number with fewer than k respondents behind it reaches a
council member, in the dashboard's data, its charts, the council exports or the conclusions."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from surveykit.config import settings
from surveykit.dashboard import (
    Disclosure,
    approved_open_answers,
    charts,
    council_workbook,
    dashboard_data,
    publish_rating,
    write_council_export,
)
from surveykit.dashboard.sample import SMALL_N, sample_data

from .helpers import numbers_in, raw_rating, secrets


def test_an_institution_with_fewer_than_k_respondents_shows_no_survey_number(data_ru, small_institution):
    """Its total, criteria, shares, place and respondent count are withheld; its audits are shown."""
    view = data_ru.institution(small_institution)
    row = view.row
    assert row["S_withheld"] and not row["n_shown"]
    assert pd.isna(row["S"]) and pd.isna(row["n_respondents"]) and pd.isna(row["rank"])
    measures = view.measures.set_index("id")
    survey = measures[measures["source"] == "recipient_survey"]
    assert survey["withheld"].all() and survey["value"].isna().all() and survey["n"].isna().all()
    assert measures.loc[["K1", "K2", "K3", "K4", "K5"], "withheld"].all()
    audits = measures[measures["source"].isin(["website_audit", "premises_checklist"])]
    assert not audits["withheld"].any() and audits["value"].notna().all()


def test_a_small_denominator_is_withheld_with_what_would_reveal_it():
    """Enough respondents overall, but only 3 with a disability (q7 = yes): 3.3 is withheld, and so are K3
    (3.1 and 3.2 are shown, so K3 would give 3.3 away) and S (the other criteria would give K3 away)."""
    sample = sample_data()
    survey = sample.frames["recipient_survey"].copy()
    target = (survey["institution_id"] == "kcson_sev") & (survey["period"] == "2025")
    rows = np.flatnonzero(target.to_numpy())
    q7 = survey["q7"].astype(object).to_numpy().copy()
    q8 = survey["q8"].astype(object).to_numpy().copy()
    q7[rows] = "no"
    q8[rows] = None
    q7[rows[:3]] = "yes"
    q8[rows[:3]] = "yes"
    survey["q7"] = pd.Categorical(q7, categories=["yes", "no"])
    survey["q8"] = pd.Categorical(q8, categories=["yes", "no", "dk"])
    frames = {**sample.frames, "recipient_survey": survey}
    data = dashboard_data(frames, language="en", k=5)
    view = data.institution("kcson_sev", "2025")
    m = view.measures.set_index("id")
    assert m.loc["3.3", "withheld"] and m.loc["K3", "withheld"]
    assert not m.loc["3.1", "withheld"] and not m.loc["3.2", "withheld"] and not m.loc["K1", "withheld"]
    assert view.row["S_withheld"] and view.row["n_shown"]
    # the place just above cannot be compared with the withheld one either
    table = data.rating.table
    table = table[table["period"] == "2025"]
    assert table["z_next"].notna().sum() < table["rank"].notna().sum()
    assert "3.3" in view.conclusion and "K3" in view.conclusion  # named as withheld, without numbers
    assert "fewer than 5" in view.conclusion


def test_a_withheld_channel_withholds_its_indicator():
    sample = sample_data()
    survey = sample.frames["recipient_survey"].copy()
    rows = np.flatnonzero(((survey["institution_id"] == "pni_2") & (survey["period"] == "2025")).to_numpy())
    q3 = survey["q3"].astype(object).to_numpy().copy()
    q4 = survey["q4"].astype(object).to_numpy().copy()
    q3[rows], q4[rows] = "no", None
    q3[rows[:2]], q4[rows[:2]] = "yes", "no"
    survey["q3"] = pd.Categorical(q3, categories=["yes", "no"])
    survey["q4"] = pd.Categorical(q4, categories=["yes", "no", "dk"])
    data = dashboard_data({**sample.frames, "recipient_survey": survey}, language="en", k=5)
    view = data.institution("pni_2", "2025")
    channels = view.channels.set_index("id")
    assert channels.loc["1.3/site", "withheld"] and not channels.loc["1.3/stand", "withheld"]
    assert view.measures.set_index("id").loc["1.3", "withheld"]


def test_no_withheld_number_appears_in_any_chart_or_export(sample, data_ru, small_institution, tmp_path):
    """Search the figure JSON and the exported files for every withheld number of the small institution."""
    period = data_ru.period
    hidden = secrets(sample.frames, data_ru.rating, small_institution, period)
    assert hidden, "the sample must have withheld numbers to look for"
    texts = []
    for data in (data_ru, data_ru.with_(language="en")):
        view = data.institution(small_institution)
        figures = [
            charts.rating_chart(data),
            charts.rating_chart(data, highlight=small_institution),
            charts.measures_chart(view, data, "criterion"),
            charts.measures_chart(view, data, "indicator"),
            charts.trend_chart(view, data),
            charts.regional_criteria_chart(data),
        ]
        question = data.question("recipient_survey", "q15")
        frame = data.distribution("recipient_survey", "q15", institution_id=small_institution)
        figures.append(charts.distribution_chart(frame, question.label, view.name, data))
        compare = data.compare_periods("recipient_survey", "q15", institution_id=small_institution)
        figures.append(charts.comparison_chart(compare, question.label, view.name, data))
        texts += [json.dumps(f.to_plotly_json(), ensure_ascii=False, default=str) for f in figures]
        texts.append(view.conclusion)
        for path in write_council_export(data, tmp_path / data.language, formats=("xlsx", "csv")):
            if path.suffix == ".csv":
                texts.append(path.read_text(encoding="utf-8-sig"))
            else:
                book = openpyxl.load_workbook(path)
                texts.append(
                    "\n".join(
                        str(c.value) for s in book for r in s.iter_rows() for c in r if c.value is not None
                    )
                )
    everything = "\n".join(texts)
    assert numbers_in(everything, hidden) == set()
    # the respondent count itself: "n < 5" instead of 3
    assert "n < 5" in everything
    assert f"Опрошено получателей услуг: {SMALL_N}" not in everything
    assert f"Recipients interviewed: {SMALL_N}" not in everything


def test_council_workbook_marks_withheld_cells(data_ru, small_institution):
    book = openpyxl.load_workbook(io.BytesIO(council_workbook(data_ru)))
    sheet = book["рейтинг"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("Код организации")] == small_institution)
    assert row[header.index("Итоговый показатель")] == "n < 5"
    assert row[header.index("Опрошено получателей услуг")] == "n < 5"
    assert row[header.index("Место")] is None


def test_regional_means_use_only_shown_values(data_ru, sample, small_institution):
    """The regional mean cannot be differenced against the shown values to recover a withheld total."""
    table = data_ru.rating.table
    part = table[(table["period"] == data_ru.period) & table["complete"]]
    shown = part["S"].dropna()
    assert data_ru.regional_mean("S") == pytest.approx(round(shown.mean(), 2), abs=0.006)
    raw = raw_rating(sample.frames).table
    raw_part = raw[(raw["period"] == data_ru.period) & raw["complete"]]
    assert small_institution in set(raw_part["institution_id"])  # it would have counted


def test_changes_are_withheld_when_either_period_is(data_ru, small_institution):
    table = data_ru.rating.table
    row = table[(table["institution_id"] == small_institution) & (table["period"] == data_ru.period)].iloc[0]
    assert pd.isna(row["change_S"]) and all(pd.isna(row[f"change_K{i}"]) for i in range(1, 6))


def test_k_comes_from_the_settings(sample, monkeypatch, small_institution):
    monkeypatch.setenv("SURVEYKIT_MIN_CELL_SIZE", "3")
    settings.cache_clear()
    try:
        data = dashboard_data(sample.frames, language="en")
        assert data.disclosure.k == 3
        view = data.institution(small_institution)
        assert view.row["n_shown"] and view.row["n_respondents"] == SMALL_N  # 3 respondents: shown at k = 3
        assert not view.shown  # but its filtered shares have fewer than 3 behind them, and reveal S
        assert dashboard_data(sample.frames, language="en", k=1).institution(small_institution).shown
    finally:
        monkeypatch.delenv("SURVEYKIT_MIN_CELL_SIZE")
        settings.cache_clear()
    assert Disclosure.from_settings().k == settings().min_cell_size == 5


def test_publish_rating_is_idempotent_and_keeps_shape(sample):
    raw = raw_rating(sample.frames)
    once = publish_rating(raw, 5)
    twice = publish_rating(once, 5)
    assert list(once.table.columns)[: len(raw.table.columns)] == list(raw.table.columns)
    pd.testing.assert_series_equal(once.table["S"], twice.table["S"])
    assert len(once.warnings) == 0  # warnings quote counts: they are for sociologists, not councils


def test_distributions_with_a_small_base_are_withheld(data_ru, small_institution):
    frame = data_ru.distribution("recipient_survey", "q15", institution_id=small_institution)
    assert frame["withheld"].all() and frame[["count", "percent", "base"]].isna().all().all()
    whole = data_ru.distribution("recipient_survey", "q15")
    assert not whole["withheld"].any()
    assert whole["percent"].sum() == pytest.approx(100.0)


def test_only_approved_open_answers_are_published():
    """Pending and rejected answers never appear; an approved one shows the reviewer's (redacted) text."""
    survey = pd.DataFrame(
        {
            "interview_id": ["a", "b", "c", "d"],
            "institution_id": ["x", "x", "x", "y"],
            "period": ["2025"] * 4,
            "q16": ["raw one", "raw two", "Nurse Ivanova was rude", "raw four"],
        }
    )
    reviews = pd.DataFrame(
        {
            "interview_id": ["a", "b", "c", "d"],
            "question": ["q16"] * 4,
            "status": ["approved", "pending", "rejected", "approved"],
            "published_text": ["raw one", None, None, "[redacted by the sociologist]"],
        }
    )
    published = approved_open_answers(reviews, survey)
    assert published.to_dict("records") == [
        {"institution_id": "x", "period": "2025", "text": "raw one"},
        {"institution_id": "y", "period": "2025", "text": "[redacted by the sociologist]"},
    ]


def test_the_dashboard_shows_no_rejected_or_pending_answer(sample, data_ru):
    reviews = sample.frames["open_answer_reviews"]
    survey = sample.frames["recipient_survey"].set_index("interview_id")
    hidden = reviews.loc[reviews["status"] != "approved", "interview_id"]
    approved_texts = set(reviews.loc[reviews["status"] == "approved", "published_text"])
    hidden_texts = set(survey.loc[hidden, "q16"]) - approved_texts
    assert "Медсестра Иванова Мария Петровна из палаты 12 грубит моей маме." in hidden_texts
    shown = [s for i in data_ru.selected for p in data_ru.periods for s in data_ru.suggestions(i, p)]
    assert shown and not hidden_texts & set(shown)


def _small_disability_base(sample):
    """kcson_sev in 2025 with only 3 respondents with a disability (q7 = yes): 3.3 has too few respondents,
    K3 and S are withheld only because they would give 3.3 away."""
    survey = sample.frames["recipient_survey"].copy()
    rows = np.flatnonzero(
        ((survey["institution_id"] == "kcson_sev") & (survey["period"] == "2025")).to_numpy()
    )
    q7 = survey["q7"].astype(object).to_numpy().copy()
    q8 = survey["q8"].astype(object).to_numpy().copy()
    q7[rows], q8[rows] = "no", None
    q7[rows[:3]], q8[rows[:3]] = "yes", "yes"
    survey["q7"] = pd.Categorical(q7, categories=["yes", "no"])
    survey["q8"] = pd.Categorical(q8, categories=["yes", "no", "dk"])
    return {**sample.frames, "recipient_survey": survey}


def test_a_withheld_row_says_why_with_the_threshold_of_the_setting(sample, monkeypatch, small_institution):
    """A row withheld by complementary (secondary) suppression said "n < 5" like one with too few respondents;
    the reason now comes from surveykit.disclosure (SMALL / DERIVED), in both languages, with k from the
    setting (7 here, never a literal 5), in the dashboard's charts, the council workbook and the report."""
    from html import escape

    from surveykit.dashboard.export import council_tables
    from surveykit.disclosure import DERIVED, SMALL
    from surveykit.i18n import t
    from surveykit.reports.content import InstitutionReport, RegionReport

    monkeypatch.setenv("SURVEYKIT_MIN_CELL_SIZE", "7")
    settings.cache_clear()
    try:
        frames = _small_disability_base(sample)
        for language in ("ru", "en"):
            data = dashboard_data(frames, language=language)
            d = data.disclosure
            assert d.k == 7
            small, derived = d.label(language, SMALL), d.label(language, DERIVED)
            assert small == "n < 7" and "7" in derived and derived != small and "5" not in derived
            view = data.institution("kcson_sev", "2025")
            m = view.measures.set_index("id")
            assert m.loc["3.3", "withheld_reason"] == SMALL and m.loc["K3", "withheld_reason"] == DERIVED
            assert m.loc["3.1", "withheld_reason"] == "" and not m.loc["3.1", "withheld"]
            assert view.row["S_withheld_reason"] == DERIVED and view.row["n_shown"]
            ranking = data.ranking().set_index("institution_id")
            assert ranking.loc["kcson_sev", "withheld_reason"] == DERIVED
            assert ranking.loc[small_institution, "withheld_reason"] == SMALL  # too few respondents at all
            # the dashboard's chart of criteria: K3's bar says why
            fig = charts.measures_chart(view, data, "criterion")
            texts = [x for trace in fig.data if trace.text is not None for x in np.atleast_1d(trace.text)]
            assert derived in texts and d.bar_label(language, SMALL) not in texts
            # ... and so does its legend: only a derived bar there, so not "n < 7" alone
            names = {trace.name for trace in fig.data}
            assert t("dash.category.withheld_derived", language, k=7) in names
            assert t("dash.category.withheld", language, k=7) not in names
            indicators = charts.measures_chart(view, data, "indicator")  # 3.3 alone withheld: too few
            assert t("dash.category.withheld", language, k=7) in {trace.name for trace in indicators.data}
            # the council workbook: K3 and S by their reason, 3.3 by its respondents
            tables = council_tables(data)
            cells = {str(v) for frame in tables.values() for v in frame.to_numpy().ravel()}
            assert derived in cells and small in cells
            # the reports: the institution's score and K3 say why, and so does the region's rating table
            assert data.period == "2025"
            report = InstitutionReport(data, "kcson_sev", image_format="svg")
            html = report.measures_table().html + report.key_figures().html
            assert escape(derived) in html and escape(small) in html
            assert report.key_figures().html.count(escape(derived)) == 1  # the score: withheld for K3
            region = RegionReport(data, image_format="svg").rating_table().html
            assert escape(derived) in region and escape(small) in region
    finally:
        monkeypatch.delenv("SURVEYKIT_MIN_CELL_SIZE")
        settings.cache_clear()
