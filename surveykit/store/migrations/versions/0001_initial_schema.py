"""Initial schema: every table of the response store, and the triggers that keep the audit log append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


#: the message every refused change of the audit log carries (surveykit.store.engine maps it to SK509)
APPEND_ONLY = "SK509: the audit log is append-only"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for action in ("UPDATE", "DELETE")
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def _append_only_audit_log() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_entity_entity_id"), "audit_log", ["entity", "entity_id"], unique=False)

    op.create_table(
        "institutions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("municipality", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("access_code_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("login", name=op.f("uq_people_login")),
    )
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint(
            "questionnaire_id", "version", name=op.f("uq_questionnaire_versions_questionnaire_id_version")
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("target >= 0", name=op.f("ck_assignments_target")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_assignments_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["people.id"], name=op.f("fk_assignments_interviewer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "interviewer_id",
            "institution_id",
            "questionnaire_id",
            "period",
            name=op.f("uq_assignments_interviewer_id_institution_id_questionnaire_id_period"),
        ),
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_attendance_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    op.create_index(op.f("ix_attendance_person_id"), "attendance", ["person_id"], unique=False)

    op.create_table(
        "calibration_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("agreement", sa.Float(), nullable=False),
        sa.Column("kappa", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_calibration_results_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_results")),
    )
    op.create_index(
        op.f("ix_calibration_results_person_id"), "calibration_results", ["person_id"], unique=False
    )

    op.create_table(
        "certificates",
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("status_changed_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('valid', 'suspended', 'revoked')", name=op.f("ck_certificates_status")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_certificates_person_id_people")),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_certificates")),
    )
    op.create_index(op.f("ix_certificates_person_id"), "certificates", ["person_id"], unique=False)

    op.create_table(
        "cohorts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("trainer_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trainer_id"], ["people.id"], name=op.f("fk_cohorts_trainer_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
    )
    op.create_table(
        "exam_attempts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_exam_attempts_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_attempts")),
        sa.UniqueConstraint("person_id", "attempt", name=op.f("uq_exam_attempts_person_id_attempt")),
    )
    op.create_table(
        "mock_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("trainer_id", sa.String(length=64), nullable=True),
        sa.Column("item_scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_mock_interviews_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"], ["people.id"], name=op.f("fk_mock_interviews_trainer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_interviews")),
    )
    op.create_index(op.f("ix_mock_interviews_person_id"), "mock_interviews", ["person_id"], unique=False)

    op.create_table(
        "cohort_members",
        sa.Column("cohort_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_members_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cohort_members_person_id_people")
        ),
        sa.PrimaryKeyConstraint("cohort_id", "person_id", name=op.f("pk_cohort_members")),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("interviewer_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("proxy", sa.Boolean(), nullable=False),
        sa.Column("practice", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=True),
        sa.Column("current_page", sa.String(length=100), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "mode IN ('face_to_face', 'telephone', 'self_completed', 'observation')",
            name=op.f("ck_interviews_mode"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected')", name=op.f("ck_interviews_status")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_interviews_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_interviews_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["people.id"], name=op.f("fk_interviews_interviewer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_interviews_questionnaire_version_id_questionnaire_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )
    op.create_index(op.f("ix_interviews_assignment_id"), "interviews", ["assignment_id"], unique=False)
    op.create_index(
        op.f("ix_interviews_interviewer_id_status"), "interviews", ["interviewer_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_interviews_questionnaire_id_status_practice"),
        "interviews",
        ["questionnaire_id", "status", "practice"],
        unique=False,
    )

    op.create_table(
        "answers",
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("variable", sa.String(length=64), nullable=False),
        sa.Column("num", sa.Float(precision=53), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_answers_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interview_id", "path", "variable", name=op.f("pk_answers")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "open_answer_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("question", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published_text", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_open_answer_reviews_status")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_open_answer_reviews_interview_id_interviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_answer_reviews")),
        sa.UniqueConstraint(
            "interview_id", "question", name=op.f("uq_open_answer_reviews_interview_id_question")
        ),
    )
    op.create_table(
        "paradata",
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("question", sa.String(length=100), nullable=True),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=True),
        sa.Column("page", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "event IN ('page_enter', 'page_leave', 'answer_set', 'answer_changed', 'answer_cleared', 'language_switch', 'resume', 'submit', 'validation_error')",
            name=op.f("ck_paradata_event"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_paradata_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interview_id", "seq", name=op.f("pk_paradata")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_review_notes_interview_id_interviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notes")),
    )
    op.create_index(op.f("ix_review_notes_interview_id"), "review_notes", ["interview_id"], unique=False)
    _append_only_audit_log()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index(op.f("ix_review_notes_interview_id"), table_name="review_notes")

    op.drop_table("review_notes")
    op.drop_table("paradata")
    op.drop_table("open_answer_reviews")
    op.drop_table("answers")
    op.drop_index(op.f("ix_interviews_questionnaire_id_status_practice"), table_name="interviews")
    op.drop_index(op.f("ix_interviews_interviewer_id_status"), table_name="interviews")
    op.drop_index(op.f("ix_interviews_assignment_id"), table_name="interviews")

    op.drop_table("interviews")
    op.drop_table("cohort_members")
    op.drop_index(op.f("ix_mock_interviews_person_id"), table_name="mock_interviews")

    op.drop_table("mock_interviews")
    op.drop_table("exam_attempts")
    op.drop_table("cohorts")
    op.drop_index(op.f("ix_certificates_person_id"), table_name="certificates")

    op.drop_table("certificates")
    op.drop_index(op.f("ix_calibration_results_person_id"), table_name="calibration_results")

    op.drop_table("calibration_results")
    op.drop_index(op.f("ix_attendance_person_id"), table_name="attendance")

    op.drop_table("attendance")
    op.drop_table("assignments")
    op.drop_table("questionnaire_versions")
    op.drop_table("people")
    op.drop_table("institutions")
    op.drop_index(op.f("ix_audit_log_entity_entity_id"), table_name="audit_log")

    op.drop_table("audit_log")
