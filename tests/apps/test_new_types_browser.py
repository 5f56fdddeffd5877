"""The new question types in the interview app, served by Voilà and driven in headless Chromium: a time and a
date-time picker, a geopoint typed in or taken from the browser's location (granted, then refused), a photo
and a document uploaded; the store then holds the answers and the files. Screenshots in Russian and English
go to ``artifacts/``."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000


def png(width: int, height: int) -> bytes:
    """A real PNG picture (a blue-to-green gradient), so that the preview shows it."""
    import struct
    import zlib

    rows = b"".join(
        b"\x00" + b"".join(bytes((40, 90 + 150 * x // width, 200 - 120 * y // height)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PHOTO = png(160, 100)
PDF = b"%PDF-1.7\n%surveykit test\n" + bytes(100)
AUDIT = {
    "schema_version": 1,
    "id": "premises_visit",
    "version": "1",
    "title": {"ru": "Визит в учреждение", "en": "Visit to the institution"},
    "languages": ["ru", "en"],
    "default_language": "ru",
    "settings": {"modes": ["face_to_face"]},
    "items": [
        {
            "code": "visit",
            "type": "group",
            "label": {"ru": "Визит", "en": "The visit"},
            "items": [
                {
                    "code": "arrived",
                    "type": "time",
                    "label": {"ru": "Время прихода", "en": "Time of arrival"},
                },
                {
                    "code": "next_visit",
                    "type": "datetime",
                    "label": {"ru": "Следующий визит", "en": "Next visit"},
                },
                {
                    "code": "location",
                    "type": "geopoint",
                    "label": {"ru": "Где находится вход?", "en": "Where is the entrance?"},
                },
                {
                    "code": "entrance_photo",
                    "type": "image",
                    "label": {"ru": "Фото входа", "en": "Photo of the entrance"},
                    "instruction": {"ru": "Без людей в кадре", "en": "No people in the picture"},
                },
                {
                    "code": "contract",
                    "type": "file",
                    "label": {"ru": "Договор (PDF)", "en": "Contract (PDF)"},
                },
            ],
        }
    ],
}


def upload(page, code: str, path) -> None:
    """Choose ``path`` with the question's upload button, as a user does."""
    with page.expect_file_chooser(timeout=TIMEOUT) as chooser:
        page.locator(f".sk-q-{code} .sk-upload-button").click()
    chooser.value.set_files(str(path))


@pytest.fixture(scope="module")
def fieldwork(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new-types-app")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=11, size="small")
    with Store.open(url) as store:
        store.publish(questionnaire_from_data(AUDIT).unwrap())
        institution = store.institutions()[0].id
        # a current period: past assignments are folded away on the home page
        period = str(dt.date.today().year)
        assignment = store.assign("boris", institution, "premises_visit", period, 3)
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}, assignment


