"""Interviews: start, drafts, resume, idempotent submission, supervisor review, paradata.

Life of an interview::

    draft --submit--> submitted --review--> approved
                          |
                          +----review--> rejected --submit (corrected)--> submitted

* :meth:`Interviews.save_draft` replaces the answers in one transaction each time the interviewer changes
  page, so at most the page in progress can be lost.
* :meth:`Interviews.submit` validates with :func:`~surveykit.questionnaire.validate_one.check_interview`
  (value by value; forms with repeat groups with the vectorised
  :func:`~surveykit.questionnaire.validate.validate_answers`; errors: ValidationError, nothing stored), then stores the cleaned answers and their content hash. The same UUID
  submitted again with the same content is a "duplicate" and changes nothing; with different content it is
  refused (SK505) and nothing changes.
* A real (non-practice) interview needs an interviewer with a valid certificate (SK507), unless the store
  was opened with ``enforce_certification=False``; the audit entry then says the check was not applied.

A submission is short (issue 17): one first look (the interview, whether it has answers, and the
interviewer's certificates, in one statement; signatures verified once per process,
:func:`surveykit.certificates.stored.checked_problem`), validation and the driver values of the answer rows
made outside any transaction, then one write transaction: the status change, which re-reads the certificate
that opened the gate (suspended, revoked, expired or edited meanwhile: the whole gate runs again inside the
transaction), the answers in one statement and the audit entry. On PostgreSQL a plain submission (no draft
answers, paradata or files) is one statement (:data:`_SUBMIT_STATEMENT`), so two round trips in all.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid as uuidlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from surveykit.errors import (
    AccessDenied,
    ConflictError,
    ErrorCode,
    Location,
    NotFoundError,
    StoreError,
    Translated,
    ValidationError,
    did_you_mean,
)
from surveykit.store import audit
from surveykit.store.actors import require_actor
from surveykit.store.catalog import Catalog
from surveykit.store.engine import Database
from surveykit.store.files import check_and_prune
from surveykit.store.records import (
    CertificateRecord,
    Event,
    InterviewMeta,
    LoadedInterview,
    PublishedVersion,
    ReviewNote,
    SubmitResult,
)
from surveykit.store.schema import (
    MODES,
    ROW_COLUMNS,
    UTCDateTime,
    answers,
    assignments,
    certificates,
    fieldwork_cases,
    institutions,
    interviews,
    paradata,
    people,
    review_notes,
    utcnow,
)
from surveykit.store.schema import questionnaire_versions as qv
from surveykit.store.training import certification_problem, status_of

__all__ = ["EDITABLE", "STATUS_FLOW", "Interviews", "interview_columns", "json_value", "normalize_uuid"]

#: which status may follow which
STATUS_FLOW: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "rejected"),
    "rejected": ("submitted",),
    "approved": (),
}
#: statuses in which the interviewer may still change answers
EDITABLE = ("draft", "rejected")


def interview_columns() -> list[Any]:
    """The columns of :class:`InterviewMeta` (interviews joined with their questionnaire version)."""
    return [*interviews.c, qv.c.version.label("questionnaire_version")]


# statements of the hot paths, built once (SQLAlchemy then reuses their compiled form and cache keys)
_META = (
    select(*interview_columns())
    .select_from(interviews.join(qv, qv.c.id == interviews.c.questionnaire_version_id))
    .where(interviews.c.id == bindparam("key"))
)
_META_FOR_UPDATE = _META.with_for_update(of=interviews)
_NOW = bindparam("now", type_=UTCDateTime())


# submit's first look, one statement: the interview, whether it has answers, and its interviewer's
# certificates (newest first; one row of NULLs when there are none) for the certification gate
_CERTIFICATE_COLUMNS = tuple(c.name for c in certificates.c)
_FIRST_LOOK = (
    select(
        *interview_columns(),
        select(answers.c.variable)
        .where(answers.c.interview_id == interviews.c.id)
        .limit(1)
        .exists()
        .label("answered"),
        *(certificates.c[name].label(f"cert_{name}") for name in _CERTIFICATE_COLUMNS),
    )
    .select_from(
        interviews.join(qv, qv.c.id == interviews.c.questionnaire_version_id).outerjoin(
            certificates, certificates.c.person_id == interviews.c.interviewer_id
        )
    )
    .where(interviews.c.id == bindparam("key"))
    .order_by(certificates.c.issued_at.desc())
)
_OWNER = select(interviews.c.interviewer_id).where(interviews.c.id == bindparam("key"))
# start's look-up in one round trip: the questionnaire version (the latest, or the one asked for), do the
# institution and the person exist
_START_CHECKS = select(
    qv.c.id,
    qv.c.questionnaire_id,
    qv.c.version,
    qv.c.content_hash,
    qv.c.published_at,
    qv.c.published_by,
    select(institutions.c.id)
    .where(institutions.c.id == bindparam("institution"))
    .scalar_subquery()
    .label("institution"),
    select(people.c.id).where(people.c.id == bindparam("person")).scalar_subquery().label("person"),
).where(qv.c.questionnaire_id == bindparam("qid"))
_START_LATEST = _START_CHECKS.order_by(qv.c.id.desc()).limit(1)
_START_EXACT = _START_CHECKS.where(qv.c.version == bindparam("version"))
_INSERT_INTERVIEW = insert(interviews)
_DELETE_ANSWERS = delete(answers).where(answers.c.interview_id == bindparam("key"))


@functools.cache
def _rows_query() -> Any:
    """The answer rows of one interview."""
    return select(*(answers.c[c] for c in ROW_COLUMNS)).where(answers.c.interview_id == bindparam("key"))


# the submission itself: only an editable interview changes (returns nothing otherwise)
_SUBMITTED = (
    update(interviews)
    .where(interviews.c.id == bindparam("key"), interviews.c.status.in_(EDITABLE))
    .values(status="submitted", submitted_at=_NOW, updated_at=_NOW, content_hash=bindparam("digest"))
    .returning(
        interviews.c.interviewer_id,
        interviews.c.practice,
        # conducted for a fieldwork case? (its outcome is then recorded; no extra round trip otherwise)
        select(fieldwork_cases.c.id)
        .where(fieldwork_cases.c.interview_id == bindparam("key"))  # RETURNING drops table names on SQLite
        .exists()
        .label("for_case"),
        # is the certificate that opened the gate at the first look still valid now, unchanged (holder and
        # dates) and neither suspended nor revoked? Read inside the transaction, in the same statement
        select(certificates.c.serial)
        .where(
            certificates.c.serial == bindparam("serial"),
            certificates.c.person_id == bindparam("person"),
            certificates.c.status == "valid",
            certificates.c.issued_at == bindparam("issued_at", type_=UTCDateTime()),
            certificates.c.valid_until.is_not_distinct_from(bindparam("valid_until", type_=UTCDateTime())),
            certificates.c.issued_at <= _NOW,
            or_(certificates.c.valid_until.is_(None), certificates.c.valid_until > _NOW),
        )
        .exists()
        .label("certified"),
    )
)
_STATE = select(interviews.c.status, interviews.c.content_hash).where(interviews.c.id == bindparam("key"))
# PostgreSQL: the whole of a plain submission (no draft answers to replace, no paradata, no files) in one
# statement, so one transaction in one round trip: the status change, the answers and the audit entry, done
# only when the interview is still as the first look saw it (same status, still without answers) and the
# certificate that opened the gate is still valid, unchanged and neither suspended nor revoked; otherwise
# nothing at all is done and the transaction of Interviews.submit's general path decides (duplicate, SK505,
# SK507 with its reason, or a submission through another certificate)
_SUBMIT_STATEMENT = text(
    f"""
