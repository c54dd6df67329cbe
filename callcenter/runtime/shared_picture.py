"""The supervisors' live picture when several engine nodes share one Redis.

Design: one node publishes the picture, every node shows it. All nodes follow the same Asterisk,
so their pictures are copies of one truth; merging copies would need a rule for which copy wins
for each caller and each operator, and would mix a freshly started node's half-rebuilt picture
(its day figures start from zero) into a complete one. A single publisher is simpler and always
consistent:

- each tick (a second) every node asks for the publisher's lease (`RedisLeases.hold`, a few
  seconds long, renewed by the holder on each tick);
- the publisher puts its whole snapshot (waiting calls, operator states, per-queue figures,
  callbacks, partners) into the live state under one key that expires with the lease, and shows
  it on its own dashboards;
- the other nodes show the snapshot they read from that key.

When the publisher dies its lease and its picture expire within `ttl_s` and the next node to tick
takes over (failover). A node that cannot reach Redis, or finds no picture, shows its own, so the
dashboards never go blank; `status()` tells which case holds for `/api/status`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis

from callcenter.runtime.leases import RedisLeases
from callcenter.store.live import LiveState
from callcenter.web import live
from callcenter.web.status import ComponentStatus

log = logging.getLogger(__name__)

PUBLISHER = "picture-publisher"


class SharedPicture:
    def __init__(
        self,
        *,
        own: Callable[[], live.Snapshot],
        hub: live.LiveHub,
        state: LiveState,
        leases: RedisLeases,
        every_s: float = 1.0,
        ttl_s: float = 3.0,
    ) -> None:
        self._own = own
        self._hub = hub
        self._state = state
        self._leases = leases
        self._every_s = every_s
        self._ttl_s = ttl_s
        self.role = "starting"

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("could not publish the live snapshot")
            await asyncio.sleep(self._every_s)

    async def tick(self) -> None:
        own = self._own()
        try:
            if await self._leases.hold(PUBLISHER, self._ttl_s):
                await self._state.put_picture(own.to_json(), self._ttl_s)
                self._show(own, "publisher")
                return
            shared = await self._state.picture()
        except (aioredis.RedisError, OSError) as exc:
            self._show(own, f"own picture, Redis unreachable: {exc}")
            return
        if shared is None:
            self._show(own, "own picture, no publisher yet")
        else:
            self._show(snapshot_from_json(shared), "follower")

    def _show(self, snapshot: live.Snapshot, role: str) -> None:
        self.role = role
        self._hub.publish(snapshot)

    async def status(self) -> ComponentStatus:
        if self.role == "publisher":
            picture = "dashboard picture published by this node"
        elif self.role == "follower":
            picture = f"dashboard picture shown from node {await self._leases.holder(PUBLISHER)}"
        else:
            picture = f"dashboards show this node's {self.role}"
        ok = "unreachable" not in self.role
        return ComponentStatus(ok, f"redis: {picture}; callback dials leased; actions claimed")


def snapshot_from_json(text: str) -> live.Snapshot:
    """The inverse of `Snapshot.to_json`."""
    d: dict[str, Any] = json.loads(text)
    queues = tuple(
        live.QueueView(
            **{
                **q,
                "waiting": tuple(live.WaitingCaller(**w) for w in q["waiting"]),
                "figures": live.QueueFigures(**q["figures"]),
            }
        )
        for q in d["queues"]
    )
    operators = tuple(
        live.OperatorView(**{**o, "queues": tuple(o["queues"])}) for o in d["operators"]
    )
    return live.Snapshot(
        **{
            **d,
            "queues": queues,
            "operators": operators,
            "callbacks": tuple(live.CallbackView(**c) for c in d["callbacks"]),
            "partners": tuple(live.PartnerView(**p) for p in d["partners"]),
            "alerts": tuple(live.Alert(**a) for a in d["alerts"]),
        }
    )
