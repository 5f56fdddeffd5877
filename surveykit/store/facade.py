"""The :class:`Store` facade: the one object apps, notebooks and the CLI use to reach the response store."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveykit.access import role_names  # noqa: F401 - its home is surveykit.access; kept importable here
from surveykit.config import settings
from surveykit.errors import ErrorCode
from surveykit.store.casework import Casework
from surveykit.store.catalog import Catalog, parse_key
from surveykit.store.directory import Directory
from surveykit.store.engine import Database
from surveykit.store.fieldwork import Fieldwork
from surveykit.store.files import AnswerFiles, StoredFile
from surveykit.store.interviews import Interviews
from surveykit.store.records import (
    Assignment,
    Event,
    Institution,
    InterviewMeta,
    LoadedInterview,
    Person,
    PublishedVersion,
    ReviewNote,
    SubmitResult,
)
from surveykit.store.reviews import Reviews
from surveykit.store.revisions import Revision, check_revision, current
from surveykit.store.sessions import Session, Sessions
from surveykit.store.training import CertificationStatus, Training

if TYPE_CHECKING:  # imported on first use: an app kernel that never imports or backs up does not load them
    import pandas as pd

    from surveykit.questionnaire.compiled import Form
    from surveykit.questionnaire.model import Questionnaire
    from surveykit.store.backup import BackupSummary
    from surveykit.store.importer import ImportResult

__all__ = ["Store"]


@functools.cache
def _gate_of(rules_folder: str) -> dict[str, tuple[str, ...]] | None:
    from surveykit.errors import TrainingError
    from surveykit.training.loader import load_rules

    try:
        return {mode: tuple(roles) for mode, roles in load_rules(Path(rules_folder)).gate.items()}
    except TrainingError as err:
        if (
            err.code is ErrorCode.FILE_NOT_FOUND
        ):  # no training rules in this deployment: any valid certificate
            return None
        raise


def default_gate() -> dict[str, tuple[str, ...]] | None:
    """The certification gate of the training rules (``questionnaires/training/rules.yaml``, ``gate:``)."""
    from surveykit.config import settings

    return _gate_of(str(settings().questionnaires_dir / "training"))


class Store:
    """The response store: questionnaire versions, people and institutions, fieldwork, interviews, reading
    for analysis, import and export. Open it with :meth:`open`; close it with :meth:`close` (or ``with``).

    ``enforce_certification=False`` lets the demo and imports of historical data bypass the certification
    gate explicitly; the audit log records for every submission whether the gate was applied.
    Training records are under :attr:`training`, open-answer reviews under :attr:`reviews`.
    """

    def __init__(
        self,
        db: Database,
        *,
        enforce_certification: bool = True,
        gate: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.db = db
        self.enforce_certification = enforce_certification
        self.catalog = Catalog(db)
        self.directory = Directory(db)
        #: interview mode -> certified roles that may record real data (``gate`` of the training rules)
        self.gate = gate if gate is not None else (default_gate() if enforce_certification else None)
        self.interviews = Interviews(
            db, self.catalog, enforce_certification=enforce_certification, gate=self.gate
        )
        #: attendance, exam attempts, mock interviews, calibration, cohorts, certificates
        self.training = Training(db)
        #: open-answer reviews for council publications
        self.reviews = Reviews(db)
        #: quality-control cases, back-checks and exclusions from ratings (rules: surveykit.casework)
        self.casework = Casework(db)
        #: signed-in sessions of the apps (idle timeout and absolute lifetime from the settings)
        self.sessions = Sessions(db, self.directory)
        #: photos, recordings and documents answering file questions (limit: the max_upload_mb setting)
        self.files = AnswerFiles(db, self.interviews, settings().max_upload_mb * 1_048_576)
        #: the register, sample targets, cases and contact attempts (rules: surveykit.fieldwork)
        self.fieldwork = Fieldwork(db, self.catalog, self.interviews)

    # --- opening ----------------------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        enforce_certification: bool = True,
        gate: Mapping[str, Sequence[str]] | None = None,
        busy_timeout_ms: int | None = None,
        pool_size: int = 5,
    ) -> Store:
        """Open the store at ``url`` (default: the ``database_url`` setting, ``SURVEYKIT_DATABASE_URL``).
        A database that is not at the current schema revision is refused (SK502: run ``surveykit db upgrade``)."""
        db = cls._database(url, busy_timeout_ms, pool_size)
        try:
            check_revision(db)
        except BaseException:
            db.dispose()
            raise
        return cls(db, enforce_certification=enforce_certification, gate=gate)

    @classmethod
    def upgrade(cls, url: str | None = None) -> tuple[str | None, str]:
        """Create or upgrade the database to the current schema; returns ``(before, after)`` revisions."""
        from surveykit.store.migrate import upgrade  # the migration runner (Alembic), only when upgrading

        db = cls._database(url, None, 1)
        try:
            return upgrade(db)
        finally:
            db.dispose()

    @classmethod
    def revision(cls, url: str | None = None) -> Revision:
        """The schema revision of a database and the one this surveykit needs."""
        db = cls._database(url, None, 1)
        try:
            return current(db)
        finally:
            db.dispose()

    @staticmethod
    def _database(url: str | None, busy_timeout_ms: int | None, pool_size: int) -> Database:
        from surveykit.config import settings

        return Database(url or settings().database_url, busy_timeout_ms=busy_timeout_ms, pool_size=pool_size)

    def backup(self, path: str | Path) -> BackupSummary:
        """Write the whole database to a portable archive (zip: manifest + one JSONL per table, checksummed);
        see ``surveykit.store.backup``."""
        from surveykit.store import backup as _backup

        return _backup.backup(self.db, path)

    @classmethod
    def restore(
        cls, path: str | Path, url: str | None = None, *, trust_foreign: bool = False
    ) -> BackupSummary:
        """Restore an archive of :meth:`backup` into the empty database at ``url`` (default: the setting), in
        one transaction; a damaged archive (SK524/SK525), one this installation did not sign (SK541, unless
        ``trust_foreign``, which is audited), a value of the wrong type (SK542), a non-empty target (SK526)
        or another schema revision (SK527) is refused and the target left unchanged."""
        from surveykit.store import backup as _backup

        db = cls._database(url, None, 1)
        try:
            return _backup.restore(path, db, trust_foreign=trust_foreign)
        finally:
            db.dispose()

    def close(self) -> None:
        """Close the connections (the store cannot be used afterwards)."""
        self.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL, without the password."""
        return self.db.url.render_as_string(hide_password=True)

    # --- questionnaires --------------------------------------------------------------------------------------
    def publish(self, questionnaire: Questionnaire, *, by: str | None = None) -> PublishedVersion:
        """Publish a questionnaire version (frozen). Same content again: no change; different: SK504."""
        return self.catalog.publish(questionnaire, by=by)

    def version(self, questionnaire: str, version: str | None = None) -> PublishedVersion:
        """A published version (``questionnaire`` may be ``"id@version"``); the latest when no version."""
        qid, ver = parse_key(questionnaire)
        return self.catalog.version(qid, version or ver)

    def versions(self, questionnaire_id: str | None = None) -> list[PublishedVersion]:
        """Published versions (of one questionnaire or all), oldest first."""
        return self.catalog.versions(questionnaire_id)

    def questionnaire(self, questionnaire: str, version: str | None = None) -> Questionnaire:
        """The questionnaire exactly as published."""
        return self.catalog.questionnaire(self.version(questionnaire, version).id)

    def form(self, questionnaire: str, version: str | None = None) -> Form:
        """The compiled form of a published version (what validation and the app use)."""
        return self.catalog.form(self.version(questionnaire, version).id)

    # --- institutions, people, assignments ---------------------------------------------------------------------
    def add_institution(
        self,
        institution_id: str,
        name: str,
        *,
        type: str | None = None,
        region: str | None = None,
        municipality: str | None = None,
        address: str | None = None,
        website: str | None = None,
        recipients: int | None = None,
        by: str | None = None,
    ) -> Institution:
        """Add (or update) an institution (``recipients``: service recipients in the period, from the register)."""
        record = Institution(institution_id, name, type, region, municipality, address, website, recipients)
        return self.directory.add_institution(record, by=by)

    def institution(self, institution_id: str) -> Institution:
        """One institution (SK503 if unknown, with a suggestion)."""
        return self.directory.institution(institution_id)

    def institutions(self) -> list[Institution]:
        """Every institution, by id."""
        return self.directory.institutions()

    def add_person(
        self,
        person_id: str,
        display_name: str,
        roles: Sequence[str] = ("interviewer",),
        *,
        login: str | None = None,
        access_code: str | None = None,
        by: str | None = None,
    ) -> Person:
        """Add a person with roles (interviewer, trainee, trainer, supervisor, sociologist)."""
        return self.directory.add_person(
            person_id, display_name, roles, login=login, access_code=access_code, by=by
        )

    def person(self, person_id: str) -> Person:
        """One person (SK503 if unknown, with a suggestion)."""
        return self.directory.person(person_id)

    def people(self, role: str | None = None) -> list[Person]:
        """Every person, or those with ``role``."""
        return self.directory.people(role)

    def set_access_code(self, person_id: str, code: str | None = None, *, by: str | None = None) -> str:
        """Set or reset the access code (a new random one when ``code`` is None); returns the plain code."""
        return self.directory.set_access_code(person_id, code, by=by)

    def check_access_code(self, login: str, code: str) -> Person:
        """The person with this login (or id) and code; AccessDenied SK506 otherwise."""
        return self.directory.check_access_code(login, code)

    def sign_in(self, login: str, code: str, roles: Sequence[str] = ()) -> Person:
        """:meth:`check_access_code`, and with ``roles`` the person must hold one of them (SK512 otherwise):
        the one sign-in rule of every app (lock-out SK520, deactivated SK521). :meth:`start_session` does the
        same and also records a session."""
        return self.directory.authenticate(login, code, roles=roles)

    def start_session(self, login: str, code: str, roles: Sequence[str] = (), *, app: str = "") -> Session:
        """Sign in (the rules of :meth:`sign_in`) and start a session for ``app``; the returned
        :class:`Session` carries the token the app keeps (the database holds only its SHA-256)."""
        return self.sessions.start(login, code, roles, app=app)

    def session(self, token: str) -> Session:
        """The live session of ``token``, or AccessDenied SK522 (signed out, idle too long, past its absolute
        limit, person deactivated: sign in again). Marks the session as used."""
        return self.sessions.session(token)

    def end_session(self, token: str, reason: str = "signed_out") -> None:
        """End a session (sign out); an unknown or ended session is left as it is."""
        self.sessions.end(token, reason)

    def set_roles(self, person_id: str, roles: Sequence[str], *, by: str | None = None) -> Person:
        """Give a person exactly these roles (audited; the last active administrator keeps theirs: SK523)."""
        return self.directory.set_roles(person_id, roles, by=by)

    def deactivate_person(self, person_id: str, *, by: str | None = None) -> Person:
        """Deactivate an account: no more sign-ins, and every open session ends now (audited)."""
        return self.directory.set_active(person_id, False, by=by)

    def reactivate_person(self, person_id: str, *, by: str | None = None) -> Person:
        """Reactivate a deactivated account (audited)."""
        return self.directory.set_active(person_id, True, by=by)

    def unlock_person(self, person_id: str, *, by: str | None = None) -> Person:
        """Lift a lock-out after failed sign-ins now, and reset the failure count (audited)."""
        return self.directory.unlock(person_id, by=by)

    def assign(
        self,
        interviewer_id: str,
        institution_id: str,
        questionnaire_id: str,
        period: str,
        target: int,
        *,
        by: str | None = None,
    ) -> Assignment:
        """Give an interviewer a target number of interviews (or change the target)."""
        return self.directory.assign(interviewer_id, institution_id, questionnaire_id, period, target, by=by)

    def assignments(self, **filters: Any) -> list[Assignment]:
        """Assignments, filtered by ``interviewer_id``, ``period``, ``questionnaire_id``."""
        return self.directory.assignments(**filters)

    def progress(self, **filters: Any) -> pd.DataFrame:
        """Done versus target per assignment (filters: ``period``, ``questionnaire_id``, ``interviewer_id``)."""
        return self.directory.progress(**filters)

    def certification_status(
        self, person_id: str, *, now: dt.datetime | None = None, mode: str | None = None
    ) -> CertificationStatus:
        """Whether the person may do real interviews now (the certification gate), in ``mode`` when given
        (its roles from the gate): ``valid``, ``valid_until``, and ``reason(language)`` saying why not
        (no certificate, suspended, revoked, expired, not covering the mode)."""
        roles = self.gate.get(mode) if mode is not None and self.gate is not None else None
        return self.training.certification_status(person_id, now, roles)

    # --- interviews ---------------------------------------------------------------------------------------------
    def start_interview(
        self,
        questionnaire: str,
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
        """Start an interview (status draft) pinned to the exact questionnaire version (``"id@version"``
        or the latest published). The UUID is made here unless given."""
        qid, ver = parse_key(questionnaire)
        return self.interviews.start(
            qid,
            version=version or ver,
            institution_id=institution_id,
            interviewer_id=interviewer_id,
            mode=mode,
            language=language,
            practice=practice,
            proxy=proxy,
            period=period,
            assignment_id=assignment_id,
            interview_id=interview_id,
            started_at=started_at,
            by=by,
        )

    def save_draft(
        self,
        interview_id: str,
        answers: Mapping[str, Any],
        page: str | None = None,
        events: Iterable[Event | Mapping[str, Any]] = (),
        *,
        by: str | None = None,
    ) -> InterviewMeta:
        """Replace the interview's answers and append paradata, in one transaction (call on every page change)."""
        return self.interviews.save_draft(interview_id, answers, page, events, by=by)

    def record_events(self, interview_id: str, events: Iterable[Event | Mapping[str, Any]]) -> None:
        """Append paradata only."""
        self.interviews.record_events(interview_id, events)

    def drafts(self, interviewer_id: str, *, practice: bool | None = False) -> list[InterviewMeta]:
        """The interviewer's drafts and rejected interviews, to offer resuming (newest first)."""
        return self.interviews.drafts(interviewer_id, practice=practice)

    def load_interview(self, interview_id: str) -> LoadedInterview:
        """Meta, answers as Python values, and the current page."""
        return self.interviews.load(interview_id)

    def interview(self, interview_id: str) -> InterviewMeta:
        """The meta of one interview (who, where, when, how, which version, status)."""
        return self.interviews.meta(interview_id)

    def submit(
        self,
        interview_id: str,
        answers: Mapping[str, Any] | None = None,
        *,
        events: Iterable[Event | Mapping[str, Any]] = (),
        by: str | None = None,
        precheck: Callable[[InterviewMeta], None] | None = None,
    ) -> SubmitResult:
        """Validate and store the final answers (None: the saved draft). Same content again: "duplicate";
        different content after submission: SK505; validation errors: ValidationError; not certified: SK507.
        An interview conducted for a fieldwork case records the case's outcome too: complete or partial by
        the rule of :mod:`surveykit.fieldwork.outcome` (AAPOR 1.1 / 1.2). ``precheck(meta)``: the caller's
        check of the interview on submit's first look (the guarded store's "one's own interview")."""
        result = self.interviews.submit(interview_id, answers, events=events, by=by, precheck=precheck)
        if result.outcome != "duplicate" and result.for_case:
            self.fieldwork.record_submission(interview_id, by=by)
        return result

    # --- files answering image, audio, video and file questions ---------------------------------------------
    def attach_file(
        self, interview_id: str, question: str, content: bytes, original_name: str | None = None
    ) -> StoredFile:
        """Store a photo, recording or document for ``question`` of a draft; the answer is the returned
        file's ``name``. Too large (SK415), wrong kind (SK416), empty (SK418): ValidationError."""
        return self.files.attach(interview_id, question, content, original_name)

    def interview_file(self, interview_id: str, name: str) -> StoredFile:
        """One stored file of an interview, with its content."""
        return self.files.get(interview_id, name)

    def interview_files(self, interview_id: str) -> list[StoredFile]:
        """The files stored with an interview (without their content)."""
        return self.files.list(interview_id)

    def set_status(self, interview_id: str, status: str, *, by: str | None, note: str = "") -> InterviewMeta:
        """A supervisor's decision: ``approved`` or ``rejected`` (with a note); SK508 for a transition that is
        not allowed. ``submitted`` resubmits a rejected interview's stored answers."""
        return self.interviews.set_status(interview_id, status, by=by, note=note)

    def review_notes(self, interview_id: str) -> list[ReviewNote]:
        """The supervisor's status changes of an interview, with their notes, oldest first."""
        return self.interviews.notes(interview_id)

    # --- reading for analysis ------------------------------------------------------------------------------------
    def interviews_frame(
        self,
        questionnaire_id: str,
        *,
        version: str | None = None,
        status: Sequence[str] | None = ("submitted", "approved"),
        period: str | None = None,
        institution_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        practice: bool | None = False,
    ) -> pd.DataFrame:
        """One row per interview: meta columns (interview_id, questionnaire_version, institution_id,
        interviewer_id, mode, language, status, started_at, submitted_at, period, proxy, practice), then one
        column per variable with canonical dtypes. ``practice=False``: real interviews only; ``True``: practice
        only. ``since``/``until`` filter ``started_at``."""
        from surveykit.store import frames as _frames  # numpy, pandas: reading for analysis

        selection = _frames.Selection(
            questionnaire_id, version, status, period, institution_ids, None, since, until, practice
        )
        return _frames.interviews_frame(self.db, self.catalog, selection)

    def repeat_frame(
        self,
        questionnaire_id: str,
        repeat: str,
        *,
        version: str | None = None,
        status: Sequence[str] | None = ("submitted", "approved"),
        period: str | None = None,
        institution_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        practice: bool | None = False,
    ) -> pd.DataFrame:
        """One row per instance of a repeat group, keyed by ``interview_id`` and ``_index`` (and ``_path``)."""
        from surveykit.store import frames as _frames  # numpy, pandas: reading for analysis

        selection = _frames.Selection(
            questionnaire_id, version, status, period, institution_ids, None, since, until, practice
        )
        return _frames.repeat_frame(self.db, self.catalog, selection, repeat)

    def paradata_frame(
        self,
        *,
        questionnaire_id: str | None = None,
        interview_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        practice: bool | None = False,
    ) -> pd.DataFrame:
        """Paradata events, one row each, with the interview's questionnaire, interviewer and mode."""
        from surveykit.store import frames as _frames  # numpy, pandas: reading for analysis

        return _frames.paradata_frame(
            self.db,
            questionnaire_id=questionnaire_id,
            interview_ids=interview_ids,
            since=since,
            until=until,
            practice=practice,
        )

    def audit_frame(self, **filters: Any) -> pd.DataFrame:
        """Audit entries (filters: ``entity``, ``entity_id``, ``actor``, ``action``, ``since``, ``until``)."""
        from surveykit.store import frames as _frames  # numpy, pandas: reading for analysis

        return _frames.audit_frame(self.db, **filters)

    # --- import and export -------------------------------------------------------------------------------------------
    def import_responses(
        self,
        path: str | Path,
        questionnaire: str,
        *,
        format: str | None = None,
        skip_invalid: bool = False,
        defaults: Mapping[str, Any] | None = None,
        column_map: Mapping[str, str] | None = None,
        by: str | None = None,
    ) -> ImportResult:
        """Import interviews from CSV or JSON (see ``docs/store.md``). All or nothing: any problem raises
        DataImportError with a report of every problem by row and column, and nothing is written; with
        ``skip_invalid`` the valid rows are imported and the rejected ones listed in the result."""
        from surveykit.store.importer import import_responses

        return import_responses(
            self,
            path,
            questionnaire,
            format=format,
            skip_invalid=skip_invalid,
            defaults=defaults,
            column_map=column_map,
            by=by,
        )

    def import_frame(
        self,
        frame: pd.DataFrame,
        questionnaire: str,
        *,
        repeats: Mapping[str, pd.DataFrame] | None = None,
        rows: Sequence[int] | None = None,
        source: str = "(data frame)",
        skip_invalid: bool = False,
        defaults: Mapping[str, Any] | None = None,
        by: str | None = None,
    ) -> ImportResult:
        """Import interviews held in frames (meta columns + variables, any dtypes; repeats as frames with
        ``_parent``), with the checks and the all-or-nothing rule of :meth:`import_responses`. ``rows`` and
        ``source`` say where each row came from, for the report."""
        from surveykit.store.importer import import_frame

        return import_frame(
            self,
            frame,
            questionnaire,
            repeats=repeats,
            rows=rows,
            source=source,
            skip_invalid=skip_invalid,
            defaults=defaults,
            by=by,
        )

    def export_responses(
        self,
        questionnaire: str,
        path: str | Path,
        *,
        format: str | None = None,
        status: Sequence[str] | None = ("submitted", "approved"),
        period: str | None = None,
        practice: bool | None = False,
    ) -> int:
        """Write interviews as CSV or JSON in the import format; returns the number written."""
        from surveykit.store.exporter import export_responses

        return export_responses(
            self, questionnaire, path, format=format, status=status, period=period, practice=practice
        )
