"""After a restart the engine learns every open callback request from the database.

The database, not the engine's memory, is the source of truth for callbacks: a request is
committed before the caller hears that it is booked, so a crash at any moment loses none.
"""

from __future__ import annotations

import logging

from callcenter.runtime.engine_runner import EngineRunner
from callcenter.store.repositories import Store
from queue_engine.messages import CallbackRestored, QueueLimitChanged

log = logging.getLogger(__name__)

# The audit entry the supervisor's API writes for a wait-limit change (callcenter.web.controls).
LIMIT_ACTION = "set_queue_limit"


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


async def restore_queue_limits(store: Store, runner: EngineRunner) -> dict[str, float]:
    """The supervisors' wait limits survive a restart: the audit log holds every change, and the
    newest one of each queue we still serve wins over the configured value."""
    latest: dict[str, float] = {}
    for entry in await store.audit.of_action(LIMIT_ACTION):
        queue, limit = entry.details.get("queue"), entry.details.get("limit_s")
        if isinstance(queue, str) and isinstance(limit, int | float):
            latest[queue] = float(limit)
    known = runner.engine.state.queues
    for queue, limit in latest.items():
        if queue not in known:
            log.warning("queue %s is no longer served; its stored limit is ignored", queue)
            continue
        runner.feed(QueueLimitChanged(queue, limit, by="restore"))
    return {q: v for q, v in latest.items() if q in known}
