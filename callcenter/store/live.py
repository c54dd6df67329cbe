"""Live state: who waits where, what each operator is doing, per-queue figures, and pub/sub.

`LiveState` is the port; two adapters implement it:

- `InProcessLiveState` (this module): one engine node; dictionaries and bounded in-memory queues.
- `RedisLiveState` (`callcenter.store.live_redis`): several engine nodes and dashboards share the
  picture through Redis hashes and Redis pub/sub.

The dashboards' picture (`put_picture`) is one JSON document with an expiry: with several nodes one
of them publishes it and the others show it (see `callcenter.runtime.shared_picture`).

Live state is a cache of what Asterisk knows: after a restart the engine rebuilds it from
`QueueStatus`/`CoreShowChannels` (call `clear()` first), so nothing here needs to be durable.
Times are epoch seconds. Subscribers get messages published after `subscribe()` returned; a slow
in-process subscriber loses its oldest messages rather than stalling the publisher.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class WaitingCall:
    call_id: str
    queue: str
    since: float
    position: int
    predicted_wait_s: float | None = None


@dataclass(frozen=True)
class OperatorStatus:
    operator_id: str
    state: str  # e.g. "available", "ringing", "talking", "wrapup", "paused", "offline"
    since: float
    pause_reason: str | None = None


@dataclass(frozen=True)
class QueueFigures:
    queue: str
    at: float
    waiting: int = 0
    longest_wait_s: float = 0.0
    available_operators: int = 0
    predicted_wait_s: float | None = None
    service_level_pct: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class Subscription(Protocol):
    """Messages of one channel, in publication order, until `close()`."""

    def __aiter__(self) -> AsyncIterator[str]: ...

    async def __anext__(self) -> str: ...

    async def close(self) -> None: ...


class LiveState(Protocol):
    async def put_waiting(self, call: WaitingCall) -> None: ...

    async def remove_waiting(self, queue: str, call_id: str) -> None: ...

    async def waiting(self, queue: str) -> list[WaitingCall]:
        """Callers waiting in `queue`, by position."""
        ...

    async def all_waiting(self) -> dict[str, list[WaitingCall]]: ...

    async def put_operator(self, status: OperatorStatus) -> None: ...

    async def remove_operator(self, operator_id: str) -> None: ...

    async def operators(self) -> list[OperatorStatus]:
        """All operators, by id."""
        ...

    async def put_figures(self, figures: QueueFigures) -> None: ...

    async def figures(self) -> list[QueueFigures]:
        """Figures of every queue, by queue name."""
        ...

    async def clear(self) -> None:
        """Forget everything (before a resynchronisation from Asterisk)."""
        ...

    async def put_picture(self, picture: str, ttl_s: float) -> None:
        """The dashboards' whole picture (JSON), forgotten after `ttl_s` unless put again."""
        ...

    async def picture(self) -> str | None: ...

    async def publish(self, channel: str, message: str) -> None: ...

    async def subscribe(self, channel: str) -> Subscription:
        """Start listening; messages published after this returns are delivered."""
        ...

    async def close(self) -> None: ...


def encode(item: WaitingCall | OperatorStatus | QueueFigures) -> str:
    return json.dumps(asdict(item), ensure_ascii=False, sort_keys=True)


def decode_waiting(text: str) -> WaitingCall:
    return WaitingCall(**json.loads(text))


def decode_operator(text: str) -> OperatorStatus:
    return OperatorStatus(**json.loads(text))


def decode_figures(text: str) -> QueueFigures:
    return QueueFigures(**json.loads(text))


class _QueueSubscription:
    def __init__(self, owner: InProcessLiveState, channel: str, maxsize: int) -> None:
        self._owner = owner
        self.channel = channel
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self._closed = False

    def offer(self, message: str) -> None:
        if self.queue.full():
            self.queue.get_nowait()  # drop the oldest: dashboards only need the newest picture
        self.queue.put_nowait(message)

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        if self._closed:
            raise StopAsyncIteration
        message = await self.queue.get()
        if message is None:
            raise StopAsyncIteration
        return message

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._owner.unsubscribe(self)
            if self.queue.full():
                self.queue.get_nowait()
            self.queue.put_nowait(None)  # wakes a reader blocked in __anext__


class InProcessLiveState:
    """Single-node live state. `maxsize` bounds each subscriber's backlog."""

    def __init__(self, *, maxsize: int = 100) -> None:
        self._maxsize = maxsize
        self._waiting: dict[str, dict[str, WaitingCall]] = {}
        self._operators: dict[str, OperatorStatus] = {}
        self._figures: dict[str, QueueFigures] = {}
        self._subscribers: dict[str, set[_QueueSubscription]] = {}
        self._picture: tuple[str, float] | None = None  # (picture, monotonic expiry)

    async def put_waiting(self, call: WaitingCall) -> None:
        self._waiting.setdefault(call.queue, {})[call.call_id] = call

    async def remove_waiting(self, queue: str, call_id: str) -> None:
        calls = self._waiting.get(queue, {})
        calls.pop(call_id, None)
        if not calls:
            self._waiting.pop(queue, None)

    async def waiting(self, queue: str) -> list[WaitingCall]:
        calls = self._waiting.get(queue, {}).values()
        return sorted(calls, key=lambda c: (c.position, c.since, c.call_id))

    async def all_waiting(self) -> dict[str, list[WaitingCall]]:
        return {queue: await self.waiting(queue) for queue in sorted(self._waiting)}

    async def put_operator(self, status: OperatorStatus) -> None:
        self._operators[status.operator_id] = status

    async def remove_operator(self, operator_id: str) -> None:
        self._operators.pop(operator_id, None)

    async def operators(self) -> list[OperatorStatus]:
        return [self._operators[k] for k in sorted(self._operators)]

    async def put_figures(self, figures: QueueFigures) -> None:
        self._figures[figures.queue] = figures

    async def figures(self) -> list[QueueFigures]:
        return [self._figures[k] for k in sorted(self._figures)]

    async def clear(self) -> None:
        self._waiting.clear()
        self._operators.clear()
        self._figures.clear()

    async def put_picture(self, picture: str, ttl_s: float) -> None:
        self._picture = (picture, time.monotonic() + ttl_s)

    async def picture(self) -> str | None:
        if self._picture is None or self._picture[1] < time.monotonic():
            return None
        return self._picture[0]

    async def publish(self, channel: str, message: str) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.offer(message)

    async def subscribe(self, channel: str) -> Subscription:
        subscription = _QueueSubscription(self, channel, self._maxsize)
        self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: _QueueSubscription) -> None:
        self._subscribers.get(subscription.channel, set()).discard(subscription)

    async def close(self) -> None:
        for subscriptions in list(self._subscribers.values()):
            for subscription in list(subscriptions):
                await subscription.close()
