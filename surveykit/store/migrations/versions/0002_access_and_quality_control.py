"""Access and quality control: sign-in sessions and lock-out (roles, issue 9); quality-control cases,
back-checks and reversible exclusions (methodology part D, issue 8).

An upgrade from 0001 keeps every row: people get a zero failure count and no lock; the new tables are empty.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_sessions_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_person_id"), "sessions", ["person_id"], unique=False)

    op.create_table(
        "qc_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=True),
        sa.Column("interviewer_id", sa.String(length=64), nullable=True),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Float(precision=53), nullable=True),
        sa.Column("threshold", sa.Float(precision=53), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("message", sa.String(length=80), nullable=True),
        sa.Column("detail_params", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("status IN ('open', 'backcheck', 'closed')", name=op.f("ck_qc_cases_status")),
        sa.CheckConstraint(
            "level IN ('interview', 'interviewer', 'institution')", name=op.f("ck_qc_cases_level")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_qc_cases_interview_id_interviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_cases")),
        sa.UniqueConstraint("key", name=op.f("uq_qc_cases_key")),
    )
    op.create_index(op.f("ix_qc_cases_status"), "qc_cases", ["status"], unique=False)
    op.create_index(op.f("ix_qc_cases_interviewer_id"), "qc_cases", ["interviewer_id"], unique=False)

    op.create_table(
        "backchecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("form", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("checker_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('random', 'flagged', 'new_interviewer', 'falsification', 'supervisor')",
            name=op.f("ck_backchecks_reason"),
        ),
        sa.CheckConstraint("status IN ('queued', 'done', 'cancelled')", name=op.f("ck_backchecks_status")),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('confirmed_ok', 'minor_deviation', 'protocol_breach', "
            "'partial_falsification', 'full_falsification', 'unreachable')",
            name=op.f("ck_backchecks_outcome"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["qc_cases.id"], name=op.f("fk_backchecks_case_id_qc_cases")),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_backchecks_interview_id_interviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backchecks")),
    )
    op.create_index(op.f("ix_backchecks_interview_id"), "backchecks", ["interview_id"], unique=False)
    op.create_index(op.f("ix_backchecks_status"), "backchecks", ["status"], unique=False)

    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("backcheck_id", sa.Integer(), nullable=True),
        sa.Column("excluded_by", sa.String(length=64), nullable=True),
        sa.Column("excluded_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["backcheck_id"], ["backchecks.id"], name=op.f("fk_exclusions_backcheck_id_backchecks")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_exclusions_interview_id_interviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusions")),
    )
    op.create_index(op.f("ix_exclusions_interview_id"), "exclusions", ["interview_id"], unique=False)


def downgrade() -> None:
    op.drop_table("exclusions")
    op.drop_table("backchecks")
    op.drop_table("qc_cases")
    op.drop_table("sessions")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
