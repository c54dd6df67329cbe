"""The callback queue contract, on the in-process and the Redis implementation, and the race
between engine nodes claiming from one Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from store_fixtures import delete_prefix

from callcenter.store.callback_queue import CallbackQueue, InProcessCallbackQueue, QueuedCallback
from callcenter.store.callback_queue_redis import RedisCallbackQueue

T0 = 1_700_000_000.0
LEASE = 30.0


@pytest.fixture(params=["inprocess", pytest.param("redis", marks=pytest.mark.redis)])
async def queue(request: pytest.FixtureRequest) -> AsyncIterator[CallbackQueue]:
    if request.param == "inprocess":
        yield InProcessCallbackQueue(lease_s=LEASE)
        return
    # Only sync fixtures can be requested from here, hence the inline client and cleanup.
    url: str = request.getfixturevalue("redis_url")
    prefix = f"test:store:{uuid.uuid4().hex[:12]}"
    client = Redis.from_url(url)
    try:
        yield RedisCallbackQueue(redis=client, prefix=prefix, lease_s=LEASE)
    finally:
        await client.aclose()
        await delete_prefix(url, prefix)


async def _fill(queue: CallbackQueue) -> None:
    await queue.add(QueuedCallback("late", T0 + 900))
    await queue.add(QueuedCallback("early", T0 + 300))
    await queue.add(QueuedCallback("night", T0 + 7200, not_before=T0 + 3600))


async def test_claims_are_earliest_deadline_first(queue: CallbackQueue) -> None:
    await _fill(queue)
    assert await queue.claim("a", T0) == "early"
    assert await queue.claim("b", T0) == "late"
    assert await queue.claim("a", T0) is None  # "night" sleeps until T0 + 3600
    lease = await queue.lease_of("early")
    assert lease is not None
    assert (lease.node_id, lease.until) == ("a", T0 + LEASE)
    assert await queue.complete("early", "a")
    assert await queue.complete("late", "b")
    assert await queue.claim("a", T0 + 3599) is None
    assert await queue.claim("a", T0 + 3600) == "night"


async def test_expired_lease_is_claimed_again_and_old_holder_is_refused(
    queue: CallbackQueue,
) -> None:
    await queue.add(QueuedCallback("cb", T0 + 600))
    assert await queue.claim("dead-node", T0) == "cb"
    assert await queue.claim("b", T0 + LEASE - 0.001) is None
    assert await queue.claim("b", T0 + LEASE) == "cb"
    assert not await queue.complete("cb", "dead-node")
    assert not await queue.renew("cb", "dead-node", T0 + LEASE)
    assert await queue.renew("cb", "b", T0 + 50)
    assert await queue.claim("c", T0 + LEASE + 40) is None  # renewed until T0 + 80
    assert await queue.complete("cb", "b")
    assert await queue.lease_of("cb") is None
    assert await queue.claim("c", T0 + 1000) is None  # completed for good


async def test_release_and_retry_at(queue: CallbackQueue) -> None:
    await queue.add(QueuedCallback("cb", T0 + 600))
    assert await queue.claim("a", T0) == "cb"
    assert not await queue.release("cb", "b")
    assert await queue.release("cb", "a")
    assert await queue.claim("b", T0) == "cb"
    assert await queue.retry_at("cb", "b", T0 + 120)
    assert await queue.queued() == ["cb"]
    assert await queue.claim("a", T0 + 119) is None
    assert await queue.claim("a", T0 + 120) == "cb"


async def test_rebuild_mirrors_the_database_and_keeps_live_leases(queue: CallbackQueue) -> None:
    await _fill(queue)
    assert await queue.claim("a", T0) == "early"
    # The database now lists "early" (leased), "late" and a request Redis never saw; "night" was
    # cancelled meanwhile.
    await queue.rebuild_from(
        [
            QueuedCallback("early", T0 + 300),
            QueuedCallback("late", T0 + 900),
            QueuedCallback("lost", T0 + 100),
        ]
    )
    assert await queue.queued() == ["lost", "late"]
    lease = await queue.lease_of("early")
    assert lease is not None
    assert lease.node_id == "a"
    assert await queue.claim("b", T0) == "lost"


async def test_remove_drops_a_request_whoever_holds_it(queue: CallbackQueue) -> None:
    await _fill(queue)
    assert await queue.claim("a", T0) == "early"
    await queue.remove("early")
    await queue.remove("night")
    assert await queue.lease_of("early") is None
    assert await queue.queued() == ["late"]


@pytest.mark.redis
async def test_two_nodes_racing_never_claim_the_same_callback(
    redis_url: str, redis_prefix: str
) -> None:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    nodes = [RedisCallbackQueue(redis=c, prefix=redis_prefix, lease_s=LEASE) for c in clients]
    total = 300
    for i in range(total):
        await nodes[0].add(QueuedCallback(f"cb{i:03}", T0 + 600 + i))
    claims: list[tuple[str, str]] = []

    async def worker(node: RedisCallbackQueue, name: str) -> None:
        while (claimed := await node.claim(name, T0)) is not None:
            claims.append((claimed, name))

    try:
        await asyncio.gather(
            *(worker(nodes[i % 2], f"node{i % 2}") for i in range(40)),
        )
        ids = [c for c, _ in claims]
        assert len(ids) == len(set(ids)) == total
        assert {name for _, name in claims} == {"node0", "node1"}
        for callback_id, name in claims[:20]:
            lease = await nodes[1].lease_of(callback_id)
            assert lease is not None
            assert lease.node_id == name
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.redis
async def test_racing_over_expired_leases_hands_each_out_once(
    redis_url: str, redis_prefix: str
) -> None:
    """A node died holding 50 leases; after expiry two live nodes race to take them over."""
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    nodes = [RedisCallbackQueue(redis=c, prefix=redis_prefix, lease_s=LEASE) for c in clients]
    try:
        for i in range(50):
            await nodes[0].add(QueuedCallback(f"cb{i:02}", T0 + 600 + i))
            assert await nodes[0].claim("dead", T0) is not None
        results = await asyncio.gather(
            *(nodes[i % 2].claim(f"node{i % 2}", T0 + LEASE + 1) for i in range(80))
        )
        taken = [r for r in results if r is not None]
        assert sorted(taken) == [f"cb{i:02}" for i in range(50)]
    finally:
        for client in clients:
            await client.aclose()
