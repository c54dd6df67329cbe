"""Auto-informing: notification campaigns, their recipients and every call attempt.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_campaigns",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notify_campaigns")),
    )
    op.create_table(
        "notify_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.Double(), nullable=False),
        sa.Column("last_result", sa.String(length=16), nullable=True),
        sa.Column("email_status", sa.String(length=16), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_next_at", sa.Double(), nullable=False),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.Column("emailed_at", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign"],
            ["notify_campaigns.name"],
            name=op.f("fk_notify_recipients_campaign_notify_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_recipients")),
        sa.UniqueConstraint(
            "campaign", "position", name=op.f("uq_notify_recipients_campaign_position")
        ),
    )
    op.create_index(
        op.f("ix_notify_recipients_campaign_state"),
        "notify_recipients",
        ["campaign", "state"],
        unique=False,
    )
    op.create_table(
        "notify_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.String(length=100), nullable=True),
        sa.Column("uniqueid", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["notify_recipients.id"],
            name=op.f("fk_notify_attempts_recipient_id_notify_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_attempts")),
        sa.UniqueConstraint(
            "recipient_id", "attempt", name=op.f("uq_notify_attempts_recipient_id_attempt")
        ),
    )
    op.create_index(
        op.f("ix_notify_attempts_started_at"), "notify_attempts", ["started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notify_attempts_started_at"), table_name="notify_attempts")
    op.drop_table("notify_attempts")
    op.drop_index(op.f("ix_notify_recipients_campaign_state"), table_name="notify_recipients")
    op.drop_table("notify_recipients")
    op.drop_table("notify_campaigns")
