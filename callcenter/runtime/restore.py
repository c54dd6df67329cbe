"""After a restart the engine learns every open callback request from the database.

The database, not the engine's memory, is the source of truth for callbacks: a request is
committed before the caller hears that it is booked, so a crash at any moment loses none.
"""

from __future__ import annotations

from callcenter.runtime.engine_runner import EngineRunner
from callcenter.store.repositories import Store
from queue_engine.messages import CallbackRestored


async def restore_callbacks(store: Store, runner: EngineRunner) -> int:
    requests = await store.callbacks.open_requests()
    for request in requests:
        runner.feed(
            CallbackRestored(
                callback_id=request.id,
                call_id=request.source_call_id or request.id,
                number=request.number,
                topic=request.topic or "",
                requested_at=request.requested_at,
                deadline=request.deadline,
                not_before=request.not_before or request.requested_at,
                attempts=request.attempts,
            )
        )
    return len(requests)
