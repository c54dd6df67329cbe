"""A partner that accepts connections but never answers must not slow our own decisions."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from federation_centers import (
    Center,
    bound_socket,
    call_request,
    close_center,
    start_center,
    wait_for,
)


class HangingServer:
    """Accepts TCP connections, reads nothing useful and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def _handle(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def close(self) -> None:
        for w in self._writers:
            w.close()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def hanging() -> AsyncIterator[HangingServer]:
    server = HangingServer()
    yield server
    await server.close()


async def test_given_a_hanging_partner_when_polling_then_local_reads_stay_instant(
    hanging: HangingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="callcenter.federation")
    a, b = Center("center-a", bound_socket()), Center("center-b", bound_socket())
    hang_url = await hanging.start()
    await start_center(a, {"center-b": b.url})
    await start_center(b, {"center-a": a.url, "center-c": hang_url})
    try:
        b.fed.poller.start()
        await wait_for(lambda: hanging.connections >= 1 and b.fed.latest("center-a") is not None)
        # The poll of center-c is now stuck inside the request.
        stuck_since = time.monotonic()
        started = time.perf_counter()
        views = b.fed.partners()
        await asyncio.sleep(0)
        elapsed = time.perf_counter() - started
        assert elapsed < 0.05, elapsed
        assert [v.partner_id for v in views] == ["center-a"]
        assert b.fed.latest("center-c") is None

        # The healthy partner keeps being polled while the other one hangs.
        heard = sum(u.partner_id == "center-a" for u in b.updates)
        await wait_for(lambda: sum(u.partner_id == "center-a" for u in b.updates) >= heard + 3)

        # The per-request timeout (0.5 s) fires and the poller carries on.
        await wait_for(
            lambda: any(
                "center-c capacity poll failed: timeout" in r.getMessage() for r in caplog.records
            ),
            limit_s=2.0,
        )
        assert time.monotonic() - stuck_since < 1.5
        await wait_for(lambda: hanging.connections >= 2, limit_s=2.0)
    finally:
        for c in (a, b):
            await close_center(c)


async def test_given_a_hanging_partner_when_handing_off_then_unavailable_after_the_timeout(
    hanging: HangingServer,
) -> None:
    a = Center("center-a", bound_socket())
    await start_center(a, {"center-c": await hanging.start()})
    try:
        started = time.monotonic()
        result = await a.fed.offer_handoff("center-c", call_request())
        took = time.monotonic() - started
        assert result.decision.reason == "unavailable"
        assert 0.4 < took < 1.0, took
        assert a.fed.stats()["out"]["center-c"]["errors"] == 1
    finally:
        await close_center(a)
