"""Operators (directory and future web sign-in) and the audit log.

`AuditRepository` has the shape of `callcenter.web.controls.AuditLog` (`append(actor, action,
details)`, `recent(limit)` newest first); its entries are this package's `AuditEntry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import AuditRow, OperatorRow
from callcenter.store.records import AuditEntry, InvalidRecord, Operator
from callcenter.store.sql import insert_for

OPERATOR_ROLES = ("operator", "supervisor", "admin")


def operator_from_row(row: OperatorRow) -> Operator:
    return Operator(
        id=row.id,
        name=row.name,
        role=row.role,
        sip_endpoint=row.sip_endpoint,
        queues=tuple(row.queues),
        skills=row.skills,
        password_hash=row.password_hash,
    )


class OperatorRepository:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save(self, operator: Operator) -> None:
        """Insert or replace an operator."""
        if operator.role not in OPERATOR_ROLES:
            raise InvalidRecord(f"role: {operator.role!r} is not one of {OPERATOR_ROLES}")
        values: dict[str, Any] = {
            "id": operator.id,
            "name": operator.name,
            "role": operator.role,
            "sip_endpoint": operator.sip_endpoint,
            "queues": list(operator.queues),
            "skills": dict(operator.skills),
            "password_hash": operator.password_hash,
        }
        async with self._sessions.begin() as session:
            stmt = insert_for(session, OperatorRow).values(values)
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["id"], set_={k: stmt.excluded[k] for k in values if k != "id"}
                )
            )

    async def get(self, operator_id: str) -> Operator | None:
        async with self._sessions() as session:
            row = await session.get(OperatorRow, operator_id)
            return None if row is None else operator_from_row(row)

    async def all(self) -> list[Operator]:
        async with self._sessions() as session:
            rows = await session.scalars(select(OperatorRow).order_by(OperatorRow.id))
            return [operator_from_row(row) for row in rows]


class AuditRepository:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], float]
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def append(self, actor: str, action: str, details: Mapping[str, Any]) -> None:
        async with self._sessions.begin() as session:
            session.add(
                AuditRow(at=self._clock(), actor=actor, action=action, details=dict(details))
            )

    async def of_action(self, action: str) -> list[AuditEntry]:
        """Every entry of one action, oldest first (e.g. to replay the supervisors' settings)."""
        query = select(AuditRow).where(AuditRow.action == action)
        async with self._sessions() as session:
            rows = await session.scalars(query.order_by(AuditRow.at, AuditRow.id))
            return [AuditEntry(r.at, r.actor, r.action, r.details) for r in rows]

    async def recent(self, limit: int) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        async with self._sessions() as session:
            return [
                AuditEntry(at=r.at, actor=r.actor, action=r.action, details=r.details)
                for r in await session.scalars(query)
            ]
