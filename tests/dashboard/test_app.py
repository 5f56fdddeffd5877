"""The dashboard app's widgets without a browser: it builds, reacts to filters and languages, never shows a
traceback."""

from __future__ import annotations

import html
import re

import pytest

from surveykit.config import settings
from surveykit.ui.dashboard_app import _ALL, DashboardApp


@pytest.fixture
def app(sample, monkeypatch):
    monkeypatch.setenv(
        "SURVEYKIT_PLOTLY_JS", "/voila/files/static/plotly.min.js"
    )  # as under `surveykit serve`
    return DashboardApp(sample.frames, language="ru", k=5)


def _plot_json(widget) -> str:
    """The figure inside the iframe, readable (plotly writes non-ASCII text as \\uXXXX in its JSON)."""
    text = html.unescape(widget.value)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_the_app_opens_on_the_rating(app):
    assert "sk-dashboard-app" in app._dom_classes
    assert "Рейтинг организаций, 2025" in _plot_json(app.rating_plot)
    assert (
        "/voila/files/static/plotly.min.js" in app.rating_plot.value
        and "cdn.plot.ly" not in app.rating_plot.value
    )
    assert app.period.value == "2025" and app.municipality.value == _ALL
    assert [app.tabs.get_title(i) for i in range(4)] == ["Рейтинг", "Организация", "Ход опроса", "Вопросы"]
    assert app.notice.value == ""


def test_a_filter_changes_the_chart(app):
    before = _plot_json(app.rating_plot)
    app.municipality.value = "Северный район"
    after = _plot_json(app.rating_plot)
    assert after != before and "КЦСОН Северного района" in after and "КЦСОН Заречного района" not in after
    assert [v for _, v in app.institution.options] == app.data.ranking()["institution_id"].tolist()
    app.municipality.value = _ALL
    assert "КЦСОН Заречного района" in _plot_json(app.rating_plot)


def test_tabs_render_when_opened(app):
    app.tabs.selected_index = 1
    assert "критерии, 2025" in _plot_json(app.criteria_plot) and app.inst_text.value
    app.institution.value = "dom_ryabinka"
    assert "n &lt; 5" in app.inst_head.value or "менее 5" in app.inst_head.value
    app.tabs.selected_index = 2
    assert "Ход опроса, 2025" in _plot_json(app.progress_plot)
    assert [v for _, v in app.progress_by.options] == ["institution"]  # no interviewer names by default
    assert "Анна Смирнова" not in _plot_json(app.progress_plot)
    app.tabs.selected_index = 3
    assert "Удовлетворены ли Вы в целом" in _plot_json(app.question_plot)
    app.compare.value = "2024"
    assert "2024 (n = " in _plot_json(app.question_plot)
    assert app.notice.value == ""


def test_fieldwork_per_interviewer_only_for_viewers_who_may_see_identities(sample):
    app = DashboardApp(sample.frames, language="ru", k=5, identities=True)
    app.tabs.selected_index = 2
    app.progress_by.value = "interviewer"
    assert "Анна Смирнова" in _plot_json(app.progress_plot)
    app.picker.value = "en"
    assert app.progress_by.value == "interviewer" and app.progress_by.options[1][0] == "interviewer"


def test_switching_the_language_relabels_everything(app):
    app.picker.value = "en"
    assert "Council dashboard" in app.header.value
    assert "Rating of institutions, 2025" in _plot_json(app.rating_plot)
    assert app.municipality.description == "Municipality" and app.tabs.get_title(0) == "Rating"
    assert app.type.options[0] == ("All", _ALL)


def test_export_offers_a_workbook(app):
    app.download.click()
    assert 'download="council-2025.xlsx"' in app.download_link.value


def test_errors_in_callbacks_become_messages(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.data.__class__, "ranking", broken)
    app.municipality.value = "Северный район"
    assert (
        "sk-banner-error" in app.notice.value
        and "boom" not in app.notice.value
        and "Traceback" not in app.notice.value
    )


def test_a_database_that_cannot_be_opened_shows_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    settings.cache_clear()
    try:
        widget = DashboardApp.from_request()
    finally:
        settings.cache_clear()
    text = widget.children[-1].value
    assert "sk-banner-error" in text and "surveykit db upgrade" in text


def test_questions_are_offered_by_their_words_not_their_codes(app):
    """Issue 16 item 8: the list read "q15. …", "sex. Ваш пол", "consent. …" (variable codes before the words)."""
    app.tabs.selected_index = 3
    labels = [label for label, _ in app.question.options]
    codes = [code for _, code in app.question.options]
    assert labels and len(labels) == len(codes)
    for label, code in app.question.options:
        assert not label.startswith(f"{code}.") and code not in label.split()
    assert all(len(label) <= 100 for label in labels)


@pytest.mark.parametrize("k", [20])
def test_a_withheld_total_is_named_not_coded(sample, k):
    """Issue 16: the conclusion listed withheld measures as "1.3, K1, S" — the total by its measure id."""
    app = DashboardApp(sample.frames, language="ru", k=k)
    app.tabs.selected_index = 1
    texts = []
    for _, institution in app.institution.options:
        app.institution.value = institution
        texts.append(html.unescape(app.inst_text.value))
    listed = [t for t in texts if "Не показаны, так как" in t]
    if not listed:
        pytest.fail(f"with k={k} no institution of the sample has withheld measures: choose another k")
    for text in listed:
        sentence = text.split("Не показаны, так как", 1)[1].split(".", 1)[0]
        assert not re.search(r"(?<![\w.])S(?![\w.])", sentence)
    assert any("итоговый показатель" in t.split("Не показаны, так как", 1)[1] for t in listed)
