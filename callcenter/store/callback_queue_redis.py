"""`CallbackQueue` on Redis: one queue for every engine node (see `callback_queue` for semantics).

Keys under `prefix`: `ready` (sorted set scored by deadline: earliest-deadline-first), `asleep`
(sorted set scored by not_before), `deadline` (hash id -> deadline), `leases` (sorted set scored
by lease expiry) and `owner` (hash id -> node id).

Every state change is one Lua script, which Redis runs atomically: a claim pops the head of `ready`
and records the lease in the same step, so two nodes can never take the same request, and no
WATCH/MULTI retry loop is needed under contention. Redis may lose its data (no persistence is
assumed): the database holds every request and `rebuild_from` restores the queue at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from callcenter.store.callback_queue import Lease, QueuedCallback
from callcenter.store.live_redis import text

# KEYS: ready asleep deadline leases owner.
_WAKE = """
-- ARGV[1] stays a string: Lua numbers print with 14 digits and would round epoch times.
local now = ARGV[1]
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], '-inf', now, 'BYSCORE')) do
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  local d = redis.call('HGET', KEYS[3], id)
  if d then redis.call('ZADD', KEYS[1], d, id) end
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], '-inf', now, 'BYSCORE')) do
  redis.call('ZREM', KEYS[2], id)
  local d = redis.call('HGET', KEYS[3], id)
  if d then redis.call('ZADD', KEYS[1], d, id) end
end
"""

_CLAIM = (
    _WAKE
    + """
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if #head == 0 then return false end
local id = head[1]
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[4], ARGV[3], id)
redis.call('HSET', KEYS[5], id, ARGV[2])
return id
"""
)

# ARGV: id node [arg]. Each returns 0 when `node` does not hold the lease.
_HOLDER = """
if redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[2] then return 0 end
"""

_RENEW = _HOLDER + "redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1]) return 1"

_RELEASE = (
    _HOLDER
    + """
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], ARGV[1]), ARGV[1])
return 1
"""
)

_COMPLETE = (
    _HOLDER
    + """
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""
)

_RETRY = (
    _HOLDER
    + """
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"""
)

# ARGV: id deadline [not_before]. A leased request keeps its lease.
_ADD = """
if redis.call('ZSCORE', KEYS[4], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
return 1
"""

# ARGV: ids to keep. Drops queued (not leased) requests that are not among them.
_PRUNE = """
local keep = {}
for _, id in ipairs(ARGV) do keep[id] = true end
for _, key in ipairs({KEYS[1], KEYS[2]}) do
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if not keep[id] then
      redis.call('ZREM', key, id)
      redis.call('HDEL', KEYS[3], id)
    end
  end
end
return 1
"""

_REMOVE = """
for i = 1, 2 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1
"""


class RedisCallbackQueue:
    def __init__(self, *, redis: Redis, prefix: str, lease_s: float = 30.0) -> None:
        self._redis = redis
        self._lease_s = lease_s
        names = ("ready", "asleep", "deadline", "leases", "owner")
        self._keys = [f"{prefix}:{name}" for name in names]
        self._scripts = {
            name: redis.register_script(source)
            for name, source in {
                "claim": _CLAIM,
                "renew": _RENEW,
                "release": _RELEASE,
                "complete": _COMPLETE,
                "retry": _RETRY,
                "add": _ADD,
                "prune": _PRUNE,
                "remove": _REMOVE,
            }.items()
        }

    @property
    def keys(self) -> list[str]:
        """Every Redis key this queue uses (for cleanup)."""
        return list(self._keys)

    async def _run(self, name: str, *args: Any) -> Any:
        return await self._scripts[name](keys=self._keys, args=list(args))

    async def add(self, item: QueuedCallback) -> None:
        args: list[Any] = [item.callback_id, repr(item.deadline)]
        if item.not_before is not None:
            args.append(repr(item.not_before))
        await self._run("add", *args)

    async def claim(self, node_id: str, now: float) -> str | None:
        claimed = await self._run("claim", repr(now), node_id, repr(now + self._lease_s))
        return None if claimed is None else text(claimed)

    async def renew(self, callback_id: str, node_id: str, now: float) -> bool:
        return bool(await self._run("renew", callback_id, node_id, repr(now + self._lease_s)))

    async def release(self, callback_id: str, node_id: str) -> bool:
        return bool(await self._run("release", callback_id, node_id))

    async def complete(self, callback_id: str, node_id: str) -> bool:
        return bool(await self._run("complete", callback_id, node_id))

    async def retry_at(self, callback_id: str, node_id: str, t: float) -> bool:
        return bool(await self._run("retry", callback_id, node_id, repr(t)))

    async def remove(self, callback_id: str) -> None:
        await self._run("remove", callback_id)

    async def rebuild_from(self, items: Iterable[QueuedCallback]) -> None:
        items = list(items)
        await self._run("prune", *[item.callback_id for item in items])
        for item in items:
            await self.add(item)

    async def lease_of(self, callback_id: str) -> Lease | None:
        until = await self._redis.zscore(self._keys[3], callback_id)
        owner = await self._redis.hget(self._keys[4], callback_id)
        if until is None or owner is None:
            return None
        return Lease(text(owner), float(until))

    async def queued(self) -> list[str]:
        ready: list[Any] = await self._redis.zrange(self._keys[0], 0, -1)
        asleep = await self._redis.zrange(self._keys[1], 0, -1)
        deadlines = await self._redis.hgetall(self._keys[2])
        by_id = {text(k): float(v) for k, v in deadlines.items()}
        ids = [text(m) for m in [*ready, *asleep]]
        return sorted(ids, key=lambda c: (by_id.get(c, float("inf")), c))
