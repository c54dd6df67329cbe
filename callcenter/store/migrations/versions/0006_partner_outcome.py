"""What a partner center reported of a call we overflowed to it: outcome and wait there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("partner_outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("partner_wait_s", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("partner_wait_s")
        batch.drop_column("partner_outcome")
