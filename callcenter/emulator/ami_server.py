"""The AMI server: banner, Login (plain and MD5), ACLs, permissions, per-client event masks.

It answers as Asterisk 20's manager.c does (messages in shared/asterisk/ami_spec.json,
`wire_format`): Login, Challenge, Logoff, Ping and Events here; every other action known to
`ACTION_AUTHORITY` goes, once its permission is checked, to the injected `handler`, which
answers through the `Session`. Events are written to every session that may and wants to read
them, synchronously, so all clients see the same order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from callcenter.clock import Clock
from callcenter.emulator.ami_auth import ACTION_AUTHORITY, AmiUser, ManagerConf, get_perm
from callcenter.emulator.ami_auth import strings_to_mask as event_mask
from callcenter.emulator.ami_session import Session
from callcenter.emulator.wire import Headers, MessageReader, Request, encode, get

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
BEFORE_LOGIN = frozenset({"login", "logoff", "challenge"})

Handler = Callable[[Session, str, Headers], Awaitable[None]]


class AmiServer:
    def __init__(
        self,
        *,
        conf: ManagerConf,
        handler: Handler,
        clock: Clock,
        host: str = "127.0.0.1",
        port: int = 0,
        on_action: Callable[[Headers], None] | None = None,
        login_failure_delay_s: float = 1.0,
    ) -> None:
        self.conf = conf
        self._on_action = on_action
        self._handler = handler
        self._clock = clock
        self._address = (host, port)
        self._failure_delay = login_failure_delay_s
        self._server: asyncio.Server | None = None
        self._started_at = clock.now()
        self.sessions: set[Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.events_sent = 0

    async def start(self) -> None:
        self._started_at = self._clock.now()
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

    # events -------------------------------------------------------------------------------

    def broadcast(self, event: str, privilege: str, headers: Headers) -> None:
        """One event to every session whose user may read its classes and asked for them."""
        category = get_perm(",".join(w for w in privilege.split(",") if w != "all"))
        head = [("Event", event), ("Privilege", privilege)]
        if self.conf.timestampevents:
            head.append(("Timestamp", f"{self._clock.now():.6f}"))
        data = encode([*head, *headers])
        for session in list(self.sessions):
            if not session.closed and session.wants(category):
                session.event(data)
                self.events_sent += 1

    # connections --------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        peer = writer.get_extra_info("peername")
        loop = asyncio.get_running_loop()
        session = Session(writer, str(peer[0]) if peer else "", loop.time())
        try:
            if sum(not s.authenticated for s in self.sessions) >= self.conf.authlimit:
                log.warning(
                    "AMI: %d unauthenticated sessions; %s refused", self.conf.authlimit, peer
                )
                return
            self.sessions.add(session)
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
            data = await self._read(reader, session)
            if not data:
                return
            for request in parser.feed_requests(data):
                session.hold_events()
                try:
                    await self._dispatch(session, request)
                finally:
                    session.release_events()
                if session.closed:
                    break
            await session.writer.drain()
        await session.writer.drain()

    async def _read(self, reader: asyncio.StreamReader, session: Session) -> bytes:
        """The next bytes; b"" at EOF or when an unauthenticated session ran out of time."""
        if session.authenticated:
            return await reader.read(65536)
        # authtimeout is wall-clock time in Asterisk, so it is real time here too.
        left = self.conf.authtimeout - (asyncio.get_running_loop().time() - session.opened_at)
        try:
            return await asyncio.wait_for(reader.read(65536), max(left, 0.0))
        except TimeoutError:
            log.info("AMI client %s did not log in within %g s", session.address, left)
            return b""

    # actions ------------------------------------------------------------------------------

    async def _dispatch(self, session: Session, request: Request) -> None:
        message = request.headers
        if self._on_action is not None and message:
            self._on_action(message)
        if request.problem:
            session.error(message, request.problem)
            return
        action = get(message, "Action")
        name = action.lower()
        if not action:
            session.error(message, "Missing action in request")
        elif not session.authenticated and name not in BEFORE_LOGIN:
            session.error(message, "Permission denied")
        elif name not in ACTION_AUTHORITY:
            session.error(
                message,
                f"Invalid/unknown command: {action}. "
                "Use Action: ListCommands to show available commands.",
            )
        elif not self._may(session, name):
            session.error(message, "Permission denied")
        elif name in ("login", "challenge", "logoff", "ping", "events"):
            await self._core(session, name, message)
        else:
            await self._handler(session, name, message)

    def _may(self, session: Session, name: str) -> bool:
        authority = ACTION_AUTHORITY[name]
        user = session.user
        return authority == 0 or (user is not None and bool(user.write & authority))

    async def _core(self, session: Session, name: str, m: Headers) -> None:
        if name == "login":
            await self._login(session, m)
        elif name == "challenge":
            self._challenge(session, m)
        elif name == "logoff":
            session.respond(m, "Goodbye", [("Message", "Thanks for all the fish.")])
            session.closed = True
        elif name == "ping":
            now = self._clock.now()
            session.respond(m, "Success", [("Ping", "Pong"), ("Timestamp", f"{now:.6f}")])
        else:
            self._events(session, m)

    def _events(self, session: Session, m: Headers) -> None:
        mask = event_mask(get(m, "EventMask"))
        if mask is None:
            session.error(m, "Invalid event mask")
            return
        session.send_events = mask
        session.respond(m, "Success", [("Events", "On" if mask else "Off")])

    def _challenge(self, session: Session, m: Headers) -> None:
        if get(m, "AuthType").lower() != "md5":
            session.error(m, "Must specify AuthType")
            return
        if not session.challenge:  # a 9-digit buffer in Asterisk, kept for the session
            session.challenge = str(random.randrange(1 << 31))[:9]
        session.respond(m, "Success", [("Challenge", session.challenge)])

    async def _login(self, session: Session, m: Headers) -> None:
        if session.authenticated:
            session.ack(m, "Already authenticated")
            return
        name = get(m, "Username")
        if not self.conf.allowmultiplelogin and any(
            s.user is not None and s.user.name.lower() == name.lower() for s in self.sessions
        ):
            await self._refuse(session, m, "Login Already In Use")
            return
        user = self._authenticate(session, m)
        if user is None:
            await self._refuse(session, m, "Authentication failed")
            return
        session.user = user
        mask = event_mask(get(m, "Events"))
        if mask is not None:
            session.send_events = mask
        session.ack(m, "Authentication accepted")
        self._fully_booted(session)

    def _authenticate(self, session: Session, m: Headers) -> AmiUser | None:
        user = self.conf.user(get(m, "Username"))
        if user is None or not user.allows(session.address):
            return None
        if get(m, "AuthType").lower() == "md5":
            return user if user.key_matches(session.challenge, get(m, "Key")) else None
        return user if get(m, "Secret") == user.secret else None

    async def _refuse(self, session: Session, m: Headers, message: str) -> None:
        """Asterisk waits a second, answers, and closes the connection."""
        log.info("AMI login from %s refused: %s", session.address, message)
        await asyncio.sleep(self._failure_delay)
        session.error(m, message)
        session.closed = True

    def _fully_booted(self, session: Session) -> None:
        system = get_perm("system")
        user = session.user
        if user is None or not (session.send_events & system and user.read & system):
            return
        uptime = str(int(self._clock.now() - self._started_at))
        session.send(
            [
                ("Event", "FullyBooted"),
                ("Privilege", "system,all"),
                ("Uptime", uptime),
                ("LastReload", uptime),
                ("Status", "Fully Booted"),
            ]
        )
