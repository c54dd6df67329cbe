"""Leases: who does a piece of work among several engine nodes, for as long as it is alive.

Every node follows the same Asterisk and its engine takes the same decisions, so each node's
executor wants to dial the same callback attempt. The attempt is owned through a lease in Redis:

- the first node to ask wins (`SET key node NX PX lease`) and renews the lease every third of
  its length while it works;
- when the work is done the owner replaces the lease with a verdict kept for an hour (`done` or
  `failed`): nobody repeats it, and the others apply a failure to their own engines too;
- when the work raises (say, the owner's AMI connection dropped) the owner releases the lease,
  so another node may try at once;
- the others keep asking while their own engine still waits for that attempt; when the owner
  dies it stops renewing, the lease runs out within `lease_s` and the next node to ask wins.

A cancelled owner (shut down, or a crash in the middle) does not release: it cannot know whether
Asterisk accepted its dial, so the lease runs out instead, and the caller of `run` checks before
taking over that Asterisk shows no leg of that callback (`still_needed`). `SingleNodeLeases` is
the in-process variant: the work is simply done.

`hold` (take or renew) is also how the nodes elect the one that publishes the dashboards' picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import redis.asyncio as aioredis

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"


class Verdict(enum.Enum):
    OURS = "ours"  # this node did the work
    DONE = "done"  # another node did it
    FAILED = "failed"  # another node tried and failed: the attempt failed
    NOT_NEEDED = "not_needed"  # our engine no longer waits for it


Work = Callable[[], Awaitable[bool]]  # True: done, False: failed (not to be repeated)


class Leases(Protocol):
    async def run(self, key: str, work: Work, still_needed: Callable[[], bool]) -> Verdict: ...


class SingleNodeLeases:
    async def run(self, key: str, work: Work, still_needed: Callable[[], bool]) -> Verdict:
        await work()
        return Verdict.OURS


# KEYS[1]; ARGV: node, lease in ms. Take a free key or renew our own.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS[1]; ARGV: node, value ('' to release), ms. Only the holder may end its lease.
_END = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
"""


class RedisLeases:
    def __init__(
        self,
        client: aioredis.Redis,
        *,
        node_id: str,
        prefix: str,
        lease_s: float = 10.0,
        verdict_s: float = 3600.0,
    ) -> None:
        self._client = client
        self.node_id = node_id
        self._prefix = prefix
        self.lease_s = lease_s
        self._verdict_ms = int(verdict_s * 1000)
        self._hold = client.register_script(_HOLD)
        self._end = client.register_script(_END)

    async def hold(self, key: str, lease_s: float | None = None) -> bool:
        """Take `key` if free, renew it if ours; False while another node holds it."""
        ms = int((lease_s or self.lease_s) * 1000)
        return bool(await self._hold(keys=[self._prefix + key], args=[self.node_id, ms]))

    async def holder(self, key: str) -> str | None:
        value = await self._client.get(self._prefix + key)
        return None if value is None else _text(value)

    async def run(self, key: str, work: Work, still_needed: Callable[[], bool]) -> Verdict:
        """Do `work` once among all nodes; wait while another live node holds it."""
        while True:
            try:
                won = await self.hold(key)
                holder = None if won else await self.holder(key)
            except (aioredis.RedisError, OSError) as exc:
                log.warning("lease %s: Redis unreachable, asking again: %s", key, exc)
                won, holder = False, None
            if won:
                return await self._work(key, work)
            if holder == DONE:
                return Verdict.DONE
            if holder == FAILED:
                return Verdict.FAILED
            if not still_needed():
                return Verdict.NOT_NEEDED
            await asyncio.sleep(self.lease_s / 3)

    async def _work(self, key: str, work: Work) -> Verdict:
        renewing = asyncio.create_task(self._renew(key), name=f"lease {key}")
        try:
            ok = await work()
        except Exception:
            await _stop(renewing)
            await self._finish(key, "")  # another node may try at once
            raise
        finally:
            renewing.cancel()  # cancelled ourselves: no release (see the module's note)
        await _stop(renewing)
        await self._finish(key, DONE if ok else FAILED)
        return Verdict.OURS

    async def _renew(self, key: str) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                if not await self.hold(key):
                    log.error("lease %s lost while working on it: another node may repeat it", key)
                    return
            except (aioredis.RedisError, OSError) as exc:
                log.warning("could not renew lease %s: %s", key, exc)

    async def _finish(self, key: str, value: str) -> None:
        try:
            await self._end(keys=[self._prefix + key], args=[self.node_id, value, self._verdict_ms])
        except (aioredis.RedisError, OSError) as exc:
            log.warning("could not end lease %s (it runs out by itself): %s", key, exc)


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
