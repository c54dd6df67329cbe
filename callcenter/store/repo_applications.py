"""Applications' statuses, as the regional portal reports them: what the IVR looks up by number.

The portal adapter (or its local stand-in, seeded from a file) writes them with `upsert`; a lookup
never reaches the portal itself, so a caller gets an answer even while the portal is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import ApplicationRow
from callcenter.store.records import ApplicationRecord
from callcenter.store.sql import insert_for


class ApplicationRepository:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], float]
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def upsert(self, applications: Iterable[ApplicationRecord]) -> int:
        """Store or update each application (all or nothing); returns how many."""
        items = list(applications)
        for item in items:
            item.validate()
        now = self._clock()
        async with self._sessions.begin() as session:
            for item in items:
                values = {"number": item.number, "status": item.status, "text": item.text}
                stmt = insert_for(session, ApplicationRow).values(**values, updated_at=now)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["number"],
                    set_={**values, "updated_at": now},
                )
                await session.execute(stmt)
        return len(items)

    async def get(self, number: str) -> ApplicationRecord | None:
        async with self._sessions() as session:
            row = await session.get(ApplicationRow, number.strip())
            return None if row is None else ApplicationRecord(row.number, row.status, row.text)
