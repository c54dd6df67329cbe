"""AGI media commands over real TCP take the emulator's (virtual) time: the clip's length, the
digit timeouts, the recording; a prompt missing from the sounds directory fails as on Asterisk."""

from __future__ import annotations

import logging
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastagi_helpers import ScriptedAgi, Session, Talk, ended, varsets, write_dialplan

from callcenter.clock import ScaledClock
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator, EmulatorConfig

SPEED = 10.0  # slow enough that a few real milliseconds of overhead stay small
SLACK = 0.6  # virtual seconds of overhead allowed on top of what a command should take


def write_wav(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return path


class Timed:
    """Each command's reply and the virtual seconds it took."""

    def __init__(self) -> None:
        self.clock = ScaledClock(start=1_700_000_000.0, speed=SPEED)
        self.results: list[tuple[str, float]] = []

    async def send(self, s: Session, line: str) -> None:
        began = self.clock.now()
        reply = await s.send(line)
        self.results.append((reply, self.clock.now() - began))


async def _quiet(s: Session) -> None:
    pass


@asynccontextmanager
async def media_call(
    tmp_path: Path, t: Timed, talk: Talk, script: CallerScript, sounds: Path | None
) -> AsyncIterator[Emulator]:
    server = ScriptedAgi(talk, _quiet)  # the dialplan's second AGI() does nothing
    config = EmulatorConfig(
        clock=t.clock,
        agi_port=await server.start(),
        dialplan=write_dialplan(tmp_path),
        sounds_dir=sounds,
        recordings_dir=tmp_path / "spool",
    )
    emu = Emulator(config)
    emu.keep_events = True
    await emu.start()
    try:
        await ended(emu, emu.place_call(script), within=30)
        yield emu
    finally:
        await emu.stop()
        await server.stop()


def assert_took(results: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [r for r, _ in results] == [r for r, _ in expected]
    for (reply, took), (_, should) in zip(results, expected, strict=True):
        assert should <= took < should + SLACK, f"{reply}: {took:.2f}s, expected {should}s"


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    root = tmp_path / "sounds"
    write_wav(root / "callcenter" / "three.wav", 3.0)
    for name in ("pin-a", "pin-b", "pin-c", "menu"):
        write_wav(root / "callcenter" / f"{name}.wav", 1.0)
    return root


async def test_stream_file_plays_the_clip_or_fails_on_a_missing_one(
    tmp_path: Path, sounds: Path, caplog: pytest.LogCaptureFixture
) -> None:
    t = Timed()

    async def talk(s: Session) -> None:
        await t.send(s, 'STREAM FILE callcenter/three ""')
        await t.send(s, 'STREAM FILE callcenter/no-such-prompt ""')
        await t.send(s, "STREAM FILE callcenter/menu 123")
        await t.send(s, 'STREAM FILE callcenter/three "" 16000')

    script = CallerScript(number="+79990002211", digits={"menu": "2"})
    with caplog.at_level(logging.WARNING):
        async with media_call(tmp_path, t, talk, script, sounds) as emu:
            sets = varsets(emu)
    assert_took(
        t.results,
        [
            ("200 result=0 endpos=24000", 3.0),
            ("200 result=-1 endpos=0", 0.0),
            ("200 result=50 endpos=4000", 0.5),  # '2' pressed half a second in
            ("200 result=0 endpos=24000", 1.0),  # from sample 16000 to the end
        ],
    )
    assert "callcenter/no-such-prompt" in caplog.text
    statuses = [v for k, v in sets if k == "PLAYBACKSTATUS"]
    assert statuses == ["SUCCESS", "FAILED", "SUCCESS"]  # a digit counts as FAILED, as in res_agi


async def test_get_data_waits_for_digits_and_timeouts(tmp_path: Path, sounds: Path) -> None:
    t = Timed()

    async def talk(s: Session) -> None:
        await t.send(s, "GET DATA callcenter/three 2000 4")  # nothing pressed
        await t.send(s, "GET DATA callcenter/pin-a 2000 4")  # "12", then the timeout
        await t.send(s, "GET DATA callcenter/pin-b 2000 4")  # "1234": all it takes
        await t.send(s, "GET DATA callcenter/pin-c 2000 4")  # "12#"
        await t.send(s, "GET DATA callcenter/gone 1000 4")  # a missing prompt is skipped
        await t.send(s, "WAIT FOR DIGIT 1500")
        await t.send(s, 'SAY DIGITS 123 ""')
        await t.send(s, 'SAY NUMBER 45 ""')

    script = CallerScript(
        number="+79990002222", digits={"pin-a": "12", "pin-b": "1234", "pin-c": "12#"}
    )
    async with media_call(tmp_path, t, talk, script, sounds):
        pass
    assert_took(
        t.results,
        [
            ("200 result= (timeout)", 3.0 + 2.0),
            ("200 result=12 (timeout)", 0.5 + 2.0),
            ("200 result=1234", 0.5),
            ("200 result=12", 0.5),
            ("200 result= (timeout)", 1.0),
            ("200 result=0", 1.5),
            ("200 result=0", 3 * 0.6),
            ("200 result=0", 2 * 0.6),
        ],
    )


async def test_record_file_lasts_the_speech_and_the_silence(tmp_path: Path) -> None:
    t = Timed()

    async def talk(s: Session) -> None:
        await t.send(s, "RECORD FILE ivr/one wav # 10000 s=2")  # 1.5 s said, 2 s of silence
        await t.send(s, "RECORD FILE ivr/two wav # 1000 s=2")  # the limit comes first
        await t.send(s, "RECORD FILE ivr/three wav #")

    speech = write_wav(tmp_path / "caller.wav", 1.5)
    script = CallerScript(number="+79990002233", wav=str(speech))
    async with media_call(tmp_path, t, talk, script, None):
        pass
    results = t.results
    assert_took(
        results[:2],
        [("200 result=0 (timeout) endpos=28000", 3.5), ("200 result=0 (timeout) endpos=8000", 1.0)],
    )
    assert results[2][0].startswith("520-")
    spool = tmp_path / "spool" / "ivr"
    assert (spool / "one.wav").read_bytes() == speech.read_bytes()


async def test_without_a_sounds_directory_every_prompt_plays_for_the_default_time(
    tmp_path: Path,
) -> None:
    """No sounds_dir: the emulator does not model the files (documented in agi_media)."""
    t = Timed()

    async def talk(s: Session) -> None:
        await t.send(s, 'STREAM FILE callcenter/anything ""')

    async with media_call(tmp_path, t, talk, CallerScript(number="+79990002244"), None):
        pass
    assert_took(t.results, [("200 result=0 endpos=16000", 2.0)])
