"""Store-backed implementations of the web layer's ports (reports, audit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from callcenter.store.records import (
    FINAL_CALLBACK_STATUSES,
    Callback,
    CallRecord,
    SurveyAnswer,
)
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


def call_row(
    record: CallRecord,
    limit_of: Callable[[str], float],
    callback: Callback | None = None,
    surveys: Sequence[SurveyAnswer] = (),
) -> CallRow:
    """One call as the reports count it, with the callback it asked for and its survey."""
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
        callback_on_time=_on_time(callback),
        survey_rating=record.survey_rating,
        partner_outcome=record.partner_outcome,
        partner_wait_s=record.partner_wait_s,
        # The rating has its own columns; the answers are the configured questions.
        survey_answers=tuple((a.question, a.answer) for a in surveys if a.question != "rating"),
    )


def _on_time(callback: Callback | None) -> bool | None:
    """None while the request is open (or there is none): it is neither on time nor late yet."""
    if callback is None or callback.status not in FINAL_CALLBACK_STATUSES:
        return None
    return callback.outcome == "on_time"


class StoreReportSource:
    """Finished calls of a period as report rows (calls still in progress are left out)."""

    def __init__(self, store: Store, *, limit_of: Callable[[str], float]) -> None:
        self._store = store
        self._limit_of = limit_of

    async def __call__(self, start: float, end: float) -> list[CallRow]:
        records = await self._store.calls.calls_between(start, end)
        done = [r for r in records if r.outcome is not None]
        ids = [r.id for r in done]
        callbacks = await self._store.callbacks.for_calls(ids)
        surveys = await self._store.calls.surveys_for_calls(ids)
        return [
            call_row(r, self._limit_of, callbacks.get(r.id), surveys.get(r.id, ())) for r in done
        ]
