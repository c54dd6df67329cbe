"""Store-backed implementations of the web layer's ports (reports, audit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callcenter.store.records import CallRecord
from callcenter.store.repositories import Store
from callcenter.web.controls import AuditEntry
from callcenter.web.reports import CallRow

_MODES = {"night": "automatic"}


class StoreAuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def append(self, actor: str, action: str, details: Mapping[str, Any]) -> None:
        await self._store.audit.append(actor, action, details)

    async def recent(self, limit: int) -> list[AuditEntry]:
        entries = await self._store.audit.recent(limit)
        return [AuditEntry(e.at, e.actor, e.action, dict(e.details)) for e in entries]


def call_row(record: CallRecord, limit_of: Callable[[str], float]) -> CallRow:
    queue = record.queue or ""
    wait = record.wait_s or 0.0
    outcome = record.outcome or "failed"
    return CallRow(
        call_id=record.id,
        arrived_at=record.arrived_at or 0.0,
        queue=queue or "ivr",
        topic=record.topic or "general",
        operator_id=record.operator_id,
        mode=_MODES.get(record.mode or "day", record.mode or "day"),
        outcome=outcome,
        wait_s=wait,
        talk_s=record.talk_s or 0.0,
        answered_within_limit=outcome == "answered" and wait <= limit_of(queue),
        # Calls partners sent us are counted under the partner that sent them (older records
        # without it, under the center where the caller dialled).
        overflow_partner=record.overflow_partner or record.origin_center,
        overflow_direction=record.overflow_direction,
        survey_rating=record.survey_rating,
        partner_outcome=record.partner_outcome,
        partner_wait_s=record.partner_wait_s,
    )


class StoreReportSource:
    """Finished calls of a period as report rows (calls still in progress are left out)."""

    def __init__(self, store: Store, *, limit_of: Callable[[str], float]) -> None:
        self._store = store
        self._limit_of = limit_of

    async def __call__(self, start: float, end: float) -> list[CallRow]:
        records = await self._store.calls.calls_between(start, end)
        return [call_row(r, self._limit_of) for r in records if r.outcome is not None]
