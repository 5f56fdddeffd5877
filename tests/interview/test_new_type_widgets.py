"""The widgets of the new question types, driven through their models (no browser): a time picker, a date-time
picker, a geopoint typed in (or filled by the browser), and a file upload that stores the file at once."""

from __future__ import annotations

import datetime as dt
import hashlib

import ipywidgets as W

from surveykit.config import PROJECT_ROOT
from surveykit.errors import ErrorCode, ValidationError
from surveykit.interview.session import InterviewSession
from surveykit.questionnaire.io import load_questionnaire
from surveykit.ui.form import FormView

EXAMPLE = PROJECT_ROOT / "questionnaires" / "example_all_types.yaml"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def visit_page(language: str = "en", on_file=None) -> tuple[InterviewSession, FormView]:
    session = InterviewSession(load_questionnaire(EXAMPLE), language=language)
    session.go_to("intro")
    view = FormView(session, on_file=on_file)
    return session, view


def widget(view: FormView, code: str):
    return view.widgets[(code, None, None)]


def test_time_and_datetime_pickers_give_iso_answers_and_show_them_back():
    session, view = visit_page()
    start = widget(view, "visit_start")
    assert isinstance(start.input, W.TimePicker)
    start.input.value = dt.time(9, 45)
    assert session.value("visit_start") == "09:45:00"
    start.input.value = dt.time(6, 30)  # the constraint: visits between 07:00 and 22:00
    assert any("07:00" in e for e in widget(view, "visit_start").field.errors) or session.page_problems()
    nxt = widget(view, "next_visit")
    assert isinstance(nxt.input, W.NaiveDatetimePicker)
    nxt.input.value = dt.datetime(2099, 5, 1, 10, 30)
    assert session.value("next_visit") == "2099-05-01T10:30:00"
    session.set_answer("next_visit", "2099-06-02 08:15")  # typed text is read too
    view.refresh()
    assert widget(view, "next_visit").input.value == dt.datetime(2099, 6, 2, 8, 15)


def test_a_geopoint_is_typed_in_or_filled_by_the_browser_button_with_consent_text():
    session, view = visit_page("ru")
    geo = widget(view, "location")
    geo.text.value = "55,7558 37,6173"  # decimal commas, as typed on a Russian keyboard
    assert session.value("location") == "55.7558 37.6173"
    geo.text.value = "91 200"  # no latitude beyond 90: kept as typed, and the question says what to type
    assert session.value("location") == "91 200"
    errors = " ".join(widget(view, "location").field.errors)
    assert "91 200" in errors and "координаты" in errors
    button = geo.input.children[1].value
    assert "navigator.geolocation.getCurrentPosition" in button and "Моё местоположение" in button
    assert "браузер сначала спросит" in button  # consent is explained before anything is asked


def test_an_uploaded_photo_is_stored_at_once_and_its_name_is_the_answer():
    stored: list[tuple[str, bytes, str]] = []

    def sink(question: str, content: bytes, name: str) -> str:
        stored.append((question, content, name))
        return hashlib.sha256(content).hexdigest() + ".jpg"

    session, view = visit_page(on_file=sink)
    photo = widget(view, "entrance_photo")
    assert photo.upload.accept == "image/*"
    photo.upload.value = (
        {
            "name": "door.jpg",
            "type": "image/jpeg",
            "size": len(JPEG),
            "last_modified": NOW,
            "content": memoryview(JPEG),
        },
    )
    assert stored == [("entrance_photo", JPEG, "door.jpg")]
    assert session.value("entrance_photo") == hashlib.sha256(JPEG).hexdigest() + ".jpg"
    assert "door.jpg" in widget(view, "entrance_photo").file_status.value
    assert photo.upload.value == ()  # ready for another photo
    view.relabel()  # a language switch rebuilds the widgets: the file is still named
    assert "door.jpg" in widget(view, "entrance_photo").file_status.value
    photo = widget(view, "entrance_photo")
    photo.remove_file.click()
    assert session.value("entrance_photo") is None


def test_a_file_of_the_wrong_kind_is_refused_at_the_question_in_the_interface_language():
    def sink(question: str, content: bytes, name: str) -> str:
        raise ValidationError(
            ErrorCode.FILE_WRONG_KIND, name=name, expected="an image", found="application/pdf"
        )

    session, view = visit_page("ru", on_file=sink)
    photo = widget(view, "entrance_photo")
    photo.upload.value = (
        {
            "name": "scan.pdf",
            "type": "application/pdf",
            "size": 9,
            "last_modified": NOW,
            "content": memoryview(b"%PDF-1.7\n"),
        },
    )
    assert session.value("entrance_photo") is None
    assert "«scan.pdf»" in photo.error.value and "⚠" in photo.error.value


def test_without_a_store_the_sandbox_checks_a_file_as_the_store_would():
    session, view = visit_page()
    photo = widget(view, "entrance_photo")
    photo.upload.value = (
        {
            "name": "a.pdf",
            "type": "application/pdf",
            "size": 9,
            "last_modified": NOW,
            "content": memoryview(b"%PDF-1.7\n"),
        },
    )
    assert session.value("entrance_photo") is None and "SK416" not in photo.error.value
    assert "is not an image" in photo.error.value
    photo.upload.value = (
        {
            "name": "door.jpg",
            "type": "image/jpeg",
            "size": len(JPEG),
            "last_modified": NOW,
            "content": memoryview(JPEG),
        },
    )
    assert session.value("entrance_photo").endswith(".jpg")
    assert "Practice mode" in widget(view, "entrance_photo").file_status.value
