"""Exactly-once actions across engine nodes.

Every engine node follows the same Asterisk over AMI and its engine takes the same decisions, so
each node would redirect the same caller or dial the same callback. Before an action that must
happen once, a node claims it: in Redis with `SET key node NX PX ttl` (the first node wins; the
claim expires so a crashed node's actions can be claimed again later), in-process always.
Callback dials use renewed leases instead (`callcenter.runtime.leases`): a dead node's dial must
be taken over well within the callback's deadline, not after the claim's ten minutes.
"""

from __future__ import annotations

from typing import Protocol

import redis.asyncio as aioredis


class ActionClaims(Protocol):
    async def claim(self, key: str) -> bool: ...


class SingleNodeClaims:
    async def claim(self, key: str) -> bool:
        return True


class RedisClaims:
    def __init__(
        self,
        client: aioredis.Redis,
        *,
        node_id: str,
        prefix: str = "cc:claim:",
        ttl_ms: int = 600_000,
    ) -> None:
        self._client = client
        self._node = node_id
        self._prefix = prefix
        self._ttl_ms = ttl_ms

    async def claim(self, key: str) -> bool:
        won = await self._client.set(self._prefix + key, self._node, nx=True, px=self._ttl_ms)
        return bool(won)
