"""The chart functions, tested on the figure objects (no browser): order, labels, colours, hover texts."""

from __future__ import annotations

import html
import json

import pytest

from surveykit.dashboard import charts, dashboard_data
from surveykit.dashboard.charts import BAND_COLOURS, PALETTE
from surveykit.scoring import load_profile
from surveykit.scoring.profile import Bands


def _bars(fig):
    return [trace for trace in fig.data if trace.type == "bar"]


def test_rating_chart_is_sorted_by_place_with_names(data_ru):
    fig = charts.rating_chart(data_ru)
    order = list(fig.layout.yaxis.categoryarray)
    assert fig.layout.yaxis.autorange == "reversed"  # the first category on top
    assert order[0].startswith("1. ") and order[1].startswith("2. ")
    places = [int(label.split(".")[0]) for label in order if label[0].isdigit()]
    assert places == sorted(places)
    assert "КЦСОН Северного района" in " ".join(order).replace("<br>", " ")
    assert not any("kcson_" in label for label in order)  # names, not ids
    assert fig.layout.title.text == "<b>Рейтинг организаций, 2025</b>"
    assert fig.layout.xaxis.range[0] == 0  # bars of scores start at zero


def test_rating_chart_in_english(data_en):
    fig = charts.rating_chart(data_en)
    assert fig.layout.title.text == "<b>Rating of institutions, 2025</b>"
    assert "confidence interval" in fig.layout.title.subtitle.text
    names = {trace.name for trace in fig.data}
    assert "Good practice (≥ 95)" in names and "Not rated, no place (n < 5)" in names
    assert any(name.startswith("Regional average: ") for name in names)


def test_rating_colours_by_flag(data_ru):
    fig = charts.rating_chart(data_ru)
    ranking = data_ru.ranking().set_index("institution_id")
    good = ranking[ranking["S"] >= 95]
    assert len(good)
    green = [t for t in _bars(fig) if t.marker.color == PALETTE["good_practice"]]
    assert len(green) == 1 and len(green[0].x) == len(good)
    assert min(green[0].x) >= 95
    for trace in _bars(fig):
        if trace.marker.color == PALETTE["neutral"]:
            assert all(80 <= x < 95 for x in trace.x)


def test_rating_colours_by_band(sample):
    profile = load_profile()
    banded = profile.model_copy(update={"bands": Bands(enabled=True, table=profile.bands.table)})
    data = dashboard_data(sample.frames, banded, language="en", k=5)
    fig = charts.rating_chart(data, color_by="band")
    bars = {t.name: t for t in _bars(fig)}
    assert "excellent (≥ 90)" in bars and bars["excellent (≥ 90)"].marker.color == BAND_COLOURS[0]
    assert all(x >= 90 for x in bars["excellent (≥ 90)"].x)
    assert "good (≥ 80)" in bars and all(80 <= x < 90 for x in bars["good (≥ 80)"].x)
    assert data.ranking("band")["category"].isin(["excellent", "good", "withheld"]).all()


def test_rating_hover_has_numbers_and_n(data_en):
    fig = charts.rating_chart(data_en)
    hovers = [h for t in _bars(fig) for h in (list(t.hovertext) if t.hovertext is not None else [])]
    first = next(h for h in hovers if "Place 1 of" in h)
    assert "Score: " in first and "95% CI: " in first and "Recipients interviewed: " in first
    assert "Change since 2024: " in first
    withheld = next(h for h in hovers if "Not shown" in h)
    assert "Recipients interviewed: n < 5" in withheld


def test_highlight_fades_the_others(data_ru):
    fig = charts.rating_chart(data_ru, highlight="kcson_sev")
    labels = list(fig.layout.yaxis.categoryarray)
    assert sum(label.startswith("<b>") for label in labels) == 1
    opacities = [
        o
        for t in _bars(fig)
        if t.marker.opacity is not None and not isinstance(t.marker.opacity, float)
        for o in t.marker.opacity
    ]
    assert sorted(set(opacities)) == [0.35, 1.0]


