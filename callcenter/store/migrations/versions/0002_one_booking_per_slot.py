"""One booking per reception slot: unique (agency, slot_start) on appointments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a constraint to an existing table in place.
    with op.batch_alter_table("appointments") as batch:
        batch.create_unique_constraint(
            op.f("uq_appointments_agency_slot_start"), ["agency", "slot_start"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint(op.f("uq_appointments_agency_slot_start"), type_="unique")
