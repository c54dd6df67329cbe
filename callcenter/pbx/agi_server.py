"""Our FastAGI server on `asyncio.start_server`, with routes registered by name.

panoramisk's FastAGI server spins forever (freezing the loop) when a peer closes before the blank
line that ends the headers, and its sync routes break on Python 3.11. Here the environment is read
with a per-line and a total timeout, EOF and garbage end only that session, and routes must be
coroutines (checked when registered). A route that raises is logged; the session then sets
`CC_AGI_ERROR` to the exception's class name (best effort, so the dialplan can fail open even
where AGISTATUS says SUCCESS) and closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from callcenter.pbx.agi import AgiChannel, AgiError, AgiTimeout, ChannelHungUp
from callcenter.pbx.agi_wire import AgiProtocolError, AgiRequest, build_request, parse_env_line

log = logging.getLogger(__name__)

RouteHandler = Callable[[AgiChannel], Awaitable[None]]

# The decision points the dialplan calls as agi://engine/<name>.
ROUTE_NAMES = (
    "entry",
    "after-queue",
    "callback-offer",
    "callback-confirm",
    "overflow-inbound",
    "ivr",
    "survey",
)


class AgiRoutes:
    """Route name -> async handler."""

    def __init__(self) -> None:
        self._handlers: dict[str, RouteHandler] = {}

    def add(self, name: str, handler: RouteHandler) -> None:
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"AGI route {name!r} must be an async function")
        if name in self._handlers:
            raise ValueError(f"AGI route {name!r} is already registered")
        self._handlers[name] = handler

    def route(self, name: str) -> Callable[[RouteHandler], RouteHandler]:
        def register(handler: RouteHandler) -> RouteHandler:
            self.add(name, handler)
            return handler

        return register

    def get(self, name: str) -> RouteHandler | None:
        return self._handlers.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def missing(self) -> tuple[str, ...]:
        """Decision points of ROUTE_NAMES with no handler yet (worth a warning at start-up)."""
        return tuple(name for name in ROUTE_NAMES if name not in self._handlers)


@dataclass(frozen=True, slots=True)
class AgiLimits:
    line_timeout: float = 2.0  # seconds between two environment lines
    header_timeout: float = 5.0  # seconds for the whole environment
    max_header_lines: int = 256
    max_line_bytes: int = 16 * 1024
    command_timeout: float = 10.0
    media_timeout: float = 600.0
    close_timeout: float = 2.0
    # Connections the kernel holds until accepted. A guard tick redirects many callers at once
    # and each opens a session; past asyncio's default of 100 a connection waits for a SYN
    # retransmit (1 s, then 3 s), longer than res_agi's 2 s connect timeout.
    listen_backlog: int = 1024


async def read_request(reader: asyncio.StreamReader, limits: AgiLimits) -> AgiRequest:
    """Read the `agi_*` block up to its blank line. Raises AgiProtocolError or TimeoutError."""
    env: dict[str, str] = {}
    loop = asyncio.get_running_loop()
    give_up = loop.time() + limits.header_timeout
    # One timeout moved forward per line: a wait_for per line would start a task per line.
    async with asyncio.timeout(None) as deadline:
        for _ in range(limits.max_header_lines):
            deadline.reschedule(min(give_up, loop.time() + limits.line_timeout))
            try:
                raw = await reader.readline()
            except ValueError as exc:  # a line over the stream limit
                raise AgiProtocolError(str(exc)) from exc
            if not raw.endswith(b"\n"):
                raise AgiProtocolError(f"peer closed after {len(env)} environment lines")
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return build_request(env)
            key, value = parse_env_line(line)
            env[key] = value
    raise AgiProtocolError(f"more than {limits.max_header_lines} environment lines")


class AgiServer:
    def __init__(
        self,
        *,
        routes: AgiRoutes,
        host: str = "127.0.0.1",
        port: int = 4573,
        limits: AgiLimits | None = None,
    ) -> None:
        self._routes = routes
        self._host = host
        self._port = port
        self._limits = limits or AgiLimits()
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self.served = 0
        self.rejected = 0
        self.failed = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle,
            self._host,
            self._port,
            limit=self._limits.max_line_bytes,
            backlog=self._limits.listen_backlog,
        )

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        if self._server is None:
            raise RuntimeError("AGI server not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._sessions):
            task.cancel()
        await asyncio.gather(*self._sessions, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._sessions.add(task)
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            if self._server is not None:
                raise  # not our own stop(): the cancellation goes on
            # stop() ended the session: it ends quietly (asyncio would log the cancelled
            # connection task as an error, a traceback per caller at every shutdown).
        finally:
            if task is not None:
                self._sessions.discard(task)
            await self._close(writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            request = await read_request(reader, self._limits)
        except (AgiProtocolError, TimeoutError, ConnectionError) as exc:
            self.rejected += 1
            log.warning("AGI session from %s dropped before its route: %r", peer, exc)
            return
        handler = self._routes.get(request.route)
        if handler is None:
            self.rejected += 1
            log.error("AGI route %r is not registered (channel %s)", request.route, request.channel)
            return
        channel = AgiChannel(
            reader,
            writer,
            request,
            command_timeout=self._limits.command_timeout,
            media_timeout=self._limits.media_timeout,
        )
        await self._run_route(handler, channel)

    async def _run_route(self, handler: RouteHandler, channel: AgiChannel) -> None:
        request = channel.request
        try:
            await handler(channel)
            self.served += 1
        except ChannelHungUp:
            self.served += 1
            log.info("AGI %s: %s hung up", request.route, request.channel)
        except Exception as exc:
            self.failed += 1
            log.exception("AGI route %s failed on %s", request.route, request.channel)
            if not channel.hung_up and not isinstance(exc, AgiTimeout):
                with contextlib.suppress(AgiError, ConnectionError, ValueError):
                    await channel.command(
                        f"SET VARIABLE CC_AGI_ERROR {type(exc).__name__}", wait_s=1.0
                    )

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(ConnectionError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), self._limits.close_timeout)
