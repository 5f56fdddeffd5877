"""Files answering image, audio, video and file questions: stored with their interview in the database.

Where the files live was a choice between the database and files under ``data/``. They live in the database
(table ``answer_files``, one row per file): a file is written in the same transaction as the interview it
belongs to, deleted with it (``ON DELETE CASCADE``), and a backup holds it like every other row (base64 in
the archive), so a restore is complete on SQLite and PostgreSQL alike; no path is ever built from what a user
typed. A photo of a few MB is no burden for either database; :attr:`Settings.max_upload_mb` bounds one file.

A file's name is ``<sha256>.<ext>``: the answer to the question holds that name. The extension comes from
the file's content (its first bytes), never from the name the user gave, and the content must be what the
question asks for: an image question takes JPEG, PNG, GIF, WebP, HEIC/AVIF, TIFF or BMP (no SVG: it can
hold scripts), an audio question audio (MP3, AAC/M4A, WAV, Ogg, FLAC, AMR, WebM), a video question video
(MP4, 3GP, QuickTime, WebM, Ogg), a file question anything. At submission every file answer must name a
file stored with the interview (SK417), and files no answer names any more are deleted (a replaced photo
is not kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, NotFoundError, StoreError, Translated, ValidationError
from surveykit.questionnaire.types import QuestionType
from surveykit.store.engine import Database
from surveykit.store.schema import answer_files, interviews, utcnow

__all__ = ["AnswerFiles", "StoredFile", "check_and_prune", "checked_file", "sniff"]

_EDITABLE = ("draft", "rejected")


@dataclass(frozen=True)
class StoredFile:
    """One stored file; ``content`` is None in listings."""

    interview_id: str
    name: str
    sha256: str
    size: int
    media_type: str
    original_name: str | None
    stored_at: dt.datetime
    content: bytes | None = None


# --- what a file is, by its first bytes --------------------------------------------------------------------
#: media type -> (kind, extension); kind is image, audio, video, av (audio or video), document or other
_KINDS: dict[str, tuple[str, str]] = {
    "image/jpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "image/gif": ("image", "gif"),
    "image/webp": ("image", "webp"),
    "image/heic": ("image", "heic"),
    "image/avif": ("image", "avif"),
    "image/tiff": ("image", "tif"),
    "image/bmp": ("image", "bmp"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/wav": ("audio", "wav"),
    "audio/flac": ("audio", "flac"),
    "audio/amr": ("audio", "amr"),
    "audio/mp4": ("audio", "m4a"),
    "audio/ogg": ("av", "ogg"),
    "video/webm": ("av", "webm"),
    "video/mp4": ("av", "mp4"),
    "video/3gpp": ("av", "3gp"),
    "video/quicktime": ("video", "mov"),
    "application/pdf": ("document", "pdf"),
    "application/zip": ("document", "zip"),
    "text/plain": ("document", "txt"),
    "application/octet-stream": ("other", "bin"),
}
#: what each question type accepts (kinds of :data:`_KINDS`)
_ACCEPTS = {
    QuestionType.IMAGE: {"image"},
    QuestionType.AUDIO: {"audio", "av"},
    QuestionType.VIDEO: {"video", "av"},
    QuestionType.FILE: {"image", "audio", "video", "av", "document", "other"},
}
_WHAT = {
    QuestionType.IMAGE: Translated(
        en="an image (JPEG, PNG, GIF, WebP, HEIC, TIFF, BMP)",
        ru="изображение (JPEG, PNG, GIF, WebP, HEIC, TIFF, BMP)",
    ),
    QuestionType.AUDIO: Translated(
        en="an audio recording (MP3, M4A, WAV, Ogg, FLAC, AMR, WebM)",
        ru="аудиозапись (MP3, M4A, WAV, Ogg, FLAC, AMR, WebM)",
    ),
    QuestionType.VIDEO: Translated(en="a video (MP4, 3GP, MOV, WebM, Ogg)", ru="видео (MP4, 3GP, MOV, WebM, Ogg)"),
    QuestionType.FILE: Translated(en="a file", ru="файл"),
}
_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"F4A "}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_SUFFIX = re.compile(r"\.([A-Za-z0-9]{1,8})$")


def sniff(content: bytes) -> str:
    """The media type of ``content`` from its first bytes (``application/octet-stream`` when unknown)."""
    head = content[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:2] == b"BM" and len(content) > 26:
        return "image/bmp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in _MP4_AUDIO_BRANDS:
            return "audio/mp4"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    try:
        content[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if b"\x00" not in content[:4096] else "application/octet-stream"


def _extension(media_type: str, original_name: str | None) -> str:
    """The stored name's extension: from the content; for a document or an unknown kind the uploaded name's
    (letters and digits only), so that a .docx stays a .docx."""
    kind, ext = _KINDS[media_type]
    if kind in ("document", "other") and original_name:
        m = _SUFFIX.search(original_name)
        if m:
            return m.group(1).lower()
    return ext


def _clean_original(name: str | None) -> str | None:
    """The uploaded name as shown to people: no folders, no control characters, at most 200 characters."""
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:200] or None


def checked_file(
    question: str, qtype: QuestionType, content: bytes, original_name: str | None, max_bytes: int
) -> tuple[str, str]:
    """``(stored name, media type)`` of a file for a question of type ``qtype``, or ValidationError: empty
    (SK418), too large (SK415), not what the question asks for (SK416). What :meth:`AnswerFiles.attach`
    checks; the interview app's sandbox (no store) checks the same."""
    shown = _clean_original(original_name) or "file"
    where = Location(field=question)
    if not content:
        raise ValidationError(ErrorCode.FILE_EMPTY, where, name=shown)
    if len(content) > max_bytes:
        raise ValidationError(
            ErrorCode.UPLOAD_TOO_LARGE,
            where,
            name=shown,
            size=f"{len(content) / 1_048_576:.1f}",
            limit=f"{max_bytes / 1_048_576:g}",
        )
    media_type = sniff(content)
    if _KINDS[media_type][0] not in _ACCEPTS[qtype]:
        raise ValidationError(
            ErrorCode.FILE_WRONG_KIND, where, name=shown, expected=_WHAT[qtype], found=media_type
        )
    digest = hashlib.sha256(content).hexdigest()
    return f"{digest}.{_extension(media_type, original_name)}", media_type


