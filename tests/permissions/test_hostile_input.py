"""Hostile input: HTML and JavaScript in questionnaire texts, institution names and free-text answers are shown
as text in the apps and in plotly charts; file names from data cannot leave their folder."""

from __future__ import annotations

import ipywidgets as W
import pytest

from surveykit.dashboard import charts, dashboard_data
from surveykit.dashboard.sample import sample_data
from surveykit.errors import ErrorCode, SurveykitError
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.safepath import safe_child
from surveykit.ui.interview_app import InterviewApp

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BREAK = '"><b>'
HOSTILE = f"{SCRIPT}{IMG}{BREAK}"
RAW = ("<script", "<img", '"><b>')

HOSTILE_FORM = {
    "schema_version": 1,
    "id": "hostile",
    "version": "1",
    "title": {"en": f"Title {HOSTILE}"},
    "languages": ["en"],
    "default_language": "en",
    "choice_lists": {
        "yn": [{"name": "a", "label": {"en": f"A {HOSTILE}"}}, {"name": "b", "label": {"en": "B"}}]
    },
    "items": [
        {
            "code": "page1",
            "type": "group",
            "label": {"en": f"Page {HOSTILE}"},
            "items": [
                {
                    "code": "q1",
                    "type": "select_one",
                    "choices": "yn",
                    "label": {"en": f"Label {HOSTILE}"},
                    "hint": {"en": f"Hint {HOSTILE}"},
                    "instruction": {"en": f"Instruction {HOSTILE}"},
                },
                {
                    "code": "q2",
                    "type": "select_multiple",
                    "choices": "yn",
                    "label": {"en": f"Many {HOSTILE}"},
                },
                {"code": "q3", "type": "text", "label": {"en": "Comment"}},
            ],
        }
    ],
}


def html_values(widget):
    """Every string a widget tree turns into markup (HTML widgets) and every description that allows HTML."""
    if isinstance(widget, W.HTML | W.HTMLMath):
        yield widget.value
    if getattr(widget, "description_allow_html", False):
        yield widget.description
    for child in getattr(widget, "children", ()) or ():
        yield from html_values(child)


def assert_text_only(widget):
    found = [v for v in html_values(widget) if any(r in v for r in RAW)]
    assert not found, found[:2]


def test_questionnaire_texts_and_answers_are_shown_as_text_in_the_interview_form():
    questionnaire = questionnaire_from_data(HOSTILE_FORM).unwrap()
    app = InterviewApp.sandbox(questionnaire, language="en")
    shown = "".join(html_values(app))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "&lt;img src=x" in shown
    assert_text_only(app)
    app.session.set_answer("q1", "a")
    app.session.set_answer("q3", HOSTILE)  # a free-text answer with markup
    app.show_review()
    assert_text_only(app)
    assert "&lt;script&gt;" in "".join(html_values(app))


def test_institution_names_in_every_dashboard_chart_are_escaped():
    """Plotly interprets some tags in text, hover and tick labels: names reach it escaped."""
    sample = sample_data(interviews_per_institution=12)
    frames = dict(sample.frames)
    institutions = frames["institutions"].copy()
    institutions.loc[0, "name"] = HOSTILE + str(institutions.loc[0, "name"])
    frames["institutions"] = institutions
    data = dashboard_data(frames, language="en", k=5)
    ident = str(institutions.loc[0, "institution_id"])
    view = data.institution(ident)
    figures = {
        "rating": charts.rating_chart(data),
        "rating_highlight": charts.rating_chart(data, highlight=ident),
        "criteria": charts.measures_chart(view, data, "criterion"),
        "trend": charts.trend_chart(view, data),
        "regional": charts.regional_criteria_chart(data),
        "progress": charts.progress_chart(data, "institution"),
    }

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from strings(v)
        elif hasattr(value, "tolist"):
            yield from strings(value.tolist())

    seen_escaped = False
    for name, figure in figures.items():
        texts = list(strings(figure.to_plotly_json()))
        assert not [s for s in texts if any(r in s for r in RAW)], name
        seen_escaped |= any("&lt;script&gt;" in s for s in texts)
    assert seen_escaped  # the name is there, as text


@pytest.mark.parametrize(
    "name",
    [
        "../secret.pdf",
        "..",
        ".",
        "a/../../b.pdf",
        "/etc/passwd",
        "C:evil.pdf",
        "C:\\Windows\\x.pdf",
        "..\\..\\x.pdf",
        "x\x00.pdf",
        "line\nbreak.pdf",
        "",
        "   ",
        "x" * 300,
    ],
)
def test_file_names_from_data_cannot_leave_their_folder(tmp_path, name):
    with pytest.raises(SurveykitError) as err:
        safe_child(tmp_path, name)
    assert err.value.code is ErrorCode.UNSAFE_FILE_NAME
    assert str(tmp_path) in err.value.message and "\x00" not in err.value.message


def test_a_link_inside_the_folder_pointing_out_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.pdf").symlink_to(outside / "target.pdf")
    with pytest.raises(SurveykitError) as err:
        safe_child(folder, "link.pdf")
    assert "link" in err.value.message


@pytest.mark.parametrize("name", ["SK-2026-0001.pdf", "kcson_sev-2025-ru.html", "Отчёт 2025.pdf", "a..b.pdf"])
def test_plain_names_stay_in_the_folder(tmp_path, name):
    assert safe_child(tmp_path, name) == tmp_path / name


def test_an_institution_name_cannot_break_out_of_the_report_page():
    """Report titles and the running footer (a CSS string in <style>) carry the institution's name."""
    import nbformat

    from surveykit.reports.render import notebook_html

    name = f"</style>{SCRIPT}{IMG}"
    page = notebook_html(nbformat.v4.new_notebook(), title=name, footer=name, language="en")
    assert "<script>" not in page and "<img" not in page
    assert page.count("</style>") == 1  # only the stylesheet's own end


def test_a_certificate_serial_cannot_name_a_file_outside_the_issued_folder():
    from surveykit.training.service import TrainingService

    assert TrainingService._pdf_path("SK-2026-0001").name == "SK-2026-0001.pdf"
    with pytest.raises(SurveykitError) as err:
        TrainingService._pdf_path("../../../../tmp/evil")
    assert err.value.code is ErrorCode.UNSAFE_FILE_NAME
