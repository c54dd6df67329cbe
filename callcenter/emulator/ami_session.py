"""One AMI client connection: who logged in, which events it wants, and Asterisk's reply shapes."""

from __future__ import annotations

import asyncio

from callcenter.emulator.ami_auth import ALL, AmiUser
from callcenter.emulator.wire import Headers, encode, get

# A client that stops reading is dropped once this much output waits for it (Asterisk drops a
# session whose write blocks for longer than the user's writetimeout).
MAX_BACKLOG = 8 << 20


class Session:
    def __init__(self, writer: asyncio.StreamWriter, address: str, opened_at: float) -> None:
        self.writer = writer
        self.address = address
        self.opened_at = opened_at
        self.user: AmiUser | None = None
        self.send_events = ALL
        self.challenge = ""
        self.closed = False
        self._held: list[bytes] | None = None

    def hold_events(self) -> None:
        """While an action runs, events wait: Asterisk sends them after the action's answer."""
        self._held = []

    def release_events(self) -> None:
        held, self._held = self._held or [], None
        for data in held:
            self.write(data)

    def event(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(data)
        else:
            self.write(data)

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def wants(self, category: int) -> bool:
        """Asterisk's test: the user may read every class of the event, and asked for them."""
        user = self.user
        return (
            user is not None
            and (user.read & category) == category
            and (self.send_events & category) == category
        )

    def write(self, data: bytes) -> None:
        transport = self.writer.transport
        if self.closed or transport.is_closing():
            self.closed = True
            return
        if transport.get_write_buffer_size() > MAX_BACKLOG:
            self.closed = True
            transport.abort()
            return
        self.writer.write(data)

    def send(self, headers: Headers) -> None:
        self.write(encode(headers))

    # responses ----------------------------------------------------------------------------

    def respond(self, request: Headers, response: str, headers: Headers | None = None) -> None:
        """'Response: X', then ActionID if the action had one, then `headers`."""
        self.send([("Response", response), *action_id(request), *(headers or [])])

    def ack(self, request: Headers, message: str) -> None:
        self.respond(request, "Success", [("Message", message)])

    def error(self, request: Headers, message: str) -> None:
        self.respond(request, "Error", [("Message", message)])

    # event lists --------------------------------------------------------------------------

    def list_start(self, request: Headers, message: str) -> None:
        self.respond(request, "Success", [("EventList", "start"), ("Message", message)])

    def list_item(self, event: str, request: Headers, body: Headers, *, id_last: bool) -> None:
        """A list item has no Privilege; app_queue writes the ActionID after the body, the core
        right after the Event line."""
        aid = action_id(request)
        self.send([("Event", event), *body, *aid] if id_last else [("Event", event), *aid, *body])

    def list_complete(
        self, event: str, request: Headers, count: int, extra: Headers | None = None
    ) -> None:
        self.send(
            [
                ("Event", event),
                *action_id(request),
                ("EventList", "Complete"),
                ("ListItems", str(count)),
                *(extra or []),
            ]
        )


def action_id(request: Headers) -> Headers:
    value = get(request, "ActionID")
    return [("ActionID", value)] if value else []
