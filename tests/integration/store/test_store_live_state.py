"""The live state contract on the in-process and the Redis implementation, and pub/sub between
two nodes sharing one Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from store_fixtures import delete_prefix

from callcenter.store.live import (
    InProcessLiveState,
    LiveState,
    OperatorStatus,
    QueueFigures,
    WaitingCall,
)
from callcenter.store.live_redis import RedisLiveState

T0 = 1_700_000_000.0


@pytest.fixture(params=["inprocess", pytest.param("redis", marks=pytest.mark.redis)])
async def live(request: pytest.FixtureRequest) -> AsyncIterator[LiveState]:
    if request.param == "inprocess":
        state = InProcessLiveState()
        yield state
        await state.close()
        return
    url: str = request.getfixturevalue("redis_url")
    prefix = f"test:store:{uuid.uuid4().hex[:12]}"
    client = Redis.from_url(url)
    redis_state = RedisLiveState(redis=client, prefix=prefix)
    try:
        yield redis_state
    finally:
        await redis_state.close()
        await client.aclose()
        await delete_prefix(url, prefix)


async def test_waiting_calls_by_queue_and_position(live: LiveState) -> None:
    await live.put_waiting(WaitingCall("c2", "housing", T0 + 5, 2, 31.5))
    await live.put_waiting(WaitingCall("c1", "housing", T0, 1, 12.0))
    await live.put_waiting(WaitingCall("c3", "roads", T0 + 1, 1))
    assert [c.call_id for c in await live.waiting("housing")] == ["c1", "c2"]
    # A caller moves up: the same call id is replaced, not duplicated.
    await live.remove_waiting("housing", "c1")
    await live.put_waiting(WaitingCall("c2", "housing", T0 + 5, 1, 8.0))
    assert await live.waiting("housing") == [WaitingCall("c2", "housing", T0 + 5, 1, 8.0)]
    await live.remove_waiting("roads", "c3")
    assert await live.all_waiting() == {"housing": [WaitingCall("c2", "housing", T0 + 5, 1, 8.0)]}


async def test_operators_figures_and_clear(live: LiveState) -> None:
    await live.put_operator(OperatorStatus("op2", "talking", T0))
    await live.put_operator(OperatorStatus("op1", "paused", T0 + 3, "обед"))
    await live.put_operator(OperatorStatus("op2", "wrapup", T0 + 60))
    assert await live.operators() == [
        OperatorStatus("op1", "paused", T0 + 3, "обед"),
        OperatorStatus("op2", "wrapup", T0 + 60),
    ]
    await live.remove_operator("op2")
    figures = QueueFigures("housing", T0, waiting=3, predicted_wait_s=25.0, extra={"sl": 81.5})
    await live.put_figures(figures)
    assert await live.figures() == [figures]
    await live.put_waiting(WaitingCall("c1", "housing", T0, 1))
    await live.clear()
    assert (await live.operators(), await live.figures(), await live.all_waiting()) == ([], [], {})


async def test_publish_reaches_every_subscriber_of_the_channel(live: LiveState) -> None:
    first = await live.subscribe("dashboard")
    second = await live.subscribe("dashboard")
    other = await live.subscribe("other")
    message = json.dumps({"queue": "housing", "waiting": 3, "текст": "очередь"}, ensure_ascii=False)
    await live.publish("dashboard", message)
    await live.publish("dashboard", "second")
    for sub in (first, second):
        got = [await asyncio.wait_for(sub.__anext__(), 5) for _ in range(2)]
        assert got == [message, "second"]
    await live.publish("other", "x")
    assert await asyncio.wait_for(other.__anext__(), 5) == "x"
    await first.close()
    with pytest.raises(StopAsyncIteration):
        await first.__anext__()


async def test_close_ends_a_blocked_reader(live: LiveState) -> None:
    sub = await live.subscribe("dashboard")
    received: list[str] = []

    async def read() -> None:
        received.extend([m async for m in sub])

    reader = asyncio.create_task(read())
    await live.publish("dashboard", "one")
    await asyncio.sleep(0.05)
    await sub.close()
    await asyncio.wait_for(reader, 5)
    assert received == ["one"]


@pytest.mark.redis
async def test_two_nodes_share_state_and_messages(redis_url: str, redis_prefix: str) -> None:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url, decode_responses=True)]
    node_a, node_b = (RedisLiveState(redis=c, prefix=redis_prefix) for c in clients)
    try:
        sub = await node_b.subscribe("updates")
        await node_a.put_waiting(WaitingCall("c1", "housing", T0, 1, 10.0))
        await node_a.publish("updates", "changed")
        assert await asyncio.wait_for(sub.__anext__(), 5) == "changed"
        assert [c.call_id for c in await node_b.waiting("housing")] == ["c1"]
    finally:
        await node_b.close()
        for client in clients:
            await client.aclose()


async def test_slow_inprocess_subscriber_keeps_only_the_newest() -> None:
    state = InProcessLiveState(maxsize=2)
    sub = await state.subscribe("dashboard")
    for i in range(5):
        await state.publish("dashboard", str(i))
    assert [await sub.__anext__(), await sub.__anext__()] == ["3", "4"]
    await state.close()
