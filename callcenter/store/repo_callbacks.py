"""Callback requests: the database is their source of truth.

A request is committed here before the caller hears the confirmation and before it is put on the
(Redis or in-process) `CallbackQueue`; after any crash, `open_requests()` feeds
`CallbackQueue.rebuild_from`. Creating is idempotent per source call (a replayed request returns
the stored one) and per id. Attempts are unique per (callback, start time), and the attempts
counter is recounted from them, so replaying an attempt never inflates it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import CallbackAttemptRow, CallbackRow
from callcenter.store.records import (
    ATTEMPT_RESULTS,
    CALLBACK_STATUSES,
    FINAL_CALLBACK_STATUSES,
    Callback,
    CallbackAttempt,
    InvalidRecord,
    NewCallback,
    check_choice,
    normalize_number,
)
from callcenter.store.sql import insert_for, rowcount

OPEN_STATUSES = ("pending", "claimed", "dialing")
BATCH = 500  # ids per IN (...) query: well under every database's parameter limit


def callback_from_row(row: CallbackRow) -> Callback:
    return Callback(
        id=row.id,
        number=row.number,
        topic=row.topic,
        requested_at=row.requested_at,
        deadline=row.deadline,
        not_before=row.not_before,
        status=row.status,
        attempts=row.attempts,
        outcome=row.outcome,
        source_call_id=row.source_call_id,
        claimed_by=row.claimed_by,
        claimed_until=row.claimed_until,
    )


class CallbackNotFound(LookupError):
    pass


class CallbackRepository:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], float],
        region: str = "RU",
        allow_foreign: bool = False,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._region = region
        self._allow_foreign = allow_foreign

    async def create(self, new: NewCallback) -> Callback:
        """Validate and store a request; a replay (same id or source call) returns the stored."""
        values = self._new_row(new)
        callback_id = values["id"]
        async with self._sessions.begin() as session:
            stmt = insert_for(session, CallbackRow).values(**values)
            await session.execute(stmt.on_conflict_do_nothing())
            match = CallbackRow.id == callback_id
            if new.source_call_id is not None:
                match = or_(match, CallbackRow.source_call_id == new.source_call_id)
            row = (await session.scalars(select(CallbackRow).where(match))).first()
            assert row is not None  # inserted, or the conflicting row exists
            return callback_from_row(row)

    async def create_many(self, news: Sequence[NewCallback]) -> None:
        """Validate and store several requests in one transaction, all or none: callers who
        accept a callback at the same moment cost one commit between them, not one each. A
        replay (same id or source call) leaves the stored request as it is."""
        rows = [self._new_row(new) for new in news]  # refused before anything is written
        if not rows:
            return
        async with self._sessions.begin() as session:
            stmt = insert_for(session, CallbackRow).on_conflict_do_nothing()
            await session.execute(stmt, rows)

    def _new_row(self, new: NewCallback) -> dict[str, Any]:
        new.validate()
        number = normalize_number(
            new.number, region=self._region, allow_foreign=self._allow_foreign
        )
        return {
            "id": new.id or uuid.uuid4().hex,
            "number": number,
            "topic": new.topic,
            "requested_at": new.requested_at,
            "deadline": new.deadline,
            "not_before": new.not_before,
            "status": "pending",
            "attempts": 0,
            "source_call_id": new.source_call_id,
            "updated_at": self._clock(),
        }

    async def get(self, callback_id: str) -> Callback | None:
        async with self._sessions() as session:
            row = await session.get(CallbackRow, callback_id)
            return None if row is None else callback_from_row(row)

    async def due(self, now: float, limit: int = 100) -> list[Callback]:
        """Pending requests that may be dialled at `now`, earliest deadline first."""
        query = (
            select(CallbackRow)
            .where(
                CallbackRow.status == "pending",
                or_(CallbackRow.not_before.is_(None), CallbackRow.not_before <= now),
            )
            .order_by(CallbackRow.deadline, CallbackRow.id)
            .limit(limit)
        )
        return await self._list(query)

    async def open_requests(self) -> list[Callback]:
        """Every request not finished yet (pending, claimed or dialing), for start-up rebuilds."""
        query = (
            select(CallbackRow)
            .where(CallbackRow.status.in_(OPEN_STATUSES))
            .order_by(CallbackRow.deadline, CallbackRow.id)
        )
        return await self._list(query)

    async def for_calls(self, call_ids: Sequence[str]) -> dict[str, Callback]:
        """The request each of these calls made, keyed by the call (calls without one absent)."""
        found: dict[str, Callback] = {}
        for start in range(0, len(call_ids), BATCH):
            chunk = list(call_ids[start : start + BATCH])
            query = select(CallbackRow).where(CallbackRow.source_call_id.in_(chunk))
            for request in await self._list(query):
                found[request.source_call_id or ""] = request
        return found

    async def _list(self, query: Any) -> list[Callback]:
        async with self._sessions() as session:
            return [callback_from_row(row) for row in await session.scalars(query)]

    async def mark_claimed(self, callback_id: str, node_id: str, until: float) -> None:
        await self._update(callback_id, status="claimed", claimed_by=node_id, claimed_until=until)

    async def mark_dialing(self, callback_id: str) -> None:
        await self._update(callback_id, status="dialing")

    async def mark_outcome(self, callback_id: str, status: str, outcome: str | None = None) -> None:
        """Finish a request: status done, failed or cancelled, with a free-text outcome code."""
        check_choice("status", status, FINAL_CALLBACK_STATUSES)
        await self._update(
            callback_id, status=status, outcome=outcome, claimed_by=None, claimed_until=None
        )

    async def retry_at(
        self, callback_id: str, not_before: float, outcome: str | None = None
    ) -> None:
        """Back to pending, not to be dialled before `not_before` (e.g. after no answer)."""
        await self._update(
            callback_id,
            status="pending",
            not_before=not_before,
            outcome=outcome,
            claimed_by=None,
            claimed_until=None,
        )

    async def _update(self, callback_id: str, **values: Any) -> None:
        check_choice("status", values.get("status"), CALLBACK_STATUSES)
        values["updated_at"] = self._clock()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(CallbackRow).where(CallbackRow.id == callback_id).values(**values)
            )
            if not rowcount(result):
                raise CallbackNotFound(callback_id)

    async def record_attempt(self, attempt: CallbackAttempt) -> int:
        """Store one dialling attempt (idempotent) and return the request's attempt count."""
        check_choice("result", attempt.result, ATTEMPT_RESULTS)
        if attempt.ended_at is not None and attempt.ended_at < attempt.started_at:
            raise InvalidRecord("ended_at: before started_at")
        async with self._sessions.begin() as session:
            stmt = insert_for(session, CallbackAttemptRow).values(
                callback_id=attempt.callback_id,
                started_at=attempt.started_at,
                ended_at=attempt.ended_at,
                result=attempt.result,
                operator_id=attempt.operator_id,
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["callback_id", "started_at"],
                    set_={c: stmt.excluded[c] for c in ("ended_at", "result", "operator_id")},
                )
            )
            count = await session.scalar(
                select(func.count())
                .select_from(CallbackAttemptRow)
                .where(CallbackAttemptRow.callback_id == attempt.callback_id)
            )
            await session.execute(
                update(CallbackRow)
                .where(CallbackRow.id == attempt.callback_id)
                .values(attempts=count, updated_at=self._clock())
            )
            return int(count or 0)

    async def attempts(self, callback_id: str) -> list[CallbackAttempt]:
        query = (
            select(CallbackAttemptRow)
            .where(CallbackAttemptRow.callback_id == callback_id)
            .order_by(CallbackAttemptRow.started_at)
        )
        async with self._sessions() as session:
            return [
                CallbackAttempt(
                    callback_id=r.callback_id,
                    started_at=r.started_at,
                    result=r.result,
                    ended_at=r.ended_at,
                    operator_id=r.operator_id,
                )
                for r in await session.scalars(query)
            ]
