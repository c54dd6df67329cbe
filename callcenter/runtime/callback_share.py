"""Callback requests booked on one engine node become known to every other node at once.

A caller books a callback through the FastAGI route of one node, an operator through one node's
workplace; the other nodes follow the same Asterisk but see neither, so without this they would
learn the request only at their next start (from the database). The booking node announces each
new request on the live state's `callbacks` channel (Redis pub/sub) and every node files it in
its engine as a restored request (idempotent: a known request is left as it is). So each engine
dispatches it, and the dial lease (`callcenter.runtime.leases`) decides which node dials; if that
node dies, another one still knows the request and takes the dial over.

A node cut off from Redis resubscribes; what was announced meanwhile it learns at its next start.
Subscribe before the engine restores requests from the database (`subscribe()` then
`runtime.start()`), so a request booked in between is not missed.
"""

from __future__ import annotations

import json
import logging

from callcenter.runtime.channel_follow import follow
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.tasks import TaskSet
from callcenter.store.live import LiveState, Subscription
from queue_engine import events as ev
from queue_engine.messages import CallbackRestored

log = logging.getLogger(__name__)

CHANNEL = "callbacks"


class CallbackShare:
    def __init__(self, *, runner: EngineRunner, state: LiveState, node_id: str) -> None:
        self._runner = runner
        self._state = state
        self._node = node_id
        self._subscription: Subscription | None = None
        # Requests restored from the database at start-up are every node's already: only those
        # filed once running (an operator's) are announced, never those other nodes announced.
        self._live = False
        self._filing = False
        self.tasks = TaskSet("callback share")

    def __call__(self, batch: Batch) -> None:
        """Runner sink: announce each request this node's engine took on since it started."""
        if self._filing:
            return  # another node's request: it announced it itself
        if isinstance(batch.message, CallbackRestored) and self._live:
            self._announce(batch.message.callback_id)  # an operator's request
        for output in batch.outputs:
            if isinstance(output, ev.CallbackRequested):
                self._announce(output.callback_id)  # a caller's

    def _announce(self, callback_id: str) -> None:
        request = self._runner.engine.callbacks.desk.requests.get(callback_id)
        if request is None:
            return
        message = {
            "node": self._node,
            "callback_id": request.callback_id,
            "call_id": request.call_id,
            "number": request.number,
            "topic": request.topic,
            "requested_at": request.requested_at,
            "deadline": request.deadline,
            "not_before": request.not_before,
            "queue": request.queue,  # where a citizen-first callback joins
        }
        text = json.dumps(message, ensure_ascii=False)
        self.tasks.spawn(self._state.publish(CHANNEL, text), name="announce callback")

    async def subscribe(self) -> None:
        self._subscription = await self._state.subscribe(CHANNEL)

    async def run(self) -> None:
        """Files every request announced by the other nodes, until cancelled."""
        self._live = True
        first, self._subscription = self._subscription, None
        await follow(self._state, CHANNEL, self._file, what="callback announcements", first=first)

    def _file(self, text: str) -> None:
        try:
            message = json.loads(text)
            if message.pop("node") == self._node:
                return
            restored = CallbackRestored(**message)
        except (ValueError, TypeError, KeyError) as exc:
            log.error("ignored a malformed callback announcement %r: %s", text[:200], exc)
            return
        self._filing = True
        try:
            self._runner.feed(restored)
        finally:
            self._filing = False