def test_time_datetime_geopoint_and_files_in_the_interview_app(
    browser, voila_server, fieldwork, artifacts, tmp_path
):
    env, assignment = fieldwork
    server = voila_server(env)
    context = browser.new_context(
        viewport={"width": 1100, "height": 1000},
        locale="ru-RU",
        geolocation={"latitude": 55.755826, "longitude": 37.6173, "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(server.url("interview"), timeout=TIMEOUT)
    page.locator(".sk-login input").fill("boris", timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()
    page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
    # a survey starts with the contact screen; this visit form has no consent question: "begin" goes on
    page.locator(".sk-contact-begin").click(timeout=TIMEOUT)
    page.locator(".sk-q-arrived").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "new-types-1-ru-empty.png"), full_page=True)

    page.locator(".sk-q-arrived input").fill("09:30")
    page.locator(".sk-q-arrived input").press("Tab")
    page.locator(".sk-q-next_visit input").fill("2099-05-01T10:30")
    page.locator(".sk-q-next_visit input").press("Tab")
    page.locator(".sk-q-location .sk-geo-button").click()  # the browser's location (permission granted)
    page.wait_for_function(
        "() => document.querySelector('.sk-q-location .sk-geopoint input').value.startsWith('55.755826')",
        timeout=TIMEOUT,
    )
    photo = tmp_path / "entrance.png"
    photo.write_bytes(PHOTO)
    upload(page, "entrance_photo", photo)
    page.locator(".sk-q-entrance_photo .sk-file").wait_for(timeout=TIMEOUT)
    document = tmp_path / "Договор.pdf"
    document.write_bytes(PDF)
    upload(page, "contract", document)
    page.locator(".sk-q-contract .sk-file").wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    assert "Договор.pdf" in page.locator(".sk-q-contract .sk-file").inner_text()
    # a file larger than a websocket message is by default (10 MB) still reaches the store
    big = tmp_path / "Скан договора.pdf"
    big.write_bytes(PDF + bytes(12 * 1024 * 1024))
    upload(page, "contract", big)
    page.locator(".sk-q-contract .sk-file", has_text="Скан договора.pdf").wait_for(timeout=TIMEOUT)
    upload(page, "contract", document)
    page.locator(".sk-q-contract .sk-file", has_text="Договор.pdf").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "new-types-2-ru-filled.png"), full_page=True)

    # a photo question refuses a PDF, in the interface language, at the question
    not_a_photo = tmp_path / "scan.pdf"
    not_a_photo.write_bytes(PDF)
    upload(page, "entrance_photo", not_a_photo)
    page.locator(".sk-q-entrance_photo .sk-error").wait_for(timeout=TIMEOUT)
    assert "scan.pdf" in page.locator(".sk-q-entrance_photo .sk-error").inner_text()
    page.screenshot(path=str(artifacts / "new-types-3-ru-wrong-file.png"), full_page=True)

    page.locator(".sk-lang button", has_text="English").click()
    page.locator(".sk-q-location", has_text="Where is the entrance?").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "new-types-4-en.png"), full_page=True)
    assert "Use my location" in page.locator(".sk-q-location").inner_text()
    assert "Take or choose a photo" in page.locator(".sk-q-entrance_photo").inner_text()

    page.locator(".sk-next").click()
    page.locator(".sk-submit").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "new-types-5-en-review.png"), full_page=True)
    page.locator(".sk-submit").click()
    page.locator(".sk-next-interview").wait_for(timeout=TIMEOUT)
    page.close(run_before_unload=True)

    # refused permission: the interviewer is told to type the coordinates
    refused = browser.new_context(viewport={"width": 1100, "height": 800})
    page = refused.new_page()
    page.goto(server.url("interview"), timeout=TIMEOUT)
    page.locator(".sk-login input").fill("boris", timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()
    page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
    page.locator(".sk-contact-begin").click(timeout=TIMEOUT)
    page.locator(".sk-q-location .sk-geo-button").click()
    page.wait_for_function(
        "() => document.querySelector('.sk-q-location .sk-geo-status').textContent.length > 0",
        timeout=TIMEOUT,
    )
    status = page.locator(".sk-q-location .sk-geo-status").inner_text()
    assert "вручную" in status or "Ждём" in status
    page.close(run_before_unload=True)
    context.close()
    refused.close()

    with Store.open(env["SURVEYKIT_DATABASE_URL"]) as store:
        submitted = store.interviews_frame("premises_visit")
        assert len(submitted) == 1
        loaded = store.load_interview(submitted["interview_id"].iloc[0])
        answers = loaded.answers
        assert answers["arrived"] == "09:30:00" and answers["next_visit"] == "2099-05-01T10:30:00"
        assert answers["location"].startswith("55.755826 37.6173")
        assert answers["entrance_photo"] == hashlib.sha256(PHOTO).hexdigest() + ".png"
        files = {f.name: f for f in store.interview_files(loaded.meta.id)}
        assert set(files) == {answers["entrance_photo"], answers["contract"]}
        assert files[answers["contract"]].original_name == "Договор.pdf"
        assert store.interview_file(loaded.meta.id, answers["entrance_photo"]).content == PHOTO
