"""Dialect-aware INSERT ... ON CONFLICT, the one statement that differs between our two servers.

Both SQLite (3.24+) and PostgreSQL support `ON CONFLICT`; SQLAlchemy exposes it per dialect, so
the repositories ask for the right `insert` for the session's connection. Using the database's
own conflict handling (instead of read-then-write) keeps upserts idempotent even when two engine
nodes replay the same event at the same moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.store.models import CallRow


def insert_for(session: AsyncSession, table: Any) -> Any:
    """`postgresql.insert(table)` or `sqlite.insert(table)`, matching the session's engine.

    Typed `Any` because the two dialect `Insert` classes share no common type declaring
    `on_conflict_do_update`/`on_conflict_do_nothing`.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported dialect {name}")


def rowcount(result: Any) -> int:
    """Rows touched by an INSERT/UPDATE (`Result` is typed without it; the cursor result has it)."""
    return int(result.rowcount)


async def ensure_call(session: AsyncSession, call_id: str, now: float) -> None:
    """Create an empty call row if none exists yet.

    Timelines, surveys, appeals and appointments refer to a call; they may be written before the
    call's first record update (writes are queued), so the reference must never fail.
    """
    stmt = insert_for(session, CallRow).values(id=call_id, updated_at=now)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
