"""Records of the operator workplace (`WorkplaceRecordRow`): appended once, read by the caller's
history (by phone, any spelling) and by the operator's own calls (by operator and kind)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import WorkplaceRecordRow
from callcenter.store.records import InvalidRecord
from callcenter.store.repo_citizens import canonical_phone

WORKPLACE_KINDS = ("transfer", "callback", "appointment", "kb_outdated", "wrapup")


@dataclass(frozen=True)
class WorkplaceRecord:
    operator_id: str
    kind: str
    at: float
    summary: str
    call_id: str | None = None
    citizen_phone: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if not self.operator_id:
            raise InvalidRecord("operator_id: empty")
        if self.kind not in WORKPLACE_KINDS:
            raise InvalidRecord(f"kind: {self.kind!r} is not one of {', '.join(WORKPLACE_KINDS)}")


def _record(row: WorkplaceRecordRow) -> WorkplaceRecord:
    return WorkplaceRecord(
        row.operator_id, row.kind, row.at, row.summary, row.call_id, row.citizen_phone,
        dict(row.details),
    )  # fmt: skip


class WorkplaceRepository:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], float],
        region: str = "RU",
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._region = region

    async def add(self, record: WorkplaceRecord) -> None:
        record.validate()
        phone = record.citizen_phone
        row = WorkplaceRecordRow(
            call_id=record.call_id,
            operator_id=record.operator_id,
            citizen_phone=None if phone is None else canonical_phone(phone, self._region),
            kind=record.kind,
            at=record.at,
            summary=record.summary,
            details=dict(record.details),
        )
        async with self._sessions.begin() as session:
            session.add(row)

    async def of_citizen(self, phone: str, limit: int = 50) -> list[WorkplaceRecord]:
        """The citizen's records, newest first."""
        query = (
            select(WorkplaceRecordRow)
            .where(WorkplaceRecordRow.citizen_phone == canonical_phone(phone, self._region))
            .order_by(WorkplaceRecordRow.at.desc(), WorkplaceRecordRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_record(row) for row in await session.scalars(query)]

    async def of_operator(self, operator_id: str, kind: str, limit: int) -> list[WorkplaceRecord]:
        """One operator's records of one kind, newest first."""
        query = (
            select(WorkplaceRecordRow)
            .where(WorkplaceRecordRow.operator_id == operator_id, WorkplaceRecordRow.kind == kind)
            .order_by(WorkplaceRecordRow.at.desc(), WorkplaceRecordRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_record(row) for row in await session.scalars(query)]
