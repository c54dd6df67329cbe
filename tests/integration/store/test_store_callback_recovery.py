"""Nothing is lost: callbacks stored in the database survive a dead node and a wiped Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from store_fixtures import FakeClock

from callcenter.store.callback_queue import QueuedCallback
from callcenter.store.callback_queue_redis import RedisCallbackQueue
from callcenter.store.records import Callback, CallbackAttempt, NewCallback
from callcenter.store.repositories import Store

T0 = 1_700_000_000.0
LEASE = 20.0


def _queued(callbacks: list[Callback]) -> list[QueuedCallback]:
    return [QueuedCallback(c.id, c.deadline, c.not_before) for c in callbacks]


@pytest.mark.redis
async def test_dead_node_and_lost_redis_lose_no_callback(
    store: Store, clock: FakeClock, redis_url: str, redis_prefix: str
) -> None:
    for i, number in enumerate(["89161234567", "89161234568", "89161234569"]):
        await store.callbacks.create(
            NewCallback(number=number, requested_at=T0, deadline=T0 + 600 + i, id=f"cb{i}")
        )
    client_a, client_b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    node_a = RedisCallbackQueue(redis=client_a, prefix=redis_prefix, lease_s=LEASE)
    node_b = RedisCallbackQueue(redis=client_b, prefix=redis_prefix, lease_s=LEASE)
    try:
        await node_a.rebuild_from(_queued(await store.callbacks.open_requests()))
        # Node A claims cb0, records it, starts dialling, and dies.
        assert await node_a.claim("a", T0) == "cb0"
        await store.callbacks.mark_claimed("cb0", "a", T0 + LEASE)
        await store.callbacks.mark_dialing("cb0")
        # Node B finishes cb1 normally.
        assert await node_b.claim("b", T0 + 1) == "cb1"
        await store.callbacks.record_attempt(CallbackAttempt("cb1", T0 + 1, "answered", T0 + 60))
        await store.callbacks.mark_outcome("cb1", "done", "answered")
        assert await node_b.complete("cb1", "b")
        # Redis loses everything (restart without persistence); node B starts up again.
        await client_b.delete(*node_b.keys)
        await node_b.rebuild_from(_queued(await store.callbacks.open_requests()))
        assert await node_b.queued() == ["cb0", "cb2"]
        assert await node_b.claim("b", T0 + 30) == "cb0"
        assert await node_b.claim("b", T0 + 30) == "cb2"
        assert await node_b.claim("b", T0 + 30) is None
    finally:
        await client_a.aclose()
        await client_b.aclose()
