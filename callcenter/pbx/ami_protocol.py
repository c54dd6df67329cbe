"""panoramisk's AMI protocol with our decoder, explicit action completion and no replay.

We keep panoramisk's `Action` (ActionIDs, serialisation, a future per action) and its
`AMIProtocol.send`. We replace: `data_received` (incremental UTF-8, and our `AmiMessage` in
place of panoramisk's `Message`: see `ami_wire`), the guessing of whether an answer is a list
(`Action.multi` never completes an `Error` answer to a list action, and treats "Added interface
to queue" as a list), and `close`, which re-queues unanswered actions to be replayed after a
reconnect (a replayed Originate would dial a citizen twice): here pending actions fail with a
reason instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol

from callcenter.pbx.ami_fields import text
from callcenter.pbx.ami_wire import AmiFrameDecoder, AmiMessage

log = logging.getLogger(__name__)


class EventSink(Protocol):
    def on_event(self, message: AmiMessage) -> None: ...


class AmiAction(Action):  # type: ignore[misc]
    """One action in flight. A list action completes on its `complete_event`, or at once if the
    first answer is not a success; `on_list_start` runs when the list's first answer arrives."""

    def __init__(
        self,
        headers: dict[str, Any],
        *,
        complete_event: str | None = None,
        on_list_start: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(headers)
        self.complete_event = complete_event
        self.on_list_start = on_list_start
        self.failure: str | None = None

    def add_message(self, message: AmiMessage) -> bool:
        """Record an answer; True once the action is complete (panoramisk then forgets it)."""
        self.responses.append(message)
        if self.future.done():
            return True
        if len(self.responses) == 1:
            if self.complete_event is None or text(message, "response") != "Success":
                self.future.set_result(list(self.responses))
                return True
            if self.on_list_start is not None:
                self.on_list_start()
            return False
        if text(message, "event") == self.complete_event:
            self.future.set_result(list(self.responses))
            return True
        return False

    def fail(self, reason: str) -> None:
        self.failure = reason
        if not self.future.done():
            self.future.set_result(list(self.responses))


class AmiProtocol(AMIProtocol):  # type: ignore[misc]
    def __init__(self, sink: EventSink, *, wanted_events: frozenset[str] | None = None) -> None:
        """`wanted_events`: the events `sink` reads (others are dropped unparsed); None: all."""
        super().__init__()
        self._sink = sink
        self._decoder = AmiFrameDecoder(wanted_events=wanted_events)
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.encoding = "utf-8"
        self.log = log

    def data_received(self, data: bytes) -> None:
        for message in self._decoder.feed(data):
            try:
                self.handle_message(message)
            except Exception:  # one bad message must not cost the connection
                log.exception("AMI message dropped: %r", dict(message.items()))
        self.version = self._decoder.version

    def handle_message(self, message: AmiMessage) -> None:
        action_id = text(message, "actionid")
        action = self.responses.get(action_id) if action_id else None
        if action is not None:
            if action.add_message(message):
                self.responses.pop(action.id, None)
            return
        if "event" in message.fields:
            self._sink.on_event(message)
        else:
            log.warning("AMI response to no pending action dropped: %r", dict(message.items()))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        reason = f"AMI connection lost ({exc or 'closed'})"
        for action in list(self.responses.values()):
            action.fail(reason)
        self.responses.clear()
        if not self.lost.done():
            self.lost.set_result(None)

    def forget(self, action: AmiAction) -> None:
        self.responses.pop(action.id, None)

    def close(self) -> None:
        transport = getattr(self, "transport", None)
        if transport is not None and not transport.is_closing():
            transport.close()
