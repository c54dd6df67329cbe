"""FastAGI wire: reply parsing, environment to route, quoting, and recorded sessions replayed
through the real reader split at every byte offset (Cyrillic included)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from callcenter.pbx.agi import AgiChannel, ChannelHungUp
from callcenter.pbx.agi_server import AgiLimits, read_request
from callcenter.pbx.agi_wire import (
    AgiProtocolError,
    AgiReply,
    build_request,
    command_line,
    parse_reply,
    quote,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agi"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=1", AgiReply(200, "1", "", None, "200 result=1")),
        ("200 result=0 endpos=20480", AgiReply(200, "0", "", 20480, "200 result=0 endpos=20480")),
        ("200 result= (timeout)", AgiReply(200, "", "timeout", None, "200 result= (timeout)")),
        ("200 result=1 (a (b) c)", AgiReply(200, "1", "a (b) c", None, "200 result=1 (a (b) c)")),
        (
            "200 result=-1 (hangup) endpos=0",
            AgiReply(200, "-1", "hangup", 0, "200 result=-1 (hangup) endpos=0"),
        ),
        (
            "510 Invalid or unknown command",
            AgiReply(510, "", "Invalid or unknown command", None, "510 Invalid or unknown command"),
        ),
    ],
)
def test_reply_lines_parse(line: str, expected: AgiReply) -> None:
    assert parse_reply(line) == expected


@pytest.mark.parametrize("line", ["", "HELLO", "200 ok", "20 result=1"])
def test_garbage_replies_are_protocol_errors(line: str) -> None:
    with pytest.raises(AgiProtocolError):
        parse_reply(line)


def test_route_query_and_args_come_from_the_environment() -> None:
    request = build_request(
        {
            "agi_network_script": "entry?mode=day&topic=%D0%96%D0%9A%D0%A5",
            "agi_arg_2": "Ёлка",
            "agi_arg_10": "ten",
            "agi_arg_1": "day",
            "agi_callerid": "unknown",
        }
    )
    assert request.route == "entry"
    assert dict(request.query) == {"mode": "day", "topic": "ЖКХ"}
    assert request.args == ("day", "Ёлка", "ten")
    assert request.callerid == ""


@pytest.mark.parametrize(
    ("sent", "number"),
    [("unknown", ""), ("anonymous", ""), ("Anonymous", ""), ("+79161234567", "+79161234567")],
)
def test_a_withheld_caller_id_is_no_number(sent: str, number: str) -> None:
    assert build_request({"agi_callerid": sent}).callerid == number


def test_quoting_escapes_quotes_and_refuses_line_breaks() -> None:
    assert quote('say "да" \\ нет') == '"say \\"да\\" \\\\ нет"'
    assert command_line("SET VARIABLE", "X", args=("a b",)) == 'SET VARIABLE X "a b"'
    with pytest.raises(ValueError, match="line break"):
        quote("a\nHANGUP")


class RecordingWriter:
    """The write side of a session, kept in memory."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data.extend(data)

    async def drain(self) -> None:
        return None


def load(name: str) -> tuple[bytes, list[str]]:
    """Asterisk's side as bytes, and the command lines the engine must send."""
    asterisk, engine = [], []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("<"):
            asterisk.append(line[2:] + "\n")
        elif line.startswith(">"):
            engine.append(line[2:])
    return "".join(asterisk).encode(), engine


Route = Callable[[AgiChannel], Awaitable[object]]


async def entry_route(ch: AgiChannel) -> list[object]:
    await ch.set_variable("CC_QUEUE", "support")
    await ch.set_variable("CC_PRIORITY", "5")
    await ch.set_variable("CC_GREETING", f"Здравствуйте, {ch.request.calleridname.split()[0]}")
    return [ch.request.route, dict(ch.request.query), ch.request.args]


async def ivr_route(ch: AgiChannel) -> list[object]:
    seen: list[object] = []
    await ch.answer()
    seen.append(await ch.stream_file("ru/night-menu", "123#"))
    seen.append(await ch.get_data("ru/enter-number", 5000, 11))
    seen.append(await ch.get_variable("CALLERID(name)"))
    seen.append(await ch.record_file("/var/spool/cc/msg-7", "wav", "#", 30000, 3))
    seen.append(await ch.exec_("Playback", "ru/thanks"))
    seen.append((await ch.command("FOO BAR")).code)
    usage = await ch.command('GET DATA "" 3000 1')
    seen.append((usage.code, usage.data))
    try:
        await ch.set_variable("CC_IVR_RESULT", "callback")
    except ChannelHungUp as exc:
        seen.append(("hung up", exc.reply.result if exc.reply else None))
    return seen


async def replay(data: bytes, offset: int, route: Route) -> tuple[object, list[str]]:
    reader = asyncio.StreamReader()
    reader.feed_data(data[:offset])
    reader.feed_data(data[offset:])
    reader.feed_eof()
    writer = RecordingWriter()
    request = await read_request(reader, AgiLimits())
    channel = AgiChannel(reader, writer, request)  # type: ignore[arg-type]
    outcome = await route(channel)
    return outcome, writer.data.decode().splitlines()


@pytest.mark.parametrize(
    ("name", "route", "expected"),
    [
        ("entry_day.txt", entry_route, ["entry", {"mode": "day", "topic": "ЖКХ"}, ("day", "Ёлка")]),
        (
            "ivr_night.txt",
            ivr_route,
            [
                "2",
                "7900",
                "Иванов (Пётр)",
                ("/var/spool/cc/msg-7.wav", ""),
                0,
                510,
                (520, "Usage: GET DATA <file to be streamed> [timeout] [max digits]"),
                ("hung up", "1"),
            ],
        ),
    ],
)
async def test_recorded_session_replays_at_every_split(
    name: str, route: Route, expected: list[object]
) -> None:
    data, commands = load(name)
    for offset in range(len(data) + 1):
        outcome, sent = await replay(data, offset, route)
        assert outcome == expected, f"split at byte {offset}"
        assert sent == commands, f"split at byte {offset}"
