"""Helpers for the emulator tests: a plain-socket AMI client and event predicates.

A uniquely named module (not conftest) so that `import` cannot pick another directory's file.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from callcenter.emulator.wire import Headers, MessageReader, encode, get


class RawAmi:
    """A minimal AMI client over a bare socket, to see exactly what goes over the wire."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.parser = MessageReader()
        self.pending: list[Headers] = []
        self.banner = ""

    @classmethod
    async def connect(cls, port: int) -> RawAmi:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
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

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def event_is(name: str, **headers: str) -> Callable[[Headers], bool]:
    def pred(m: Headers) -> bool:
        return get(m, "Event") == name and all(get(m, k) == v for k, v in headers.items())

    return pred
