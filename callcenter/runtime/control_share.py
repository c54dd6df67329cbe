"""Supervisor controls taken by one engine node hold on every node.

A supervisor's request reaches the web API of one node, but with several nodes (Redis) the
callers' FastAGI sessions may go to any of them: the emergency mode and a queue's wait limit must
change everywhere at once. The node that applied a control publishes it on the live state's
`controls` channel and every other node applies it to its own engine. The audit log, which a
restarting node reads the controls back from, is written once, by the node that took the request.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from callcenter.runtime.channel_follow import follow
from callcenter.runtime.live_runtime import LiveRuntime
from callcenter.runtime.tasks import TaskSet
from callcenter.store.live import LiveState, Subscription
from queue_engine import messages as m
from queue_engine.errors import QueueEngineError

log = logging.getLogger(__name__)

CHANNEL = "controls"


class ControlShare:
    def __init__(self, *, runtime: LiveRuntime, state: LiveState, node_id: str) -> None:
        self._rt = runtime
        self._state = state
        self._node = node_id
        self._subscription: Subscription | None = None
        self.tasks = TaskSet("control share")

    def emergency(self, on: bool, announcement: str) -> None:
        self._publish({"kind": "emergency", "on": on, "announcement": announcement})

    def queue_limit(self, queue: str, limit_s: float) -> None:
        self._publish({"kind": "queue_limit", "queue": queue, "limit_s": limit_s})

    def _publish(self, control: dict[str, Any]) -> None:
        text = json.dumps({"node": self._node, **control}, ensure_ascii=False)
        self.tasks.spawn(self._state.publish(CHANNEL, text), name="announce control")

    async def subscribe(self) -> None:
        self._subscription = await self._state.subscribe(CHANNEL)

    async def run(self) -> None:
        """Applies the controls the other nodes announce, until cancelled."""
        first, self._subscription = self._subscription, None
        await follow(self._state, CHANNEL, self.apply, what="control announcements", first=first)

    def apply(self, text: str) -> None:
        try:
            control = json.loads(text)
            if control["node"] == self._node:
                return
            by = f"node {control['node']}"
            if control["kind"] == "emergency":
                on = bool(control["on"])
                self._rt.announcement = str(control["announcement"]) if on else ""
                self._rt.runner.feed(m.EmergencySet(on, by=by))
            elif control["kind"] == "queue_limit":
                limit = float(control["limit_s"])
                self._rt.runner.feed(m.QueueLimitChanged(str(control["queue"]), limit, by=by))
            else:
                raise ValueError(f"unknown kind {control['kind']!r}")
        except (ValueError, TypeError, KeyError, QueueEngineError) as exc:
            log.error("ignored a control announcement %r: %s", text[:200], exc)
