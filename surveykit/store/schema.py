"""The tables of the response store (SQLAlchemy Core), the one description the migrations are checked against.

Identifiers chosen by people (institutions, persons, cohorts, certificate serials, questionnaire ids) are
text; interviews are UUIDs made when the interview starts (native ``uuid`` on PostgreSQL, 32 hex characters
on SQLite); everything else has an integer key. Timestamps are stored as UTC without a zone and come back
as aware UTC datetimes (:class:`UTCDateTime`), identically on both backends.

The audit log is append-only: the initial migration adds triggers (SQLite and PostgreSQL) that make any
UPDATE or DELETE of ``audit_log`` fail; :mod:`surveykit.store.engine` maps that failure to SK509.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ANSWER_KINDS",
    "EVENT_TYPES",
    "INTERVIEW_STATUSES",
    "MODES",
    "BACKCHECK_OUTCOMES",
    "BACKCHECK_REASONS",
    "BACKCHECK_STATUSES",
    "CASE_LEVELS",
    "CASE_STATUSES",
    "CONTACT_MODES",
    "ROLES",
    "UTCDateTime",
    "metadata",
    "utcnow",
]

#: how an interview was conducted
MODES = ("face_to_face", "telephone", "self_completed", "observation")
#: the life of an interview
INTERVIEW_STATUSES = ("draft", "submitted", "approved", "rejected")
#: roles a person can have (what each may do: surveykit.access)
ROLES = ("interviewer", "trainee", "trainer", "supervisor", "sociologist", "administrator", "council")
#: what the interview app records as paradata
EVENT_TYPES = (
    "page_enter",
    "page_leave",
    "answer_set",
    "answer_changed",
    "answer_cleared",
    "language_switch",
    "resume",
    "submit",
    "validation_error",
)
CERTIFICATE_STATUSES = ("valid", "suspended", "revoked")
REVIEW_STATUSES = ("pending", "approved", "rejected")
#: a quality-control case: open until a person decides; "backcheck" while a back-check is pending
CASE_STATUSES = ("open", "backcheck", "closed")
#: the level a quality-control flag is about
CASE_LEVELS = ("interview", "interviewer", "institution")
#: why an interview was sent to back-check (methodology D.3)
BACKCHECK_REASONS = ("random", "flagged", "new_interviewer", "falsification", "supervisor")
BACKCHECK_STATUSES = ("queued", "done", "cancelled")
#: back-check outcome coding (methodology D.3)
BACKCHECK_OUTCOMES = (
    "confirmed_ok",
    "minor_deviation",
    "protocol_breach",
    "partial_falsification",
    "full_falsification",
    "unreachable",
)
#: the typed value columns of ``answers``
ANSWER_KINDS = ("num", "text", "date", "choices")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC; read back as aware UTC. Naive input is taken as UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _person_fk(column: str = "person_id", *, nullable: bool = False) -> sa.Column:
    """A reference to a person. Columns that only say *who did something* (like the audit log's actor) are
    plain text instead: a change may be made by the system, the demo or an importer."""
    return sa.Column(column, sa.String(64), sa.ForeignKey("people.id"), nullable=nullable)


# --- questionnaires, institutions, people, fieldwork -------------------------------------------------------
questionnaire_versions = sa.Table(
    "questionnaire_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("questionnaire_id", sa.String(100), nullable=False),
    sa.Column("version", sa.String(50), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("definition", sa.JSON, nullable=False),  # Questionnaire.to_data(), frozen
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.Column("published_by", sa.String(64), nullable=True),
    sa.UniqueConstraint("questionnaire_id", "version"),
)

institutions = sa.Table(
    "institutions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.String(100), nullable=True),
    sa.Column("region", sa.String(200), nullable=True),
    sa.Column("municipality", sa.String(200), nullable=True),
    sa.Column("address", sa.Text, nullable=True),
    sa.Column("website", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # service recipients in the period, from the register (the sample rule's population; migration 0003)
    sa.Column("recipients", sa.Integer, nullable=True),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),  # list of ROLES
    sa.Column("login", sa.String(32), nullable=False, unique=True),
    # "scrypt$n$r$p$salt_hex$hash_hex": never the plain code
    sa.Column("access_code_hash", sa.String(200), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # lock-out after repeated failed sign-ins (surveykit.store.directory)
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime, nullable=True),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the token: the token itself is never stored
    _person_fk(),
    sa.Column("app", sa.String(40), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),  # absolute limit; idle expiry from last_seen_at
    sa.Column("ended_at", UTCDateTime, nullable=True),
    sa.Column("end_reason", sa.String(20), nullable=True),  # signed_out, expired, deactivated, ...
    sa.Index(None, "person_id"),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_fk("interviewer_id"),
    sa.Column("institution_id", sa.String(64), sa.ForeignKey("institutions.id"), nullable=False),
    sa.Column("questionnaire_id", sa.String(100), nullable=False),
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("interviewer_id", "institution_id", "questionnaire_id", "period"),
    sa.CheckConstraint("target >= 0", name="target"),
)

# --- the campaign: sample targets, cases and contact attempts (surveykit.fieldwork, migration 0003) ------------
#: how a contact attempt was made (AAPOR's telephone table for telephone, the in-person table otherwise)
CONTACT_MODES = ("face_to_face", "telephone", "self_completed")

sample_targets = sa.Table(
    "sample_targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("questionnaire_id", sa.String(100), nullable=False),
    sa.Column("institution_id", sa.String(64), sa.ForeignKey("institutions.id"), nullable=False),
    sa.Column("recipients", sa.Integer, nullable=True),  # the register's count when the plan was made
    sa.Column("rule_target", sa.Integer, nullable=False),  # the profile's sample rule
    sa.Column("override", sa.Integer, nullable=True),  # a person's target instead of the rule's
    sa.Column("target", sa.Integer, nullable=False),  # what counts: the override, else the rule's
    sa.Column("profile_id", sa.String(100), nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.UniqueConstraint("period", "questionnaire_id", "institution_id"),
    sa.CheckConstraint("target >= 0", name="target"),
)

fieldwork_cases = sa.Table(
    "fieldwork_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),  # the case id people write (paper logs), per period
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("institution_id", sa.String(64), sa.ForeignKey("institutions.id"), nullable=False),
    sa.Column("questionnaire_id", sa.String(100), nullable=True),
    _person_fk("interviewer_id", nullable=True),
    sa.Column("assignment_id", sa.Integer, sa.ForeignKey("assignments.id"), nullable=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),  # app, import, demo
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=True),
    sa.UniqueConstraint("period", "code"),
    sa.Index(None, "institution_id"),
    sa.Index(None, "interviewer_id"),
    sa.Index(None, "interview_id"),
)

contact_attempts = sa.Table(
    "contact_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("fieldwork_cases.id"), nullable=False),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    _person_fk("interviewer_id"),
    # an AAPOR disposition code (surveykit.fieldwork.dispositions)
    sa.Column("disposition", sa.String(8), nullable=False),
    sa.Column("appointment_at", UTCDateTime, nullable=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),  # app, submit, import, demo
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=True),
    sa.CheckConstraint(_in("mode", CONTACT_MODES), name="mode"),
    sa.Index(None, "case_id"),
)

# --- interviews, answers, paradata ---------------------------------------------------------------------------
interviews = sa.Table(
    "interviews",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column(
        "questionnaire_version_id", sa.Integer, sa.ForeignKey("questionnaire_versions.id"), nullable=False
    ),
    sa.Column("questionnaire_id", sa.String(100), nullable=False),  # copy of the version's id, for filtering
    sa.Column("institution_id", sa.String(64), sa.ForeignKey("institutions.id"), nullable=False),
    _person_fk("interviewer_id"),
    sa.Column("assignment_id", sa.Integer, sa.ForeignKey("assignments.id"), nullable=True),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("submitted_at", UTCDateTime, nullable=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("proxy", sa.Boolean, nullable=False),
    sa.Column("practice", sa.Boolean, nullable=False),
    sa.Column("period", sa.String(32), nullable=True),
    sa.Column("current_page", sa.String(100), nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=True),  # of the submitted answers
    sa.Column("source", sa.String(16), nullable=False),  # "app" or "import"
    sa.CheckConstraint(_in("mode", MODES), name="mode"),
    sa.CheckConstraint(_in("status", INTERVIEW_STATUSES), name="status"),
    sa.Index(None, "questionnaire_id", "status", "practice"),
    sa.Index(None, "interviewer_id", "status"),
    sa.Index(None, "assignment_id"),
)

#: the columns of an answer row, in the order the codec, the bulk writers and COPY use
ROW_COLUMNS = ("interview_id", "path", "variable", "num", "text", "date", "choices")

answers = sa.Table(
    "answers",
    metadata,
    sa.Column(
        "interview_id",
        sa.Uuid(as_uuid=False),
        sa.ForeignKey("interviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # '' for the main table, 'relatives[2]' for a repeat instance, 'a[1]/b[3]' nested
    sa.Column("path", sa.String(200), primary_key=True),
    # the variable code; '' marks that a repeat instance exists (so an empty instance is not lost)
    sa.Column("variable", sa.String(64), primary_key=True),
    sa.Column("num", sa.Float(53), nullable=True),  # integer and decimal
    sa.Column("text", sa.Text, nullable=True),  # text and single choice (the choice name)
    sa.Column("date", sa.Date, nullable=True),
    # multiple choice: the list of choice names, in choice-list order
    sa.Column("choices", sa.JSON(none_as_null=True), nullable=True),
    sqlite_with_rowid=False,  # SQLite: rows kept in primary-key order, one B-tree instead of two (half the size)
)

#: files answering image/audio/video/file questions, kept with their interview (deleted with it, backed up
#: with it); ``name`` is ``<sha256>.<ext>``, the value the answer holds
answer_files = sa.Table(
    "answer_files",
    metadata,
    sa.Column(
        "interview_id",
        sa.Uuid(as_uuid=False),
        sa.ForeignKey("interviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("original_name", sa.String(200), nullable=True),  # as uploaded (shown to the interviewer)
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("stored_at", UTCDateTime, nullable=False),
)

paradata = sa.Table(
    "paradata",
    metadata,
    sa.Column(
        "interview_id",
        sa.Uuid(as_uuid=False),
        sa.ForeignKey("interviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("event", sa.String(24), nullable=False),
    sa.Column("question", sa.String(100), nullable=True),
    sa.Column("old_value", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("new_value", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("elapsed_ms", sa.Integer, nullable=True),
    sa.Column("page", sa.String(100), nullable=True),  # the page the interviewer was on
    sa.Column("detail", sa.String(200), nullable=True),  # e.g. "default", "not relevant", "instance added"
    sa.CheckConstraint(_in("event", EVENT_TYPES), name="event"),
    sqlite_with_rowid=False,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=True),  # a person id; NULL for the system (import, migration)
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.String(100), nullable=False),
    sa.Column("details", sa.JSON(none_as_null=True), nullable=True),
    sa.Index(None, "entity", "entity_id"),
)

# --- training and certification ------------------------------------------------------------------------
attendance = sa.Table(
    "attendance",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_fk(),
    sa.Column("module_id", sa.String(64), nullable=False),
    sa.Column("hours", sa.Float, nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=True),  # who (a person id, or a name such as "demo")
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Index(None, "person_id"),
)

exam_attempts = sa.Table(
    "exam_attempts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    _person_fk(),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("deadline", UTCDateTime, nullable=True),
    sa.Column("submitted_at", UTCDateTime, nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("passed", sa.Boolean, nullable=True),
    sa.UniqueConstraint("person_id", "attempt"),
)

mock_interviews = sa.Table(
    "mock_interviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_fk(),
    _person_fk("trainer_id", nullable=True),
    sa.Column("item_scores", sa.JSON, nullable=False),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index(None, "person_id"),
)

calibration_results = sa.Table(
    "calibration_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_fk(),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("agreement", sa.Float, nullable=False),
    sa.Column("kappa", sa.Float, nullable=True),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index(None, "person_id"),
)

cohorts = sa.Table(
    "cohorts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=True),
    sa.Column("ends_on", sa.Date, nullable=True),
    _person_fk("trainer_id", nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

cohort_members = sa.Table(
    "cohort_members",
    metadata,
    sa.Column("cohort_id", sa.String(64), sa.ForeignKey("cohorts.id"), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), primary_key=True),
    sa.Column("joined_at", UTCDateTime, nullable=False),
)

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("serial", sa.String(32), primary_key=True),
    _person_fk(nullable=True),  # None: a diploma for someone who is not a person of the store
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("valid_until", UTCDateTime, nullable=True),
    sa.Column("record", sa.JSON, nullable=False),  # the signed record, as issued
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=True),
    sa.Column("status_changed_at", UTCDateTime, nullable=True),
    sa.Column(
        "status_changed_by", sa.String(64), nullable=True
    ),  # who (a person id, or a name such as "demo")
    sa.CheckConstraint(_in("status", CERTIFICATE_STATUSES), name="status"),
    sa.Index(None, "person_id"),
)

# --- council and supervisor reviews --------------------------------------------------------------------------
open_answer_reviews = sa.Table(
    "open_answer_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=False),
    sa.Column("question", sa.String(100), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("published_text", sa.Text, nullable=True),  # possibly redacted
    sa.Column("reviewer_id", sa.String(64), nullable=True),  # who (a person id, or a name such as "demo")
    sa.Column("at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("interview_id", "question"),
    sa.CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),
)

review_notes = sa.Table(
    "review_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=False),
    sa.Column("from_status", sa.String(12), nullable=False),
    sa.Column("to_status", sa.String(12), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("author_id", sa.String(64), nullable=True),  # who (a person id, or a name such as "demo")
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index(None, "interview_id"),
)

# --- quality control: cases, back-checks, exclusions (methodology part D) ---------------------------------------

qc_cases = sa.Table(
    "qc_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # one case per rule and subject: running the checks again never duplicates a case
    sa.Column("key", sa.String(250), nullable=False, unique=True),
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("level", sa.String(12), nullable=False),
    sa.Column("questionnaire_id", sa.String(100), nullable=False),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=True),
    sa.Column("interviewer_id", sa.String(64), nullable=True),
    sa.Column("institution_id", sa.String(64), nullable=True),
    sa.Column("value", sa.Float(53), nullable=True),
    sa.Column("threshold", sa.Float(53), nullable=True),
    sa.Column("detail", sa.Text, nullable=True),  # in English (logs, CLI); the UI renders message + params
    sa.Column("message", sa.String(80), nullable=True),  # the key of the words (surveykit.quality.messages)
    sa.Column("detail_params", sa.JSON(none_as_null=True), nullable=True),  # their plain JSON parameters
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("resolution", sa.String(40), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Column("closed_by", sa.String(64), nullable=True),  # who (a person id, or a name such as "demo")
    sa.CheckConstraint(_in("status", CASE_STATUSES), name="status"),
    sa.CheckConstraint(_in("level", CASE_LEVELS), name="level"),
    sa.Index(None, "status"),
    sa.Index(None, "interviewer_id"),
)

backchecks = sa.Table(
    "backchecks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("qc_cases.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("method", sa.String(20), nullable=True),  # telephone, visit
    sa.Column("outcome", sa.String(24), nullable=True),
    sa.Column("form", sa.JSON(none_as_null=True), nullable=True),  # the back-check form's answers
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("checker_id", sa.String(64), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("done_at", UTCDateTime, nullable=True),
    sa.CheckConstraint(_in("reason", BACKCHECK_REASONS), name="reason"),
    sa.CheckConstraint(_in("status", BACKCHECK_STATUSES), name="status"),
    sa.CheckConstraint(f"outcome IS NULL OR {_in('outcome', BACKCHECK_OUTCOMES)}", name="outcome"),
    sa.Index(None, "interview_id"),
    sa.Index(None, "status"),
)

exclusions = sa.Table(
    "exclusions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("interview_id", sa.Uuid(as_uuid=False), sa.ForeignKey("interviews.id"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("backcheck_id", sa.Integer, sa.ForeignKey("backchecks.id"), nullable=True),
    sa.Column("excluded_by", sa.String(64), nullable=True),
    sa.Column("excluded_at", UTCDateTime, nullable=False),
    # reversible: lifting keeps the row, with who, when and why
    sa.Column("lifted_at", UTCDateTime, nullable=True),
    sa.Column("lifted_by", sa.String(64), nullable=True),
    sa.Column("lift_reason", sa.Text, nullable=True),
    sa.Index(None, "interview_id"),
)


def utcnow() -> dt.datetime:
    """The current time, aware UTC (the store never writes local times)."""
    return dt.datetime.now(dt.UTC)