WITH changed AS (
    UPDATE interviews
    SET status = 'submitted', submitted_at = :now, updated_at = :now, content_hash = :digest
    WHERE id = CAST(:key AS uuid) AND status = :from_status
      AND NOT EXISTS (SELECT 1 FROM answers WHERE interview_id = CAST(:key AS uuid))
      AND (NOT :gate OR EXISTS (
          SELECT 1 FROM certificates
          WHERE serial = :serial AND person_id = :person AND status = 'valid'
            AND issued_at = :issued_at AND valid_until IS NOT DISTINCT FROM :valid_until
            AND issued_at <= :now AND (valid_until IS NULL OR valid_until > :now)))
    RETURNING EXISTS (SELECT 1 FROM fieldwork_cases WHERE interview_id = CAST(:key AS uuid)) AS for_case
), stored AS (
    INSERT INTO answers ({", ".join(ROW_COLUMNS)})
    SELECT * FROM unnest(CAST(:a0 AS uuid[]), CAST(:a1 AS text[]), CAST(:a2 AS text[]), CAST(:a3 AS float8[]),
                         CAST(:a4 AS text[]), CAST(:a5 AS date[]), CAST(:a6 AS json[]))
    WHERE EXISTS (SELECT 1 FROM changed)
), audited AS (
    INSERT INTO audit_log (at, actor, action, entity, entity_id, details)
    SELECT :now, :actor, 'submit', 'interview', :key, CAST(:details AS json) FROM changed
)
SELECT for_case FROM changed
"""
).bindparams(
    bindparam("now", type_=UTCDateTime()),
    bindparam("issued_at", type_=UTCDateTime()),
    bindparam("valid_until", type_=UTCDateTime()),
)
_DRAFT_SAVED = (
    update(interviews)
    .where(interviews.c.id == bindparam("key"))
    .values(current_page=bindparam("page"), updated_at=_NOW)
)
_LAST_SEQ = select(func.coalesce(func.max(paradata.c.seq), 0)).where(
    paradata.c.interview_id == bindparam("key")
)
_INSERT_EVENTS = insert(paradata)


def normalize_uuid(value: str | uuidlib.UUID) -> str | None:
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError:
        return None


def json_value(value: Any) -> Any:
    """A Python answer value as JSON (sets as sorted lists, dates as ISO text) for paradata and audit."""
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _certificates(rows: Sequence[Any]) -> list[CertificateRecord]:
    """The interviewer's certificates carried by the rows of submit's first look (newest first)."""
    found = []
    for row in rows:
        if row.cert_serial is None:
            continue
        data = {name: getattr(row, f"cert_{name}") for name in _CERTIFICATE_COLUMNS}
        data["roles"] = tuple(data["roles"] or ())
        found.append(CertificateRecord(**data))
    return found


def _invalid(field: str, detail: str, fix: str) -> StoreError:
    return StoreError(ErrorCode.FIELD_INVALID, Location(field=field), field=field, detail=detail, fix=fix)


class Interviews:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        *,
        enforce_certification: bool = True,
        gate: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.enforce_certification = enforce_certification
        #: interview mode -> certified roles that may record real data in it (None: any valid certificate)
        self.gate = dict(gate) if gate is not None else None

    # --- reading --------------------------------------------------------------------------------------------
    def meta(
        self, interview_id: str, *, conn: Connection | None = None, for_update: bool = False
    ) -> InterviewMeta:
        key = normalize_uuid(interview_id)
        query = _META_FOR_UPDATE if for_update else _META
        if key is None:
            row = None
        elif conn is None:
            with self.db.read() as c:
                row = c.execute(query, {"key": key}).first()
        else:
            row = conn.execute(query, {"key": key}).first()
        if row is None:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="interview", key=str(interview_id), suggestion="")
        return InterviewMeta.from_row(row)

    def drafts(self, interviewer_id: str, *, practice: bool | None = False) -> list[InterviewMeta]:
        """The interviewer's interviews that can still be edited (drafts, and rejected ones to correct), the
        most recently changed first. ``practice``: False real ones only, True practice only, None both."""
        query = (
            select(*interview_columns())
            .select_from(interviews.join(qv, qv.c.id == interviews.c.questionnaire_version_id))
            .where(interviews.c.interviewer_id == interviewer_id, interviews.c.status.in_(EDITABLE))
            .order_by(interviews.c.updated_at.desc())
        )
        if practice is not None:
            query = query.where(interviews.c.practice.is_(bool(practice)))
        with self.db.read() as conn:
            return [InterviewMeta.from_row(r) for r in conn.execute(query)]

    def load(self, interview_id: str) -> LoadedInterview:
        """Meta, answers as Python values, and the page to resume at."""
        from surveykit.store.codec import answers_from_levels, levels_from_rows

        with self.db.read() as conn:
            meta = self.meta(interview_id, conn=conn)
            rows = self._rows(conn, meta.id)
        form = self.catalog.form(meta.questionnaire_version_id)
        levels, _ = levels_from_rows(form, rows, [meta.id])
        return LoadedInterview(meta=meta, answers=answers_from_levels(form, levels, [0])[0])

    @staticmethod
    def _rows(conn: Connection, interview_id: str) -> list[Any]:
        """The interview's answer rows as the driver returns them (:data:`ROW_COLUMNS`; no frame: pandas is
        not needed to resume or submit one interview)."""
        return conn.execute(_rows_query(), {"key": interview_id}).all()

    def notes(self, interview_id: str) -> list[ReviewNote]:
        key = normalize_uuid(interview_id)
        with self.db.read() as conn:
            rows = conn.execute(
                select(review_notes).where(review_notes.c.interview_id == key).order_by(review_notes.c.id)
            )
            return [ReviewNote.from_row(r) for r in rows]

    # --- starting ---------------------------------------------------------------------------------------------
    def start(
        self,
        questionnaire_id: str,
        *,
        institution_id: str,
        interviewer_id: str,
        mode: str,
        version: str | None = None,
        language: str | None = None,
        practice: bool = False,
        proxy: bool = False,
        period: str | None = None,
        assignment_id: int | None = None,
        interview_id: str | None = None,
        started_at: dt.datetime | None = None,
        by: str | None = None,
    ) -> InterviewMeta:
        """Start an interview (status draft) pinned to the exact questionnaire version; the UUID is made now
        unless the app made it (then starting again with the same UUID returns the existing interview)."""
        if interview_id is not None:
            key = normalize_uuid(interview_id)
            if key is None:
                raise _invalid(
                    "interview_id", f"'{interview_id}' is not a UUID", "Leave it empty to have one made."
                )
        else:
            key = str(uuidlib.uuid4())

        def work(conn: Connection) -> InterviewMeta:
            if interview_id is not None:  # made by the app: starting again returns the interview
                existing = conn.execute(_OWNER, {"key": key}).first()
                if existing is not None:
                    if existing.interviewer_id != interviewer_id:
                        raise _invalid(
                            "interview_id",
                            f"interview {key} belongs to another interviewer",
                            "Start a new one.",
                        )
                    return self.meta(key, conn=conn)
            now = utcnow()
            params = {
                "qid": questionnaire_id,
                "institution": institution_id,
                "person": interviewer_id,
                "now": now,
            }
            if version is None:
                found = conn.execute(_START_LATEST, params).first()
            else:
                found = conn.execute(_START_EXACT, {**params, "version": version}).first()
            if found is None:
                self.catalog.version(questionnaire_id, version, conn=conn)  # raises SK503 with a suggestion
            published = PublishedVersion.from_row(found)
            questionnaire = self.catalog.questionnaire(published.id)
            chosen_language = language or questionnaire.default_language
            self._check_choices(questionnaire, mode, chosen_language, proxy)
            if found.institution is None or found.person is None:
                self._check_people(conn, institution_id, interviewer_id)
            chosen_assignment, chosen_period = self._assignment(
                conn, assignment_id, interviewer_id, institution_id, questionnaire_id, period
            )
            if not practice and self.enforce_certification:
                self._gate(conn, interviewer_id, now, mode)
            values = dict(
                id=key,
                questionnaire_version_id=published.id,
                questionnaire_id=published.questionnaire_id,
                institution_id=institution_id,
                interviewer_id=interviewer_id,
                assignment_id=chosen_assignment,
                mode=mode,
                language=chosen_language,
                status="draft",
                started_at=started_at or now,
                submitted_at=None,
                updated_at=now,
                proxy=bool(proxy),
                practice=bool(practice),
                period=chosen_period,
                current_page=None,
                content_hash=None,
                source="app",
            )
            conn.execute(_INSERT_INTERVIEW, values)
            audit.record(
                conn,
                actor=by or interviewer_id,
                action="start",
                entity="interview",
                entity_id=key,
                details={
                    "questionnaire": published.key,
                    "institution_id": institution_id,
                    "interviewer_id": interviewer_id,
                    "mode": mode,
                    "practice": bool(practice),
                    "assignment_id": chosen_assignment,
                },
                at=now,
            )
            return InterviewMeta(**values, questionnaire_version=published.version)

        return self.db.write(work, retry_integrity=True)

    @staticmethod
    def _check_choices(questionnaire: Any, mode: str, language: str, proxy: bool) -> None:
        allowed_modes = [str(m) for m in questionnaire.settings.modes] or list(MODES)
        if mode not in MODES or mode not in allowed_modes:
            raise _invalid(
                "mode",
                f"'{mode}' is not a mode of {questionnaire.key}",
                f"Use one of: {', '.join(allowed_modes)}.",
            )
        if language not in questionnaire.languages:
            raise _invalid(
                "language",
                f"'{language}' is not a language of {questionnaire.key}",
                f"Use one of: {', '.join(questionnaire.languages)}.",
            )
        if proxy and not questionnaire.settings.allow_proxy:
            raise _invalid(
                "proxy", f"{questionnaire.key} does not allow proxy interviews", "Interview the person."
            )

    @staticmethod
    def _check_people(conn: Connection, institution_id: str, interviewer_id: str) -> None:
        for table, key, entity in (
            (institutions, institution_id, "institution"),
            (people, interviewer_id, "person"),
        ):
            if conn.execute(select(table.c.id).where(table.c.id == key)).first() is None:
                known = conn.execute(select(table.c.id)).scalars().all()
                raise NotFoundError(
                    ErrorCode.NOT_FOUND, entity=entity, key=key, suggestion=did_you_mean(key, known)
                )

    @staticmethod
    def _assignment(
        conn: Connection,
        assignment_id: int | None,
        interviewer_id: str,
        institution_id: str,
        questionnaire_id: str,
        period: str | None,
    ) -> tuple[int | None, str | None]:
        """The assignment an interview counts towards: the one given (checked), or the single matching one."""
        a = assignments
        if assignment_id is not None:
            row = conn.execute(select(a).where(a.c.id == assignment_id)).first()
            if row is None:
                raise NotFoundError(
                    ErrorCode.NOT_FOUND, entity="assignment", key=str(assignment_id), suggestion=""
                )
            if (row.interviewer_id, row.institution_id, row.questionnaire_id) != (
                interviewer_id,
                institution_id,
                questionnaire_id,
            ):
                raise _invalid(
                    "assignment_id",
                    f"assignment {assignment_id} is for {row.interviewer_id} at {row.institution_id} "
                    f"with {row.questionnaire_id}",
                    "Pass the matching assignment, or none.",
                )
            return row.id, period or row.period
        if period is None:
            return None, None
        match = conn.execute(
            select(a.c.id).where(
                and_(
                    a.c.interviewer_id == interviewer_id,
                    a.c.institution_id == institution_id,
                    a.c.questionnaire_id == questionnaire_id,
                    a.c.period == period,
                )
            )
        ).scalar_one_or_none()
        return match, period

    def _gate(self, conn: Connection, interviewer_id: str, when: dt.datetime, mode: str) -> None:
        roles = self.gate.get(mode) if self.gate is not None else None
        problem = certification_problem(conn, interviewer_id, when, roles)
        if problem is not None:
            name = conn.execute(
                select(people.c.display_name).where(people.c.id == interviewer_id)
            ).scalar_one_or_none()
            person = f"{name} ({interviewer_id})" if name else interviewer_id
            raise AccessDenied(
                ErrorCode.NOT_CERTIFIED, Location(field="interviewer_id"), person=person, reason=problem
            )

    # --- drafts ----------------------------------------------------------------------------------------------------
    def save_draft(
        self,
        interview_id: str,
        answers_: Mapping[str, Any],
        page: str | None = None,
        events: Iterable[Event | Mapping[str, Any]] = (),
        *,
        by: str | None = None,
    ) -> InterviewMeta:
        """Replace the interview's answers with ``answers_`` and append the paradata ``events``, in one
        transaction. Values must be of their question's type (else ValidationError; the previous draft stays)."""
        from surveykit.store.bulk import insert_answers
        from surveykit.store.codec import levels_from_answers, rows_from_levels

        meta = self.meta(interview_id)
        form = self.catalog.form(meta.questionnaire_version_id)
        levels, report = levels_from_answers(form, answers_)
        report.raise_if_errors(ValidationError)
        rows = rows_from_levels(form, levels, [meta.id])
        event_list = [Event.coerce(e) for e in events]

        def work(conn: Connection) -> InterviewMeta:
            current = self.meta(meta.id, conn=conn, for_update=True)
            if current.status not in EDITABLE:
                raise StoreError(ErrorCode.INTERVIEW_NOT_DRAFT, uuid=meta.id, status=current.status)
            now = utcnow()
            conn.execute(_DELETE_ANSWERS, {"key": meta.id})
            insert_answers(conn, rows)
            conn.execute(
                _DRAFT_SAVED,
                {"key": meta.id, "page": page if page is not None else current.current_page, "now": now},
            )
            self._append_events(conn, meta.id, event_list, now)
            audit.record(
                conn,
                actor=by or current.interviewer_id,
                action="save_draft",
                entity="interview",
                entity_id=meta.id,
                details={"page": page, "answers": int(len(rows)), "events": len(event_list)},
                at=now,
            )
            return self.meta(meta.id, conn=conn)

        return self.db.write(work)

    def record_events(self, interview_id: str, events: Iterable[Event | Mapping[str, Any]]) -> None:
        """Append paradata without touching the answers (e.g. ``resume``, ``language_switch``)."""
        key = self.meta(interview_id).id
        event_list = [Event.coerce(e) for e in events]

        def work(conn: Connection) -> None:
            self._append_events(conn, key, event_list, utcnow())

        self.db.write(work)

    @staticmethod
    def _append_events(
        conn: Connection, interview_id: str, events: Sequence[Event], now: dt.datetime
    ) -> None:
        if not events:
            return
        last = conn.execute(_LAST_SEQ, {"key": interview_id}).scalar_one()
        conn.execute(
            _INSERT_EVENTS,
            [
                {
                    "interview_id": interview_id,
                    "seq": last + i,
                    "event": e.event,
                    "question": e.question,
                    "old_value": json_value(e.old_value),
                    "new_value": json_value(e.new_value),
                    "at": e.at or now,
                    "elapsed_ms": e.elapsed_ms,
                    "page": e.page,
                    "detail": e.detail,
                }
                for i, e in enumerate(events, start=1)
            ],
        )

    # --- submitting ---------------------------------------------------------------------------------------------
    def submit(
        self,
        interview_id: str,
        answers_: Mapping[str, Any] | None = None,
        *,
        events: Iterable[Event | Mapping[str, Any]] = (),
        by: str | None = None,
        precheck: Callable[[InterviewMeta], None] | None = None,
    ) -> SubmitResult:
        """Validate and store the final answers (``None``: the saved draft). Idempotent by UUID and content.
        ``precheck(meta)``: the caller's own check of the interview (e.g. that it is the signed-in person's),
        run on submit's first look before anything else, so it costs no extra read."""
        from surveykit.questionnaire.validate import validate_answers
        from surveykit.questionnaire.validate_one import check_interview
        from surveykit.store.bulk import insert_answers, prepare_answers
        from surveykit.store.codec import (
            content_hashes,
            levels_from_evaluation,
            rows_from_levels,
            rows_from_values,
        )

        key = normalize_uuid(interview_id)
        with self.db.query() as conn:
            rows = conn.execute(_FIRST_LOOK, {"key": key}).all() if key else []
            if not rows:
                raise NotFoundError(
                    ErrorCode.NOT_FOUND, entity="interview", key=str(interview_id), suggestion=""
                )
            meta = InterviewMeta.from_row(rows[0])
            if precheck is not None:
                precheck(meta)
            answered = bool(rows[0].answered)
            gate = meta.status in EDITABLE and not meta.practice and self.enforce_certification
            certificate = None  # the certificate that opens the gate (re-read inside the transaction)
            if gate:
                held = _certificates(rows)
                roles = self.gate.get(meta.mode) if self.gate is not None else None
                status = status_of(held, meta.interviewer_id, utcnow(), roles)
                if not status.valid:
                    self._gate(conn, meta.interviewer_id, utcnow(), meta.mode)  # raises SK507 with the reason
                certificate = next(c for c in held if c.serial == status.serial)
        form = self.catalog.form(meta.questionnaire_version_id)
        if answers_ is None:
            answers_ = self.load(meta.id).answers
        checked = check_interview(form, answers_, language=meta.language)  # value by value: milliseconds
        if checked is not None:
            checked.report.raise_if_errors(ValidationError)
            rows = rows_from_values(form, checked.values, meta.id)
        else:  # repeat groups: the vectorised evaluation
            result = validate_answers(form, answers_, language=meta.language)
            result.report.raise_if_errors(ValidationError)
            rows = rows_from_levels(form, levels_from_evaluation(result.evaluation), [meta.id])
        digest = content_hashes(rows)[0]
        prepared = prepare_answers(self.db.engine.dialect, rows)  # driver values made before the transaction
        event_list = [Event.coerce(e) for e in events]
        media = {code for code, var in form.variables.items() if var.type.is_media}
        files = {
            str(name): str(variable)
            for variable, name in zip(rows.columns["variable"], rows.columns["text"], strict=True)
            if variable in media and name
        }
        opened = {
            "serial": certificate.serial if certificate is not None else None,
            "person": meta.interviewer_id,
            "issued_at": certificate.issued_at if certificate is not None else None,
            "valid_until": certificate.valid_until if certificate is not None else None,
        }

        certification = (
            "checked" if gate else ("practice" if meta.practice else "not enforced")
        )  # what the audit entry says when the status changes from the one the first look saw
        if (
            self.db.dialect == "postgresql"
            and meta.status in EDITABLE
            and not answered
            and not event_list
            and not media
            and prepared is not None
            and prepared.arrays is not None
        ):
            stored = self._submit_in_one_statement(
                meta, digest, prepared.arrays, opened, gate, by, certification, len(rows)
            )
            if stored is not None:
                return stored

        attempts = 0

        def work(conn: Connection) -> SubmitResult:
            nonlocal attempts
            attempts += 1
            stamp = utcnow()
            changed = conn.execute(
                _SUBMITTED, {"key": meta.id, "now": stamp, "digest": digest, **opened}
            ).first()
            if changed is None:  # submitted (or approved) already: the same content is a duplicate
                state = conn.execute(_STATE, {"key": meta.id}).one()
                if state.content_hash == digest:
                    return SubmitResult(meta.id, "duplicate", digest, state.status)
                raise ConflictError(
                    ErrorCode.SUBMISSION_CONFLICT, Location(field="interview_id"), uuid=meta.id
                )
            checked = not changed.practice and self.enforce_certification
            if checked and not (gate and changed.certified):
                # not editable at the first look (rejected since), or the certificate that opened the gate
                # changed, was suspended or revoked, or expired meanwhile: the whole gate, inside the transaction
                self._gate(conn, changed.interviewer_id, stamp, meta.mode)
            if (
                answered or attempts > 1
            ):  # a draft's answers (a draft saved meanwhile: the retry deletes them)
                conn.execute(_DELETE_ANSWERS, {"key": meta.id})
            if prepared is not None:
                prepared.execute(conn)
            else:
                insert_answers(conn, rows)
            if media:  # each file answer names a stored file; files no answer names are deleted
                check_and_prune(conn, meta.id, files)
            self._append_events(conn, meta.id, event_list, stamp)
            audit.record(
                conn,
                actor=by or changed.interviewer_id,
                action="submit",
                entity="interview",
                entity_id=meta.id,
                details={
                    "from": meta.status if meta.status in EDITABLE else "rejected",
                    "content_hash": digest,
                    "answers": len(rows),
                    "certification": "checked"
                    if checked
                    else ("practice" if changed.practice else "not enforced"),
                },
                at=stamp,
            )
            return SubmitResult(meta.id, "stored", digest, "submitted", for_case=bool(changed.for_case))

        return self.db.write(work, retry_integrity=True)

    def _submit_in_one_statement(
        self,
        meta: InterviewMeta,
        digest: str,
        arrays: tuple[list[Any], ...],
        opened: Mapping[str, Any],
        gate: bool,
        by: str | None,
        certification: str,
        count: int,
    ) -> SubmitResult | None:
        """PostgreSQL: :data:`_SUBMIT_STATEMENT` (one statement, so one transaction, in autocommit mode); None
        when it did nothing (the general path then decides) or failed (it then changed nothing either)."""
        details = {
            "from": meta.status,
            "content_hash": digest,
            "answers": count,
            "certification": certification,
        }
        params = {
            "now": utcnow(),
            "digest": digest,
            "key": meta.id,
            "from_status": meta.status,
            "gate": gate,
            **opened,
            "actor": by or meta.interviewer_id,
            "details": json.dumps(details),
            **{f"a{i}": values for i, values in enumerate(arrays)},
        }
        try:
            with self.db.query() as conn:
                try:
                    row = conn.execute(_SUBMIT_STATEMENT, params).first()
                except DBAPIError:  # a draft saved meanwhile, a deadlock: the general path, with its retries
                    return None
        except StoreError:  # the connection could not be had: the general path says why
            return None
        if row is None:
            return None
        return SubmitResult(meta.id, "stored", digest, "submitted", for_case=bool(row.for_case))

    # --- review ------------------------------------------------------------------------------------------------
    def set_status(self, interview_id: str, target: str, *, by: str | None, note: str = "") -> InterviewMeta:
        """A supervisor's decision (approved / rejected, with a note), recorded with the note and audited.
        ``submitted`` resubmits the stored answers of a rejected interview (validated like any submission)."""
        meta = self.meta(interview_id)
        self._check_transition(meta.status, target)
        what = Translated(
            en=f"setting an interview to '{target}'", ru=f"перевод интервью в статус «{target}»"
        )
        if target == "submitted":
            with self.db.query() as conn:
                require_actor(conn, by, what)  # SK540: a person of the store or the operator
            self.submit(meta.id, by=by)
            self._note(meta.id, meta.status, target, by, note)
            return self.meta(meta.id)

        def work(conn: Connection) -> InterviewMeta:
            require_actor(conn, by, what)
            current = self.meta(meta.id, conn=conn, for_update=True)
            self._check_transition(current.status, target)
            now = utcnow()
            conn.execute(
                update(interviews).where(interviews.c.id == meta.id).values(status=target, updated_at=now)
            )
            self._insert_note(conn, meta.id, current.status, target, by, note, now)
            return self.meta(meta.id, conn=conn)

        return self.db.write(work)

    @staticmethod
    def _check_transition(current: str, target: str) -> None:
        allowed = STATUS_FLOW.get(current, ())
        if target not in allowed:
            raise StoreError(
                ErrorCode.STATUS_TRANSITION,
                Location(field="status"),
                current=current,
                target=target,
                allowed=", ".join(allowed) if allowed else "none (final)",
            )

    def _note(self, interview_id: str, before: str, after: str, by: str | None, note: str) -> None:
        def work(conn: Connection) -> None:
            self._insert_note(conn, interview_id, before, after, by, note, utcnow())

        self.db.write(work)

    @staticmethod
    def _insert_note(
        conn: Connection,
        interview_id: str,
        before: str,
        after: str,
        by: str | None,
        note: str,
        now: dt.datetime,
    ) -> None:
        conn.execute(
            insert(review_notes).values(
                interview_id=interview_id,
                from_status=before,
                to_status=after,
                note=note or "",
                author_id=by,
                at=now,
            )
        )
        audit.record(
            conn,
            actor=by,
            action="status",
            entity="interview",
            entity_id=interview_id,
            details={"from": before, "to": after, "note": note or ""},
            at=now,
        )
