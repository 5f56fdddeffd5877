"""Fieldwork management (issue 15): the recipients of an institution from the register, the campaign's sample
targets, cases and contact attempts with AAPOR disposition codes.

An upgrade from 0002 keeps every row: institutions get no recipient count (NULL: unknown) and the new tables
are empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("institutions") as batch:
        batch.add_column(sa.Column("recipients", sa.Integer(), nullable=True))

    op.create_table(
        "sample_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("rule_target", sa.Integer(), nullable=False),
        sa.Column("override", sa.Integer(), nullable=True),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("target >= 0", name=op.f("ck_sample_targets_target")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_sample_targets_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_targets")),
        sa.UniqueConstraint(
            "period",
            "questionnaire_id",
            "institution_id",
            name=op.f("uq_sample_targets_period_questionnaire_id_institution_id"),
        ),
    )

    op.create_table(
        "fieldwork_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=100), nullable=True),
        sa.Column("interviewer_id", sa.String(length=64), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_fieldwork_cases_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_fieldwork_cases_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_fieldwork_cases_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["people.id"], name=op.f("fk_fieldwork_cases_interviewer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fieldwork_cases")),
        sa.UniqueConstraint("period", "code", name=op.f("uq_fieldwork_cases_period_code")),
    )
    op.create_index(
        op.f("ix_fieldwork_cases_institution_id"), "fieldwork_cases", ["institution_id"], unique=False
    )
    op.create_index(
        op.f("ix_fieldwork_cases_interviewer_id"), "fieldwork_cases", ["interviewer_id"], unique=False
    )
    op.create_index(
        op.f("ix_fieldwork_cases_interview_id"), "fieldwork_cases", ["interview_id"], unique=False
    )

    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("interviewer_id", sa.String(length=64), nullable=False),
        sa.Column("disposition", sa.String(length=8), nullable=False),
        sa.Column("appointment_at", sa.DateTime(), nullable=True),
        sa.Column("interview_id", sa.Uuid(as_uuid=False), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "mode IN ('face_to_face', 'telephone', 'self_completed')", name=op.f("ck_contact_attempts_mode")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["fieldwork_cases.id"], name=op.f("fk_contact_attempts_case_id_fieldwork_cases")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_contact_attempts_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["people.id"], name=op.f("fk_contact_attempts_interviewer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    op.create_index(op.f("ix_contact_attempts_case_id"), "contact_attempts", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contact_attempts_case_id"), table_name="contact_attempts")
    op.drop_table("contact_attempts")
    op.drop_index(op.f("ix_fieldwork_cases_interview_id"), table_name="fieldwork_cases")
    op.drop_index(op.f("ix_fieldwork_cases_interviewer_id"), table_name="fieldwork_cases")
    op.drop_index(op.f("ix_fieldwork_cases_institution_id"), table_name="fieldwork_cases")
    op.drop_table("fieldwork_cases")
    op.drop_table("sample_targets")
    with op.batch_alter_table("institutions") as batch:
        batch.drop_column("recipients")
