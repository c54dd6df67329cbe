"""Call scripts saved by administrators (the YAML text as typed, newest wins)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import EditedScriptRow
from callcenter.store.sql import insert_for


@dataclass(frozen=True)
class EditedScript:
    id: str
    body: str
    updated_at: float
    updated_by: str


class ScriptRepository:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], float]
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def save(self, script_id: str, body: str, by: str) -> EditedScript:
        saved = EditedScript(script_id, body, self._clock(), by)
        async with self._sessions.begin() as session:
            stmt = insert_for(session, EditedScriptRow).values(
                id=script_id, body=body, updated_at=saved.updated_at, updated_by=by
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["id"],
                    set_={"body": body, "updated_at": saved.updated_at, "updated_by": by},
                )
            )
        return saved

    async def all(self) -> list[EditedScript]:
        async with self._sessions() as session:
            rows = await session.scalars(select(EditedScriptRow).order_by(EditedScriptRow.id))
            return [EditedScript(r.id, r.body, r.updated_at, r.updated_by) for r in rows]
