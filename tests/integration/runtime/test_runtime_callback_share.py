"""Callback requests booked on one node reach the other node's engine over a real Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from callcenter.runtime.callback_share import CHANNEL, CallbackShare
from callcenter.runtime.engine_runner import EngineRunner
from callcenter.store.live_redis import RedisLiveState
from queue_engine import messages as m
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine

pytestmark = pytest.mark.redis
T0 = 1_700_038_800.0  # a Tuesday, 15:00 in Moscow: day mode


class Clock:
    def now(self) -> float:
        return T0


class Node:
    def __init__(self, client: Redis, prefix: str, name: str) -> None:
        config = EngineConfig(queues=(QueueConfig("citizens"),))
        self.runner = EngineRunner(engine=Engine(config=config), clock=Clock())
        self.state = RedisLiveState(redis=client, prefix=prefix)
        self.share = CallbackShare(runner=self.runner, state=self.state, node_id=name)
        self.runner.add_sink(self.share)

    def knows(self, callback_id: str) -> bool:
        return callback_id in self.runner.engine.callbacks.desk.requests


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _until(what: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not what():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


async def test_requests_booked_on_one_node_are_filed_on_the_other(client: Redis) -> None:
    prefix = f"test:share:{uuid.uuid4().hex[:12]}"
    a, b = Node(client, prefix, "A"), Node(client, prefix, "B")
    listener = await a.state.subscribe(CHANNEL)
    for node in (a, b):
        await node.share.subscribe()
    # Restored from the database at start-up: every node reads those itself, none announces.
    a.runner.feed(m.CallbackRestored("cb-old", "old", "+79160000000", "", T0, T0 + 600, T0))
    tasks = [asyncio.create_task(node.share.run()) for node in (a, b)]
    try:
        a.runner.feed(m.CallArrived("c1", "+79161234567", "passport"))
        a.runner.feed(m.CallJoinedQueue("c1", "citizens"))
        a.runner.feed(m.CallbackOfferAccepted("c1", "+79161234567"))
        await _until(lambda: b.knows("cb-c1"))
        mine = a.runner.engine.callbacks.desk.requests["cb-c1"]
        theirs = b.runner.engine.callbacks.desk.requests["cb-c1"]
        assert (theirs.number, theirs.topic, theirs.deadline, theirs.not_before) == (
            mine.number,
            mine.topic,
            mine.deadline,
            mine.not_before,
        )
        assert theirs.queue == mine.queue == "citizens"  # where the citizen joins, called back
        # An operator's request, filed while running, is announced too.
        by_operator = m.CallbackRestored("cb-op-1", "cb-op-1", "+79162222222", "", T0, T0 + 900, T0)
        b.runner.feed(by_operator)
        await _until(lambda: a.knows("cb-op-1"))
        announced = [await anext(listener), await anext(listener)]
        assert ['"cb-c1"' in announced[0], '"cb-op-1"' in announced[1]] == [True, True]
        with pytest.raises(TimeoutError):  # no echo of a filed request, no start-up restore
            await asyncio.wait_for(anext(listener), 0.5)
        assert not b.knows("cb-old")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await listener.close()
        await a.state.close()