def test_measures_chart_against_regional_average_and_thresholds(data_ru):
    view = data_ru.institution("kcson_sev")
    fig = charts.measures_chart(view, data_ru, "indicator")
    labels = list(fig.layout.yaxis.categoryarray)
    assert labels[0].startswith("1.1 Соответствие информации") and len(labels) == 14  # 2.2 is off in 344n
    diamonds = [t for t in fig.data if t.type == "scatter" and t.mode == "markers"]
    assert len(diamonds) == 1 and diamonds[0].name == "Среднее по региону" and len(diamonds[0].x) == 14
    lines = sorted(shape.x0 for shape in fig.layout.shapes)
    assert lines == [80, 95]
    hover = " ".join(h for t in _bars(fig) for h in t.hovertext)
    assert "из" in hover and "ответивших" in hover  # shares say how many answered


def test_trend_chart(data_en):
    view = data_en.institution("kcson_sev")
    fig = charts.trend_chart(view, data_en)
    assert list(fig.data[0].x) == ["2024", "2025"] and fig.data[1].name == "Regional average"
    small = data_en.institution("dom_ryabinka")
    fig = charts.trend_chart(small, data_en)
    assert any("n < 5" in html.unescape(a.text) for a in fig.layout.annotations)


def test_progress_chart_lowest_completion_first(data_ru):
    fig = charts.progress_chart(data_ru)
    done, remaining, withheld = fig.data
    assert done.name == "Выполнено" and remaining.name == "Осталось" and withheld.name == "Не показано (n < 5)"
    shown = [w == 0 for w in withheld.x]
    shares = [d / (d + r) for d, r, s in zip(done.x, remaining.x, shown, strict=True) if s]
    assert shares == sorted(shares)
    # the institution with three interviews: its count is withheld, drawn grey to its target, last
    assert not shown[-1] and done.x[-1] == 0 and remaining.x[-1] == 0 and withheld.x[-1] > 0
    assert withheld.text[-1].startswith("n < 5 из ")
    assert fig.layout.barmode == "stack"


def test_distribution_and_comparison_charts(data_ru, data_en):
    q = data_en.question("recipient_survey", "q15")
    frame = data_en.distribution("recipient_survey", "q15")
    fig = charts.distribution_chart(frame, q.label, "All institutions", data_en)
    assert list(fig.layout.yaxis.categoryarray) == ["Yes", "No", "Don't know / hard to say"]
    assert fig.data[0].marker.color[2] == PALETTE["missing_code"]
    assert fig.data[0].text[0].endswith(" %")
    assert "answered" in fig.data[0].hovertext[0]
    both = data_ru.compare_periods("recipient_survey", "q15")
    fig = charts.comparison_chart(both, data_ru.question("recipient_survey", "q15").label, "Все", data_ru)
    assert [t.name for t in fig.data] == ["2024", "2025"] and fig.layout.barmode == "group"


def test_empty_selections_say_so(data_en):
    nobody = data_en.with_(municipality="nowhere")
    fig = charts.rating_chart(nobody)
    assert "No institution matches the filters" in fig.layout.annotations[0].text
    assert charts.progress_chart(nobody).layout.annotations[0].text.startswith("There is no fieldwork plan")


def test_figures_serialise(data_ru):
    view = data_ru.institution("kcson_sev")
    for fig in (
        charts.rating_chart(data_ru),
        charts.regional_criteria_chart(data_ru),
        charts.measures_chart(view, data_ru),
    ):
        payload = json.loads(fig.to_json())
        assert payload["layout"]["separators"] == ", "  # decimal comma in Russian


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_chart_text_is_translated(data_ru, language):
    data = data_ru.with_(language=language)
    view = data.institution("kcson_sev")
    text = json.dumps(
        [
            f.to_plotly_json()
            for f in (
                charts.rating_chart(data),
                charts.measures_chart(view, data),
                charts.progress_chart(data),
            )
        ],
        ensure_ascii=False,
        default=str,
    )
    assert "dash." not in text  # no untranslated keys
