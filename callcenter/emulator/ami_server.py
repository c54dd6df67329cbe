"""The AMI server: banner, Login, permissions, per-client event filter, event broadcast.

Actions other than Login/Logoff/Ping go to the injected `handler`, which answers through
`Session.respond`/`Session.send`. Events are written to every logged-in client with events on,
synchronously, so all clients see the same order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from callcenter.clock import Clock
from callcenter.emulator.wire import Headers, MessageReader, encode, get

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
WRITE_ACTIONS = frozenset(
    {
        "originate",
        "redirect",
        "queueadd",
        "queueremove",
        "queuepause",
        "queuepenalty",
        "setvar",
        "hangup",
        "userevent",
    }
)
MAX_GARBAGE = 5


class Session:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.user = ""
        self.events = True
        self.closed = False

    def send(self, headers: Headers) -> None:
        if not self.closed and not self.writer.transport.is_closing():
            self.writer.write(encode(headers))

    def respond(self, request: Headers, response: str, headers: Headers | None = None) -> None:
        out: Headers = [("Response", response)]
        action_id = get(request, "ActionID")
        if action_id:
            out.append(("ActionID", action_id))
        self.send(out + (headers or []))

    def error(self, request: Headers, message: str) -> None:
        self.respond(request, "Error", [("Message", message)])


Handler = Callable[[Session, str, Headers], Awaitable[None]]


class AmiServer:
    def __init__(
        self,
        *,
        users: Mapping[str, str],
        handler: Handler,
        clock: Clock,
        readonly_users: frozenset[str] = frozenset({"monitor"}),
        host: str = "127.0.0.1",
        port: int = 0,
        on_action: Callable[[Headers], None] | None = None,
    ) -> None:
        self._on_action = on_action
        self._users = dict(users)
        self._handler = handler
        self._clock = clock
        self._readonly = readonly_users
        self._address = (host, port)
        self._server: asyncio.Server | None = None
        self.sessions: set[Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.events_sent = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, *self._address)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("AMI server not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for session in list(self.sessions):
            session.closed = True
            session.writer.close()
        # Closing the transports ends each reader with EOF; cancelling the handler tasks instead
        # would make asyncio's start_server log them as errors.
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    def broadcast(self, event: str, privilege: str, headers: Headers) -> None:
        data = encode([("Event", event), ("Privilege", privilege), *headers])
        for session in self.sessions:
            if session.user and session.events and not session.closed:
                if session.writer.transport.is_closing():  # peer gone; the reader will notice
                    session.closed = True
                    continue
                session.writer.write(data)
                self.events_sent += 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        session = Session(writer)
        self.sessions.add(session)
        try:
            writer.write(BANNER)
            await self._read_loop(reader, session)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            session.closed = True
            self.sessions.discard(session)
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_loop(self, reader: asyncio.StreamReader, session: Session) -> None:
        parser = MessageReader()
        while not session.closed:
            data = await reader.read(65536)
            if not data:
                return
            for message in parser.feed(data):
                await self._dispatch(session, message)
            while parser.long_lines:
                parser.long_lines -= 1
                session.send(
                    [("Response", "Error"), ("Message", "Failed to parse message: line too long")]
                )
            if parser.garbage_lines >= MAX_GARBAGE:
                log.warning("AMI client sent %d non-header lines: dropped", parser.garbage_lines)
                return
            await session.writer.drain()

    async def _dispatch(self, session: Session, message: Headers) -> None:
        action = get(message, "Action").strip()
        if self._on_action is not None:
            self._on_action(message)
        name = action.lower()
        if not action:
            session.error(message, "Missing action in request")
        elif name == "login":
            self._login(session, message)
        elif name == "logoff":
            session.respond(message, "Goodbye", [("Message", "Thanks for all the fish.")])
            session.closed = True
        elif not session.user:
            session.error(message, "Permission denied")
        elif name == "ping":
            now = self._clock.now()
            session.respond(message, "Success", [("Ping", "Pong"), ("Timestamp", f"{now:.6f}")])
        elif name == "events":
            session.events = get(message, "EventMask").lower() not in ("off", "")
            session.respond(message, "Success", [("Events", "On" if session.events else "Off")])
        elif name in WRITE_ACTIONS and session.user in self._readonly:
            session.error(message, "Permission denied")
        else:
            await self._handler(session, name, message)

    def _login(self, session: Session, message: Headers) -> None:
        user, secret = get(message, "Username"), get(message, "Secret")
        if user not in self._users or self._users[user] != secret:
            session.error(message, "Authentication failed")
            return
        session.user = user
        session.events = get(message, "Events", "on").lower() != "off"
        session.respond(message, "Success", [("Message", "Authentication accepted")])
        if session.events:
            session.send(
                [
                    ("Event", "FullyBooted"),
                    ("Privilege", "system,all"),
                    ("Status", "Fully Booted"),
                    ("Uptime", "1"),
                    ("LastReload", "1"),
                ]
            )
