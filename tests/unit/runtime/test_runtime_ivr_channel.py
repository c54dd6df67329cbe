"""The IVR's channel over FastAGI: what RECORD FILE's replies mean to the menu."""

from __future__ import annotations

import asyncio

from callcenter.ivr.channel import Recording
from callcenter.pbx.agi import AgiChannel
from callcenter.pbx.agi_server import AgiLimits, read_request
from callcenter.runtime.ivr_channel import AgiIvrChannel


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, data: bytes) -> None:
        self.lines += data.decode().splitlines()

    async def drain(self) -> None:
        return None


async def channel_answering(*replies: str) -> tuple[AgiIvrChannel, Writer]:
    reader = asyncio.StreamReader()
    reader.feed_data(b"agi_network_script: ivr\nagi_callerid: 79161234567\n\n")
    reader.feed_data("".join(f"{r}\n" for r in replies).encode())
    reader.feed_eof()
    writer = Writer()
    request = await read_request(reader, AgiLimits())
    return AgiIvrChannel(AgiChannel(reader, writer, request)), writer  # type: ignore[arg-type]


async def test_a_key_pressed_while_recording_is_the_callers_answer() -> None:
    ivr, writer = await channel_answering("200 result=50 (dtmf) endpos=4000")
    assert await ivr.record_file("ivr-1", "wav", "123", 4000, 1) == Recording("ivr-1.wav", "2")
    assert writer.lines == ['RECORD FILE "ivr-1" "wav" "123" 4000 s=1']


async def test_silence_or_the_timeout_gives_the_recording() -> None:
    ivr, _ = await channel_answering("200 result=0 (timeout) endpos=32000")
    assert await ivr.record_file("ivr-2", "wav", "123", 4000, 1) == Recording("ivr-2.wav")


async def test_a_failed_recording_gives_nothing_to_recognise() -> None:
    ivr, _ = await channel_answering("200 result=-1 (writefile) endpos=0")
    assert await ivr.record_file("ivr-3", "wav", "123", 4000, 1) == Recording("")
