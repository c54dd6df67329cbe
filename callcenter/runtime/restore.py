"""After a restart the engine learns from the database what its memory lost.

The database, not the engine's memory, is the source of truth for callbacks: a request is
committed before the caller hears that it is booked, so a crash at any moment loses none. For
calls still open it keeps what Asterisk cannot tell on resync: when the caller first joined the
queue (Asterisk's wait restarts when a caller comes back from the callback offer) and whether
they were already offered a way out (they are not offered again). Today's dashboard figures
are counted again from the day's records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from callcenter.runtime.engine_runner import EngineRunner
from callcenter.runtime.figures import Figures
from callcenter.store.repositories import Store
from queue_engine.messages import CallbackRestored, EmergencySet, QueueLimitChanged

log = logging.getLogger(__name__)

# The audit entry the supervisor's API writes for a wait-limit change (callcenter.web.controls).
LIMIT_ACTION = "set_queue_limit"
EMERGENCY_ACTION = "set_emergency"


async def restore_callbacks(store: Store, runner: EngineRunner) -> int:
    requests = await store.callbacks.open_requests()
    for request in requests:
        # A citizen-first callback joins the queue of the call that asked for it.
        source = await store.calls.get_call(request.source_call_id or "")
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
                queue=(source.queue or "") if source is not None else "",
            )
        )
    return len(requests)


async def restore_emergency(store: Store, runner: EngineRunner) -> str | None:
    """An emergency declared by a supervisor outlives a restart of the engine: the newest
    `set_emergency` entry of the audit log holds. Returns its announcement when it is on."""
    entries = await store.audit.of_action(EMERGENCY_ACTION)
    if not entries or entries[-1].details.get("on") is not True:
        return None
    announcement = entries[-1].details.get("announcement")
    runner.feed(EmergencySet(True, by="restore"))
    return announcement if isinstance(announcement, str) else ""


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


WAY_OUT_EVENTS = ("callback_offer", "overflow")


@dataclass(frozen=True)
class OpenCall:
    entered_queue_at: float | None
    offered: bool


async def open_calls(store: Store) -> dict[str, OpenCall]:
    """What the records of calls still open say about each (see the module's note)."""
    records = await store.calls.open_calls()
    offered = await store.calls.calls_with_events([r.id for r in records], WAY_OUT_EVENTS)
    return {r.id: OpenCall(r.entered_queue_at, r.id in offered) for r in records}


async def restore_figures(
    store: Store, figures: Figures, since: float, now: float, limits: dict[str, float]
) -> int:
    """Count again, from the records, the calls completed since `since` (the local day's start)
    in the queues of `limits` (name -> wait limit); return how many."""
    done = []
    for r in await store.calls.calls_between(since, now + 1):
        if r.queue in limits and r.outcome and r.wait_s is not None:
            # A call counts when it reached its outcome: the answer, or the end of its wait.
            at = r.answered_at or r.ended_at or r.arrived_at or since
            done.append((at, r.queue, r.outcome, r.wait_s))
    for at, queue, outcome, wait_s in sorted(done):
        figures.record(queue, outcome, wait_s, limits[queue], at)
    return len(done)
