"""Files answering image, audio, video and file questions: stored with the interview, checked by content,
required at submission, pruned when no answer names them, backed up and restored, deleted with the interview."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from surveykit.errors import ErrorCode, StoreError, ValidationError
from surveykit.store import Store
from surveykit.store.files import sniff
from surveykit.store.schema import answer_files, interviews

from .helpers import example_answers

#: the smallest valid files of a few kinds (their first bytes are what counts)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)
M4A = b"\x00\x00\x00\x20ftypM4A " + bytes(40)
WEBM = b"\x1aE\xdf\xa3" + bytes(60)
PDF = b"%PDF-1.7\n" + bytes(50)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (M4A, "audio/mp4"),
        (WEBM, "video/webm"),
        (PDF, "application/pdf"),
        (b"GIF89a" + bytes(20), "image/gif"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(20), "audio/wav"),
        (b"ID3\x04" + bytes(20), "audio/mpeg"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(20), "image/heic"),
        (SVG, "text/plain"),
        (b"\x00\x01\x02\xfe\xff" * 10, "application/octet-stream"),
    ],
)
def test_the_kind_of_a_file_is_read_from_its_content(content, media_type):
    assert sniff(content) == media_type


def test_a_photo_is_stored_under_its_checksum_and_submitted_with_the_interview(world):
    store = world.store
    meta = world.start()
    stored = store.attach_file(meta.id, "entrance_photo", JPEG, "IMG_0001.JPG")
    digest = hashlib.sha256(JPEG).hexdigest()
    assert (stored.name, stored.media_type, stored.size) == (f"{digest}.jpg", "image/jpeg", len(JPEG))
    assert stored.original_name == "IMG_0001.JPG"
    again = store.attach_file(meta.id, "entrance_photo", JPEG, "copy.jpg")  # same content: stored once
    assert again.name == stored.name and len(store.interview_files(meta.id)) == 1
    result = store.submit(meta.id, example_answers(entrance_photo=stored.name))
    assert result.outcome == "stored"
    assert store.load_interview(meta.id).answers["entrance_photo"] == stored.name
    assert store.interview_file(meta.id, stored.name).content == JPEG


def test_a_document_keeps_the_extension_it_was_uploaded_with(world):
    meta = world.start()
    docx = world.store.attach_file(meta.id, "contract_scan", b"PK\x03\x04" + bytes(30), "Договор №5.DOCX")
    assert docx.name.endswith(".docx") and docx.original_name == "Договор №5.DOCX"
    hostile = world.store.attach_file(meta.id, "contract_scan", PDF, "../../etc/passwd")
    assert hostile.name.endswith(".pdf") and hostile.original_name == "passwd"


@pytest.mark.parametrize(
    ("question", "content", "code"),
    [
        ("entrance_photo", PDF, ErrorCode.FILE_WRONG_KIND),  # a PDF is not a photo
        ("entrance_photo", SVG, ErrorCode.FILE_WRONG_KIND),  # SVG can hold scripts: not taken as an image
        ("voice_note", PNG, ErrorCode.FILE_WRONG_KIND),
        ("walkthrough", M4A, ErrorCode.FILE_WRONG_KIND),  # audio only
        ("entrance_photo", b"", ErrorCode.FILE_EMPTY),
        ("age", PNG, ErrorCode.FIELD_INVALID),  # not a file question
    ],
)
def test_files_of_the_wrong_kind_are_refused_and_nothing_is_stored(world, question, content, code):
    meta = world.start()
    with pytest.raises(ValidationError) as raised:
        world.store.attach_file(meta.id, question, content, "x.bin")
    assert raised.value.code is code
    assert world.store.interview_files(meta.id) == []


def test_a_file_over_the_limit_is_refused_with_the_setting_to_change(world):
    meta = world.start()
    world.store.files.max_bytes = 1000
    with pytest.raises(ValidationError) as raised:
        world.store.attach_file(meta.id, "entrance_photo", JPEG + bytes(2000), "big.jpg")
    assert raised.value.code is ErrorCode.UPLOAD_TOO_LARGE
    assert "SURVEYKIT_MAX_UPLOAD_MB" in str(raised.value)


def test_submitting_an_answer_that_names_no_stored_file_is_refused(world):
    meta = world.start()
    forged = "0" * 64 + ".jpg"
    with pytest.raises(ValidationError) as raised:
        world.store.submit(meta.id, example_answers(entrance_photo=forged))
    assert raised.value.code is ErrorCode.FILE_NOT_STORED
    assert world.store.interview(meta.id).status == "draft"


def test_a_replaced_photo_is_deleted_at_submission(world):
    store = world.store
    meta = world.start()
    first = store.attach_file(meta.id, "entrance_photo", JPEG, "first.jpg")
    second = store.attach_file(meta.id, "entrance_photo", PNG, "second.png")
    store.submit(meta.id, example_answers(entrance_photo=second.name))
    assert [f.name for f in store.interview_files(meta.id)] == [second.name]
    assert first.name != second.name


def test_files_are_only_attached_to_drafts(world):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    with pytest.raises(StoreError) as raised:
        store.attach_file(meta.id, "entrance_photo", JPEG)
    assert raised.value.code is ErrorCode.INTERVIEW_NOT_DRAFT


def test_files_are_backed_up_restored_and_deleted_with_their_interview(world, tmp_path):
    store = world.store
    meta = world.start()
    photo = store.attach_file(meta.id, "entrance_photo", JPEG, "door.jpg")
    store.submit(meta.id, example_answers(entrance_photo=photo.name))
    archive = store.backup(tmp_path / "backup.zip")
    assert archive.rows["answer_files"] == 1
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    Store.restore(archive.path, target)
    with Store.open(target) as restored:
        assert restored.interview_file(meta.id, photo.name).content == JPEG
    with store.db.engine.begin() as conn:
        conn.execute(sa.delete(interviews).where(interviews.c.id == meta.id))
        assert conn.execute(sa.select(sa.func.count()).select_from(answer_files)).scalar_one() == 0


def test_an_export_writes_the_files_beside_the_data_with_a_manifest(world, tmp_path):
    import csv

    from surveykit.exchange.export import export_interviews

    store = world.store
    meta = world.start()
    photo = store.attach_file(meta.id, "entrance_photo", JPEG, "=door.jpg")
    scan = store.attach_file(meta.id, "contract_scan", PDF, "Иванова договор.pdf")
    store.submit(meta.id, example_answers(entrance_photo=photo.name, contract_scan=scan.name))
    other = world.start()
    store.submit(other.id, example_answers())  # no files
    result = export_interviews(
        store, "example_all_types", tmp_path / "out" / "survey.sav", pseudonymise=False
    )
    found = result.attachments
    assert (found.folder, found.files, found.missing) == (tmp_path / "out" / "survey_files", 2, 0)
    assert (found.folder / photo.name).read_bytes() == JPEG and (found.folder / scan.name).read_bytes() == PDF
    rows = list(csv.DictReader(found.manifest.open(encoding="utf-8")))
    assert [(r["variable"], r["file"], r["status"]) for r in rows] == [
        ("entrance_photo", f"survey_files/{photo.name}", "ok"),
        ("contract_scan", f"survey_files/{scan.name}", "ok"),
    ]
    assert rows[0]["original_name"] == "'=door.jpg" and rows[1]["original_name"] == "Иванова договор.pdf"
    assert {r["interview_id"] for r in rows} == {meta.id}
    again = export_interviews(store, "example_all_types", tmp_path / "p" / "survey.csv", pseudonymise=True)
    rows = list(csv.DictReader(again.attachments.manifest.open(encoding="utf-8")))
    assert [r["original_name"] for r in rows] == ["", ""]  # an uploaded name can identify a person


def test_the_import_format_export_keeps_the_time_of_a_datetime_answer(world, tmp_path):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    store.export_responses("example_all_types", tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "2099-03-08T10:00:00" in text and "09:30:00" in text and "55.7558 37.6173" in text
