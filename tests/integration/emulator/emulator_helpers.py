"""Helpers for the emulator tests: a plain-socket AMI client and event predicates.

A uniquely named module (not conftest) so that `import` cannot pick another directory's file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from callcenter.emulator.wire import Headers, MessageReader, encode, get


class RawAmi:
    """A minimal AMI client over a bare socket, to see exactly what goes over the wire."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.parser = MessageReader(for_client=True)
        self.pending: list[Headers] = []
        self.banner = ""

    @classmethod
    async def connect(cls, port: int, *, source: str | None = None) -> RawAmi:
        """Connect from 127.0.0.1, or from another loopback `source` address (127.0.0.2)."""
        local = (source, 0) if source else None
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=local)
        client = cls(reader, writer)
        client.banner = (await reader.readline()).decode()
        return client

    async def send(self, *headers: tuple[str, str]) -> None:
        self.writer.write(encode(headers))
        await self.writer.drain()

    async def next(self, within: float = 5.0) -> Headers:
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), within)
            if not data:
                raise ConnectionError("closed")
            self.pending.extend(self.parser.feed(data))
        return self.pending.pop(0)

    async def until(self, pred: Callable[[Headers], bool], within: float = 10.0) -> list[Headers]:
        """Every message up to and including the first one matching `pred`."""
        seen: list[Headers] = []
        deadline = time.monotonic() + within
        while True:
            message = await self.next(max(0.01, deadline - time.monotonic()))
            seen.append(message)
            if pred(message):
                return seen

    async def login(self, user: str = "engine", secret: str = "change-me-engine") -> Headers:
        await self.send(
            ("Action", "Login"), ("Username", user), ("Secret", secret), ("ActionID", "login-1")
        )
        return await self.next()

    async def login_md5(self, user: str, secret: str) -> Headers:
        await self.send(("Action", "Challenge"), ("AuthType", "MD5"), ("ActionID", "ch-1"))
        challenge = get(await self.next(), "Challenge")
        key = hashlib.md5((challenge + secret).encode()).hexdigest()
        await self.send(
            ("Action", "Login"),
            ("AuthType", "MD5"),
            ("Username", user),
            ("Key", key),
            ("ActionID", "login-md5"),
        )
        return await self.next()

    async def closed(self, within: float = 5.0) -> bool:
        """True once the server has closed the connection (whatever it sent before)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                data = await asyncio.wait_for(self.reader.read(65536), deadline - time.monotonic())
            except TimeoutError:
                return False
            except ConnectionError:
                data = b""
            if not data:
                await self.close()
                return True
            self.pending.extend(self.parser.feed(data))
        return False

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def event_is(name: str, **headers: str) -> Callable[[Headers], bool]:
    def pred(m: Headers) -> bool:
        return get(m, "Event") == name and all(get(m, k) == v for k, v in headers.items())

    return pred


def write_manager_conf(directory: Path, users: str, general: str = "") -> Path:
    """A manager.conf for one test: `[general]` settings and user sections."""
    path = directory / "manager.conf"
    path.write_text(f"[general]\nenabled = yes\n{general}\n{users}", encoding="utf-8")
    return path