# --- the store ----------------------------------------------------------------------------------------------
class AnswerFiles:
    """Attach, read and list the files of interviews (see the module docstring)."""

    def __init__(self, db: Database, interviews: object, max_bytes: int) -> None:
        self.db = db
        self.interviews = interviews  # an InterviewStore: meta() and the catalog of forms
        self.max_bytes = max_bytes

    def attach(
        self, interview_id: str, question: str, content: bytes, original_name: str | None = None
    ) -> StoredFile:
        """Store ``content`` as the answer file of ``question`` in a draft (or rejected) interview; returns
        the stored file, whose ``name`` is what the answer holds. The same content twice is stored once."""
        meta = self.interviews.meta(interview_id)
        form = self.interviews.catalog.form(meta.questionnaire_version_id)
        variable = form.variables.get(question)
        if variable is None or not variable.type.is_media:
            raise ValidationError(
                ErrorCode.FIELD_INVALID,
                Location(field=question),
                field=question,
                detail="it is not an image, audio, video or file question",
                fix="Attach files to file questions only.",
            )
        name, media_type = checked_file(question, variable.type, content, original_name, self.max_bytes)
        digest = name.split(".", 1)[0]
        stored = StoredFile(
            meta.id, name, digest, len(content), media_type, _clean_original(original_name), utcnow()
        )

        def work(conn: Connection) -> StoredFile:
            status = conn.execute(
                sa.select(interviews.c.status).where(interviews.c.id == meta.id)
            ).scalar_one()
            if status not in _EDITABLE:
                raise StoreError(ErrorCode.INTERVIEW_NOT_DRAFT, uuid=meta.id, status=status)
            exists = conn.execute(
                sa.select(answer_files.c.name).where(
                    answer_files.c.interview_id == meta.id, answer_files.c.name == name
                )
            ).first()
            if exists is None:
                conn.execute(
                    answer_files.insert().values(
                        interview_id=meta.id,
                        name=name,
                        sha256=digest,
                        size=len(content),
                        media_type=media_type,
                        original_name=stored.original_name,
                        content=content,
                        stored_at=stored.stored_at,
                    )
                )
            return stored

        return self.db.write(work)

    def get(self, interview_id: str, name: str) -> StoredFile:
        """One stored file with its content (SK... not found: NotFoundError)."""
        with self.db.query() as conn:
            row = conn.execute(
                sa.select(answer_files).where(
                    answer_files.c.interview_id == str(interview_id), answer_files.c.name == name
                )
            ).first()
        if row is None:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="file", key=name, suggestion="")
        return _stored(row, with_content=True)

    def list(self, interview_id: str) -> list[StoredFile]:
        """The files of one interview (without their content), by name."""
        return list(self.of([interview_id], with_content=False))

    def of(self, interview_ids: Iterable[str], *, with_content: bool = True) -> Iterator[StoredFile]:
        """The files of the given interviews, interview by interview (for exports: content read in batches)."""
        ids = [str(i) for i in interview_ids]
        columns = [c for c in answer_files.c if with_content or c.name != "content"]
        for start in range(0, len(ids), 200):
            with self.db.query() as conn:
                rows = conn.execute(
                    sa.select(*columns)
                    .where(answer_files.c.interview_id.in_(ids[start : start + 200]))
                    .order_by(answer_files.c.interview_id, answer_files.c.name)
                ).all()
            for row in rows:
                yield _stored(row, with_content=with_content)


def _stored(row: sa.Row, *, with_content: bool) -> StoredFile:
    m = row._mapping
    return StoredFile(
        interview_id=str(m["interview_id"]),
        name=m["name"],
        sha256=m["sha256"],
        size=int(m["size"]),
        media_type=m["media_type"],
        original_name=m["original_name"],
        stored_at=m["stored_at"],
        content=bytes(m["content"]) if with_content else None,
    )


def check_and_prune(conn: Connection, interview_id: str, referenced: dict[str, str]) -> None:
    """At submission: every file answer (``{name: question}``) must name a file stored with the interview
    (SK417), and stored files no answer names are deleted."""
    stored = set(
        conn.execute(
            sa.select(answer_files.c.name).where(answer_files.c.interview_id == interview_id)
        ).scalars()
    )
    for name, question in referenced.items():
        if name not in stored:
            raise ValidationError(
                ErrorCode.FILE_NOT_STORED,
                Location(field=question),
                question=question,
                name=name,
                uuid=interview_id,
            )
    unused = stored - set(referenced)
    if unused:
        conn.execute(
            answer_files.delete().where(
                answer_files.c.interview_id == interview_id, answer_files.c.name.in_(sorted(unused))
            )
        )
