"""Initial schema: every table of `callcenter.store.models`.

Revision ID: 0001
Revises: -
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)

    op.create_table(
        "callbacks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.Double(), nullable=False),
        sa.Column("deadline", sa.Double(), nullable=False),
        sa.Column("not_before", sa.Double(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("source_call_id", sa.String(length=64), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
        sa.UniqueConstraint("source_call_id", name=op.f("uq_callbacks_source_call_id")),
    )
    op.create_index(op.f("ix_callbacks_number"), "callbacks", ["number"], unique=False)
    op.create_index(
        op.f("ix_callbacks_status_deadline"), "callbacks", ["status", "deadline"], unique=False
    )

    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("arrived_at", sa.Double(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("entered_queue_at", sa.Double(), nullable=True),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("talk_s", sa.Double(), nullable=True),
        sa.Column("operator_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("overflow_partner", sa.String(length=64), nullable=True),
        sa.Column("overflow_direction", sa.String(length=3), nullable=True),
        sa.Column("origin_center", sa.String(length=64), nullable=True),
        sa.Column("hops", sa.Integer(), nullable=True),
        sa.Column("ivr_path", sa.JSON(), nullable=True),
        sa.Column("script_path", sa.JSON(), nullable=True),
        sa.Column("result_code", sa.String(length=64), nullable=True),
        sa.Column("survey_rating", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index(op.f("ix_calls_arrived_at"), "calls", ["arrived_at"], unique=False)
    op.create_index(op.f("ix_calls_caller_number"), "calls", ["caller_number"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_citizens")),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sip_endpoint", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
    )
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("citizen_phone", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("subcategory", sa.String(length=200), nullable=True),
        sa.Column("fact", sa.String(length=200), nullable=True),
        sa.Column("object_code", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("executor_org", sa.String(length=200), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_appeals_call_id_calls"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["citizen_phone"], ["citizens.phone"], name=op.f("fk_appeals_citizen_phone_citizens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index(
        op.f("ix_appeals_citizen_phone_created_at"),
        "appeals",
        ["citizen_phone", "created_at"],
        unique=False,
    )

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("citizen_phone", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("slot_start", sa.Double(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_appointments_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_phone"],
            ["citizens.phone"],
            name=op.f("fk_appointments_citizen_phone_citizens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index(
        op.f("ix_appointments_citizen_phone"), "appointments", ["citizen_phone"], unique=False
    )

    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_events_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
        sa.UniqueConstraint("call_id", "event_key", name=op.f("uq_call_events_call_id_event_key")),
    )
    op.create_index(
        op.f("ix_call_events_call_id_at"), "call_events", ["call_id", "at"], unique=False
    )

    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("callback_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["callbacks.id"],
            name=op.f("fk_callback_attempts_callback_id_callbacks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
        sa.UniqueConstraint(
            "callback_id", "started_at", name=op.f("uq_callback_attempts_callback_id_started_at")
        ),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_surveys_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("call_id", "question", name=op.f("uq_surveys_call_id_question")),
    )


def downgrade() -> None:
    op.drop_table("surveys")
    op.drop_table("callback_attempts")
    op.drop_index(op.f("ix_call_events_call_id_at"), table_name="call_events")

    op.drop_table("call_events")
    op.drop_index(op.f("ix_appointments_citizen_phone"), table_name="appointments")

    op.drop_table("appointments")
    op.drop_index(op.f("ix_appeals_citizen_phone_created_at"), table_name="appeals")

    op.drop_table("appeals")
    op.drop_table("operators")
    op.drop_table("citizens")
    op.drop_index(op.f("ix_calls_caller_number"), table_name="calls")
    op.drop_index(op.f("ix_calls_arrived_at"), table_name="calls")

    op.drop_table("calls")
    op.drop_index(op.f("ix_callbacks_status_deadline"), table_name="callbacks")
    op.drop_index(op.f("ix_callbacks_number"), table_name="callbacks")

    op.drop_table("callbacks")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")

    op.drop_table("audit_log")
