"""The callback work queue shared by engine nodes: earliest deadline first, claimed with a lease.

`CallbackQueue` is the port; `InProcessCallbackQueue` (here) serves one node and
`RedisCallbackQueue` (`callcenter.store.callback_queue_redis`) several. Semantics of both:

- `add(item)` queues a request (or re-queues it after a rebuild); a request with `not_before`
  (a night request, a retry) stays asleep until that time.
- `claim(node_id, now)` hands the due request with the earliest deadline to exactly one node and
  leases it until `now + lease_s`. A node that dies simply stops renewing: once the lease has
  expired, the next `claim` by any node takes the request again. Nothing is lost.
- The holder ends a claim with `complete` (finished), `release` (give it back now) or
  `retry_at(t)` (asleep until `t`); `renew` extends the lease while dialling. These return False
  when the caller no longer holds the lease (it expired and someone else took it over).
- `rebuild_from(items)` makes the queue mirror the database's open requests at start-up: the
  database is the source of truth, the queue only coordinates. Requests leased right now are
  left alone; queued ids that the database no longer lists are dropped.

`now` is passed in (nodes are assumed NTP-synchronised; the lease absorbs small skews).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class QueuedCallback:
    callback_id: str
    deadline: float
    not_before: float | None = None


@dataclass(frozen=True)
class Lease:
    node_id: str
    until: float


class CallbackQueue(Protocol):
    async def add(self, item: QueuedCallback) -> None: ...

    async def claim(self, node_id: str, now: float) -> str | None: ...

    async def renew(self, callback_id: str, node_id: str, now: float) -> bool: ...

    async def release(self, callback_id: str, node_id: str) -> bool: ...

    async def complete(self, callback_id: str, node_id: str) -> bool: ...

    async def retry_at(self, callback_id: str, node_id: str, t: float) -> bool: ...

    async def remove(self, callback_id: str) -> None:
        """Drop a request whoever holds it (cancelled by an operator)."""
        ...

    async def rebuild_from(self, items: Iterable[QueuedCallback]) -> None: ...

    async def lease_of(self, callback_id: str) -> Lease | None: ...

    async def queued(self) -> list[str]:
        """Ids not leased (due or asleep), by deadline."""
        ...


class InProcessCallbackQueue:
    def __init__(self, *, lease_s: float = 30.0) -> None:
        self._lease_s = lease_s
        self._deadline: dict[str, float] = {}
        self._ready: set[str] = set()
        self._asleep: dict[str, float] = {}
        self._leases: dict[str, Lease] = {}

    async def add(self, item: QueuedCallback) -> None:
        if item.callback_id in self._leases:
            return
        self._deadline[item.callback_id] = item.deadline
        self._ready.discard(item.callback_id)
        self._asleep.pop(item.callback_id, None)
        if item.not_before is None:
            self._ready.add(item.callback_id)
        else:
            self._asleep[item.callback_id] = item.not_before

    def _wake(self, now: float) -> None:
        for callback_id, lease in list(self._leases.items()):
            if lease.until <= now:
                del self._leases[callback_id]
                self._ready.add(callback_id)
        for callback_id, not_before in list(self._asleep.items()):
            if not_before <= now:
                del self._asleep[callback_id]
                self._ready.add(callback_id)

    async def claim(self, node_id: str, now: float) -> str | None:
        self._wake(now)
        if not self._ready:
            return None
        chosen = min(self._ready, key=lambda c: (self._deadline[c], c))
        self._ready.remove(chosen)
        self._leases[chosen] = Lease(node_id, now + self._lease_s)
        return chosen

    def _holds(self, callback_id: str, node_id: str) -> bool:
        lease = self._leases.get(callback_id)
        return lease is not None and lease.node_id == node_id

    async def renew(self, callback_id: str, node_id: str, now: float) -> bool:
        if not self._holds(callback_id, node_id):
            return False
        self._leases[callback_id] = Lease(node_id, now + self._lease_s)
        return True

    async def release(self, callback_id: str, node_id: str) -> bool:
        if not self._holds(callback_id, node_id):
            return False
        del self._leases[callback_id]
        self._ready.add(callback_id)
        return True

    async def complete(self, callback_id: str, node_id: str) -> bool:
        if not self._holds(callback_id, node_id):
            return False
        await self.remove(callback_id)
        return True

    async def retry_at(self, callback_id: str, node_id: str, t: float) -> bool:
        if not self._holds(callback_id, node_id):
            return False
        del self._leases[callback_id]
        self._asleep[callback_id] = t
        return True

    async def remove(self, callback_id: str) -> None:
        self._leases.pop(callback_id, None)
        self._ready.discard(callback_id)
        self._asleep.pop(callback_id, None)
        self._deadline.pop(callback_id, None)

    async def rebuild_from(self, items: Iterable[QueuedCallback]) -> None:
        items = list(items)
        keep = {item.callback_id for item in items}
        for callback_id in [*self._ready, *self._asleep]:
            if callback_id not in keep:
                await self.remove(callback_id)
        for item in items:
            await self.add(item)

    async def lease_of(self, callback_id: str) -> Lease | None:
        return self._leases.get(callback_id)

    async def queued(self) -> list[str]:
        ids = [*self._ready, *self._asleep]
        return sorted(ids, key=lambda c: (self._deadline[c], c))
