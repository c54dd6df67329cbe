"""Workplace records: transfers, callbacks, appointments, outdated-information reports and
wrap-ups made by operators, for the caller's history and the operator's own calls.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workplace_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("citizen_phone", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplace_records")),
    )
    op.create_index(
        op.f("ix_workplace_records_citizen_phone_at"),
        "workplace_records",
        ["citizen_phone", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workplace_records_operator_id_kind_at"),
        "workplace_records",
        ["operator_id", "kind", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workplace_records_operator_id_kind_at"), table_name="workplace_records")
    op.drop_index(op.f("ix_workplace_records_citizen_phone_at"), table_name="workplace_records")
    op.drop_table("workplace_records")
