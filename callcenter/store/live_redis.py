"""`LiveState` on Redis, shared by several engine nodes and the dashboards.

Keys (all under `prefix`, so deployments and tests never collide):

- `{prefix}:waiting:{queue}`: hash call id -> JSON `WaitingCall`; `{prefix}:queues`: set of
  queues that have (or had) waiting callers;
- `{prefix}:operators`: hash operator id -> JSON `OperatorStatus`;
- `{prefix}:figures`: hash queue -> JSON `QueueFigures`;
- `{prefix}:picture`: the dashboards' whole picture (JSON), with an expiry;
- pub/sub channel `{prefix}:ch:{channel}`.

The client is injected (`redis.asyncio.Redis`, any `decode_responses`); `close()` closes only
the pub/sub connections this object opened, the owner closes the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError

from callcenter.store.live import (
    OperatorStatus,
    QueueFigures,
    Subscription,
    WaitingCall,
    decode_figures,
    decode_operator,
    decode_waiting,
    encode,
)


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _RedisSubscription:
    def __init__(self, owner: RedisLiveState, pubsub: PubSub) -> None:
        self._owner = owner
        self._pubsub = pubsub
        self._closed = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        while not self._closed:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except (RedisConnectionError, OSError):
                if self._closed:  # close() shut the connection under our feet
                    break
                raise
            if message is not None and message["type"] == "message":
                return text(message["data"])
        raise StopAsyncIteration

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._owner.forget(self)
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]


class RedisLiveState:
    def __init__(self, *, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._subscriptions: set[_RedisSubscription] = set()

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, *parts))

    async def put_waiting(self, call: WaitingCall) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(self._key("queues"), call.queue)
            pipe.hset(self._key("waiting", call.queue), call.call_id, encode(call))
            await pipe.execute()

    async def remove_waiting(self, queue: str, call_id: str) -> None:
        await self._redis.hdel(self._key("waiting", queue), call_id)

    async def waiting(self, queue: str) -> list[WaitingCall]:
        values = await self._redis.hvals(self._key("waiting", queue))
        calls = [decode_waiting(text(v)) for v in values]
        return sorted(calls, key=lambda c: (c.position, c.since, c.call_id))

    async def all_waiting(self) -> dict[str, list[WaitingCall]]:
        queues = sorted(text(q) for q in await self._redis.smembers(self._key("queues")))
        out = {queue: await self.waiting(queue) for queue in queues}
        return {queue: calls for queue, calls in out.items() if calls}

    async def put_operator(self, status: OperatorStatus) -> None:
        await self._redis.hset(self._key("operators"), status.operator_id, encode(status))

    async def remove_operator(self, operator_id: str) -> None:
        await self._redis.hdel(self._key("operators"), operator_id)

    async def operators(self) -> list[OperatorStatus]:
        found = [decode_operator(text(v)) for v in await self._redis.hvals(self._key("operators"))]
        return sorted(found, key=lambda s: s.operator_id)

    async def put_figures(self, figures: QueueFigures) -> None:
        await self._redis.hset(self._key("figures"), figures.queue, encode(figures))

    async def figures(self) -> list[QueueFigures]:
        found = [decode_figures(text(v)) for v in await self._redis.hvals(self._key("figures"))]
        return sorted(found, key=lambda f: f.queue)

    async def clear(self) -> None:
        queues = [text(q) for q in await self._redis.smembers(self._key("queues"))]
        keys = [self._key("waiting", q) for q in queues]
        keys += [self._key("queues"), self._key("operators"), self._key("figures")]
        await self._redis.delete(*keys)

    async def put_picture(self, picture: str, ttl_s: float) -> None:
        await self._redis.set(self._key("picture"), picture, px=max(1, int(ttl_s * 1000)))

    async def picture(self) -> str | None:
        value = await self._redis.get(self._key("picture"))
        return None if value is None else text(value)

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(self._key("ch", channel), message)

    async def subscribe(self, channel: str) -> Subscription:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._key("ch", channel))
        # Wait for the server's confirmation: only then are later publications guaranteed to us.
        while True:
            message = await pubsub.get_message(timeout=5.0)
            if message is None:
                await pubsub.aclose()  # type: ignore[no-untyped-call]
                raise TimeoutError(f"no subscription confirmation for {channel!r}")
            if message["type"] == "subscribe":
                break
        subscription = _RedisSubscription(self, pubsub)
        self._subscriptions.add(subscription)
        return subscription

    def forget(self, subscription: _RedisSubscription) -> None:
        self._subscriptions.discard(subscription)

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.close()
