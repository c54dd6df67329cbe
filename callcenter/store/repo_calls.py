"""Call records, their timelines and survey answers.

`upsert_call` is idempotent: the row is keyed by Asterisk's call id and written with
`INSERT ... ON CONFLICT DO UPDATE`, only for the fields the update knows, so replaying the same
events after an engine restart rewrites the same values instead of adding a row. Timeline events
carry a key (unique per call) and are inserted with `ON CONFLICT DO NOTHING` for the same reason.
Every method commits before it returns; `write_batch` commits many record updates and timeline
events, in their order, as one transaction (the recorder's writer uses it under load).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import CallEventRow, CallRow, SurveyRow
from callcenter.store.records import CallEvent, CallRecord, InvalidRecord, SurveyAnswer
from callcenter.store.sql import ensure_call, insert_for, rowcount

BATCH = 500  # ids per IN (...) query: well under every database's parameter limit
_RECORD_FIELDS = [c.name for c in CallRow.__table__.columns if c.name != "updated_at"]


def call_from_row(row: CallRow) -> CallRecord:
    values: dict[str, Any] = {name: getattr(row, name) for name in _RECORD_FIELDS}
    for name in ("ivr_path", "script_path"):
        if values[name] is not None:
            values[name] = tuple(values[name])
    return CallRecord(**values)


def _event_row(event: CallEvent) -> dict[str, Any]:
    return {
        "call_id": event.call_id,
        "event_key": event.event_key,
        "at": event.at,
        "kind": event.kind,
        "details": dict(event.details),
    }


def check_call_write(item: CallRecord | CallEvent) -> None:
    """Raises InvalidRecord for an update or event that can never be stored."""
    if isinstance(item, CallRecord):
        item.validate()
    elif not item.call_id or not item.kind:
        raise InvalidRecord("call_id and kind are required")


class CallRepository:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], float]
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._upserts: dict[tuple[str, tuple[str, ...]], Any] = {}

    async def upsert_call(self, record: CallRecord) -> None:
        record.validate()
        async with self._sessions.begin() as session:
            await self._upsert(session, record)

    async def upsert_calls(self, records: Sequence[CallRecord]) -> None:
        """Several updates in one transaction (all or nothing)."""
        for record in records:
            record.validate()
        async with self._sessions.begin() as session:
            for record in records:
                await self._upsert(session, record)

    async def _upsert(self, session: AsyncSession, record: CallRecord) -> None:
        values = {"id": record.id, **record.known_fields(), "updated_at": self._clock()}
        await session.execute(self._upsert_statement(session, tuple(values)), values)

    def _upsert_statement(self, session: AsyncSession, columns: tuple[str, ...]) -> Any:
        """One statement per dialect and set of columns, kept: building `excluded` for every
        update cost more than executing it."""
        key = (session.get_bind().dialect.name, columns)
        stmt = self._upserts.get(key)
        if stmt is None:
            insert = insert_for(session, CallRow.__table__)
            stmt = insert.on_conflict_do_update(
                index_elements=["id"], set_={k: insert.excluded[k] for k in columns if k != "id"}
            )
            self._upserts[key] = stmt
        return stmt

    async def write_batch(
        self,
        items: Sequence[CallRecord | CallEvent],
        *,
        give_way: Callable[[], bool] | None = None,
    ) -> list[CallRecord]:
        """Record updates and timeline events in their order, one transaction (all or nothing).

        `give_way` is asked before each record update after the first: when it says yes (a
        more urgent write waits for the database), what is written so far is committed at once
        and the record updates not yet written are returned, in order, for the caller to write
        later; otherwise the list is empty. The timeline events are all written either way."""
        for item in items:
            check_call_write(item)
        events = [item for item in items if isinstance(item, CallEvent)]
        records = [item for item in items if isinstance(item, CallRecord)]
        async with self._sessions.begin() as session:
            # Events only need their call's row to exist, and nothing is visible before the
            # commit: their rows go in as one statement; record updates keep their order.
            if events:
                now = self._clock()
                ids = [
                    {"id": call_id, "updated_at": now} for call_id in {e.call_id: 0 for e in events}
                ]
                stmt = insert_for(session, CallRow).values(ids)
                await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
                rows = [_event_row(event) for event in events]
                stmt = insert_for(session, CallEventRow).values(rows)
                await session.execute(stmt.on_conflict_do_nothing())
            for done, record in enumerate(records):
                if done and give_way is not None and give_way():
                    return records[done:]
                await self._upsert(session, record)
        return []

    async def get_call(self, call_id: str) -> CallRecord | None:
        async with self._sessions() as session:
            row = await session.get(CallRow, call_id)
            return None if row is None else call_from_row(row)

    async def calls_between(self, start: float, end: float) -> list[CallRecord]:
        """Calls that arrived in [start, end), oldest first (the reports' period)."""
        query = (
            select(CallRow)
            .where(CallRow.arrived_at >= start, CallRow.arrived_at < end)
            .order_by(CallRow.arrived_at, CallRow.id)
        )
        async with self._sessions() as session:
            return [call_from_row(row) for row in await session.scalars(query)]

    async def open_calls(self) -> list[CallRecord]:
        """Calls that arrived and have not ended (the engine's restart reconciles them)."""
        query = (
            select(CallRow)
            .where(CallRow.arrived_at.is_not(None), CallRow.ended_at.is_(None))
            .order_by(CallRow.arrived_at, CallRow.id)
        )
        async with self._sessions() as session:
            return [call_from_row(row) for row in await session.scalars(query)]

    async def close_if_open(self, call_id: str, ended_at: float) -> bool:
        """Set the end of a call nobody saw end; False when its end is on record already
        (another engine node may have written it meanwhile)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(CallRow)
                .where(CallRow.id == call_id, CallRow.ended_at.is_(None))
                .values(ended_at=ended_at, updated_at=self._clock())
            )
            return rowcount(result) > 0

    async def calls_with_events(self, call_ids: Sequence[str], kinds: Sequence[str]) -> set[str]:
        """Which of `call_ids` have a timeline event of one of `kinds`."""
        query = select(CallEventRow.call_id).where(
            CallEventRow.call_id.in_(list(call_ids)), CallEventRow.kind.in_(list(kinds))
        )
        async with self._sessions() as session:
            return set(await session.scalars(query.distinct()))

    async def append_event(self, event: CallEvent) -> bool:
        """Store a timeline event; False when this event (same key) was stored before."""
        check_call_write(event)
        async with self._sessions.begin() as session:
            return await self._append(session, event)

    async def _append(self, session: AsyncSession, event: CallEvent) -> bool:
        await ensure_call(session, event.call_id, self._clock())
        stmt = insert_for(session, CallEventRow).values(_event_row(event))
        result = await session.execute(stmt.on_conflict_do_nothing())
        return rowcount(result) > 0

    async def timeline(self, call_id: str) -> list[CallEvent]:
        query = (
            select(CallEventRow)
            .where(CallEventRow.call_id == call_id)
            .order_by(CallEventRow.at, CallEventRow.id)
        )
        async with self._sessions() as session:
            return [
                CallEvent(
                    call_id=r.call_id, at=r.at, kind=r.kind, details=r.details, key=r.event_key
                )
                for r in await session.scalars(query)
            ]

    async def record_survey(self, answer: SurveyAnswer) -> None:
        """Store (or correct, if answered again) one survey answer."""
        async with self._sessions.begin() as session:
            await ensure_call(session, answer.call_id, self._clock())
            stmt = insert_for(session, SurveyRow).values(
                call_id=answer.call_id, question=answer.question, answer=answer.answer, at=answer.at
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["call_id", "question"],
                    set_={"answer": stmt.excluded.answer, "at": stmt.excluded.at},
                )
            )

    async def surveys(self, call_id: str) -> list[SurveyAnswer]:
        query = select(SurveyRow).where(SurveyRow.call_id == call_id).order_by(SurveyRow.id)
        async with self._sessions() as session:
            return [
                SurveyAnswer(call_id=r.call_id, question=r.question, answer=r.answer, at=r.at)
                for r in await session.scalars(query)
            ]

    async def surveys_for_calls(self, call_ids: Sequence[str]) -> dict[str, list[SurveyAnswer]]:
        """Survey answers of these calls, keyed by call (calls without answers absent)."""
        found: dict[str, list[SurveyAnswer]] = {}
        for start in range(0, len(call_ids), BATCH):
            chunk = list(call_ids[start : start + BATCH])
            query = select(SurveyRow).where(SurveyRow.call_id.in_(chunk)).order_by(SurveyRow.id)
            async with self._sessions() as session:
                for r in await session.scalars(query):
                    answer = SurveyAnswer(r.call_id, r.question, r.answer, r.at)
                    found.setdefault(r.call_id, []).append(answer)
        return found
