"""The FastAGI server over real TCP, with a scripted fake Asterisk on the other end: routing,
commands and replies, hang-up, and peers that close early, send garbage or stall."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from callcenter.pbx.agi import AgiChannel, ChannelHungUp
from callcenter.pbx.agi_server import ROUTE_NAMES, AgiLimits, AgiRoutes, AgiServer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agi"
LIMITS = AgiLimits(line_timeout=0.3, header_timeout=1.0, command_timeout=1.0)


def env_block(route: str, uniqueid: str = "1700000000.1") -> bytes:
    lines = [
        "agi_network: yes",
        f"agi_network_script: {route}",
        f"agi_request: agi://127.0.0.1/{route}",
        "agi_channel: PJSIP/trunk-00000001",
        "agi_language: ru",
        f"agi_uniqueid: {uniqueid}",
        "agi_callerid: 79001234567",
        "agi_calleridname: Пётр Ильич",
        "agi_arg_1: day",
    ]
    return ("\n".join(lines) + "\n\n").encode()


class FakeAsterisk:
    """One FastAGI session seen from Asterisk: it writes the environment, then answers each
    command line with `reply(command)` (a list of lines, e.g. ['HANGUP', '200 result=-1'])."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.commands: list[str] = []

    async def session(
        self, env: bytes, reply: Callable[[str], list[str]] = lambda _: ["200 result=1"]
    ) -> bool:
        """Run a session; True if the server closed it cleanly."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(env)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return True
                command = line.decode().rstrip("\n")
                self.commands.append(command)
                writer.write("".join(r + "\n" for r in reply(command)).encode())
                await writer.drain()
        finally:
            writer.close()


@pytest.fixture
async def routes() -> AgiRoutes:
    return AgiRoutes()


@pytest.fixture
async def server(routes: AgiRoutes) -> AsyncIterator[AgiServer]:
    agi = AgiServer(routes=routes, port=0, limits=LIMITS)
    await agi.start()
    yield agi
    await agi.stop()


async def entry(ch: AgiChannel) -> None:
    await ch.set_variable("CC_QUEUE", "support")
    await ch.set_variable("CC_PRIORITY", "5")
    await ch.set_variable("CC_GREETING", f"Здравствуйте, {ch.request.calleridname.split()[0]}")


def fixture_session(name: str) -> tuple[bytes, list[str]]:
    asterisk, engine = [], []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("<"):
            asterisk.append(line[2:])
        elif line.startswith(">"):
            engine.append(line[2:])
    env = asterisk[: asterisk.index("") + 1]
    return ("\n".join(env) + "\n").encode(), engine


async def test_entry_route_answers_the_recorded_session(
    routes: AgiRoutes, server: AgiServer
) -> None:
    routes.add("entry", entry)
    env, expected = fixture_session("entry_day.txt")
    asterisk = FakeAsterisk(server.port)
    assert await asterisk.session(env)
    assert asterisk.commands == expected
    assert server.served == 1


async def test_route_names_are_the_dialplan_decision_points() -> None:
    assert set(ROUTE_NAMES) == {
        "entry",
        "after-queue",
        "callback-offer",
        "callback-confirm",
        "overflow-inbound",
        "ivr",
        "survey",
    }


def test_sync_routes_and_duplicates_are_refused() -> None:
    routes = AgiRoutes()

    def sync_route(ch: AgiChannel) -> None:
        return None

    with pytest.raises(TypeError, match="async"):
        routes.add("entry", sync_route)  # type: ignore[arg-type]
    routes.add("entry", entry)
    with pytest.raises(ValueError, match="already"):
        routes.add("entry", entry)
    assert routes.names() == ("entry",)
    assert routes.missing() == ROUTE_NAMES[1:]


async def open_session(
    port: int, data: bytes
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    return reader, writer, time.monotonic()


async def closed_after(reader: asyncio.StreamReader, started: float) -> float:
    """Seconds until the server closed the connection."""
    async with asyncio.timeout(5):
        assert await reader.read() == b""
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("data", "slowest"),
    [
        (b"agi_network: yes\nagi_network_script: entry\n", 0.1),  # closes mid-header
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0.1),  # garbage
        (b"agi_network: yes\nagi_chan", 1.0),  # stalls mid-line
        (b"", 1.0),  # connects and says nothing
    ],
    ids=["eof-mid-header", "garbage", "stall", "silent"],
)
async def test_bad_peers_are_dropped_without_hurting_a_good_session(
    routes: AgiRoutes, server: AgiServer, data: bytes, slowest: float
) -> None:
    routes.add("entry", entry)
    reader, writer, started = await open_session(server.port, data)
    if data.endswith(b"\n") and not data.endswith(b"\n\n") and b"HTTP" not in data:
        writer.write_eof()
    try:
        asterisk = FakeAsterisk(server.port)
        good = await asyncio.wait_for(asterisk.session(env_block("entry")), 2)
        assert good
        assert len(asterisk.commands) == 3
        assert await closed_after(reader, started) < slowest + 0.5
        assert server.rejected == 1
    finally:
        writer.close()
        await writer.wait_closed()


async def test_unknown_route_is_closed_and_counted(server: AgiServer) -> None:
    asterisk = FakeAsterisk(server.port)
    assert await asterisk.session(env_block("no-such-route"))
    assert asterisk.commands == []
    assert server.rejected == 1


async def test_hangup_notice_between_command_and_reply_raises_channel_hung_up(
    routes: AgiRoutes, server: AgiServer
) -> None:
    outcome: list[str] = []

    async def ivr(ch: AgiChannel) -> None:
        try:
            await ch.stream_file("ru/menu", "12")
        except ChannelHungUp:
            outcome.append("hung up")
            with pytest.raises(ChannelHungUp):
                await ch.verbose("after hangup")

    routes.add("ivr", ivr)
    asterisk = FakeAsterisk(server.port)
    await asterisk.session(env_block("ivr"), lambda _: ["HANGUP", "200 result=-1 endpos=1200"])
    assert outcome == ["hung up"]
    assert asterisk.commands == ['STREAM FILE "ru/menu" "12"']


async def test_dead_channel_reply_raises_channel_hung_up(
    routes: AgiRoutes, server: AgiServer
) -> None:
    seen: list[object] = []

    async def after_queue(ch: AgiChannel) -> None:
        try:
            await ch.answer()
        except ChannelHungUp as exc:
            seen.append(exc.reply.code if exc.reply else None)

    routes.add("after-queue", after_queue)
    asterisk = FakeAsterisk(server.port)
    await asterisk.session(
        env_block("after-queue"),
        lambda _: ["511 Command Not Permitted on a dead channel or intercept routine"],
    )
    assert seen == [511]


async def test_failing_route_is_logged_marked_and_closed(
    routes: AgiRoutes, server: AgiServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def survey(ch: AgiChannel) -> None:
        await ch.set_variable("CC_SURVEY", "1")
        raise RuntimeError("bug in the survey route")

    routes.add("survey", survey)
    asterisk = FakeAsterisk(server.port)
    with caplog.at_level(logging.ERROR, logger="callcenter.pbx.agi_server"):
        assert await asterisk.session(env_block("survey"))
    assert asterisk.commands == [
        'SET VARIABLE CC_SURVEY "1"',
        "SET VARIABLE CC_AGI_ERROR RuntimeError",
    ]
    assert "AGI route survey failed" in caplog.text
    assert server.failed == 1


async def test_asterisk_silent_on_a_command_times_out_the_session(
    routes: AgiRoutes, server: AgiServer
) -> None:
    async def callback_offer(ch: AgiChannel) -> None:
        await ch.get_variable("CC_X")

    routes.add("callback-offer", callback_offer)
    asterisk = FakeAsterisk(server.port)
    started = time.monotonic()
    await asyncio.wait_for(asterisk.session(env_block("callback-offer"), lambda _: []), 5)
    assert 0.9 < time.monotonic() - started < 3.5
    assert server.failed == 1


async def test_stop_ends_sessions_in_progress(
    routes: AgiRoutes, caplog: pytest.LogCaptureFixture
) -> None:
    started = asyncio.Event()

    async def overflow(ch: AgiChannel) -> None:
        started.set()
        await asyncio.sleep(60)

    routes.add("overflow-inbound", overflow)
    agi = AgiServer(routes=routes, port=0, limits=LIMITS)
    await agi.start()
    session = asyncio.create_task(FakeAsterisk(agi.port).session(env_block("overflow-inbound")))
    await asyncio.wait_for(started.wait(), 2)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(agi.stop(), 2)
        assert await asyncio.wait_for(session, 2)
        await asyncio.sleep(0.05)  # asyncio reports a cancelled connection task on a later turn
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a quiet shutdown


async def test_a_peer_trickling_lines_forever_is_dropped_at_the_total_timeout(
    routes: AgiRoutes, server: AgiServer
) -> None:
    routes.add("entry", entry)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    started = time.monotonic()
    closed_after_s = None
    try:
        for n in range(40):  # one line every 0.2 s: each under the 0.3 s line timeout
            writer.write(f"agi_arg_{n}: x\n".encode())
            await writer.drain()
            if await _eof_within(reader, 0.2):
                closed_after_s = time.monotonic() - started
                break
    finally:
        writer.close()
        await writer.wait_closed()
    assert closed_after_s is not None
    assert 0.9 < closed_after_s < 2.5  # header_timeout is 1.0 s
    assert server.rejected == 1


async def _eof_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1), seconds) == b""
    except TimeoutError:
        return False
