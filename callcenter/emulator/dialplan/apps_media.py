"""Media applications: prompts take their recorded length (else `PROMPT_S`), and the digits a
caller presses come from their script (`CallerScript.keys`)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.emulator.dialplan.state import App, ChannelHangup, Run, Target, split_args
from callcenter.emulator.keypad import press

if TYPE_CHECKING:
    from callcenter.emulator.dialplan.interpreter import Interpreter

PROMPT_S = 2.0  # a prompt whose recording the emulator cannot find
DIGIT_AFTER_S = 0.5  # a caller who knows what to press presses it this soon


# Raw formats Asterisk plays, with their bytes per second; WAV carries its own header.
RAW_FORMATS = {"sln": 16000, "sln16": 32000, "ulaw": 8000, "alaw": 8000, "gsm": 1650}


def prompt_seconds(sounds: Path | None, name: str) -> float:
    """Length of the recording of `name`; `PROMPT_S` when there is none to measure."""
    path = find_sound(sounds, name) if sounds is not None else None
    length = sound_seconds(path) if path is not None else None
    return PROMPT_S if length is None else length


def find_sound(sounds: Path, name: str) -> Path | None:
    """The file Asterisk would open for `name` (no extension; relative to the sounds root, or
    absolute), tried with and without its first directory: `sounds` may be the sounds root or
    our own prompt directory mounted as its `callcenter/`."""
    bases = [Path(name)] if name.startswith("/") else [sounds / name]
    if not name.startswith("/") and "/" in name:
        bases.append(sounds / name.partition("/")[2])
    for base in bases:
        for ext in ("wav", "WAV", *RAW_FORMATS):
            path = base.parent / f"{base.name}.{ext}"
            if path.is_file():
                return path
    return None


def sound_seconds(path: Path) -> float | None:
    """Playing time of a sound file, None when it cannot be read."""
    ext = path.suffix[1:].lower()
    if ext in RAW_FORMATS:
        return path.stat().st_size / RAW_FORMATS[ext]
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate() or 1)
    except (wave.Error, OSError, EOFError):
        return None


def _digits(ip: Interpreter, run: Run, prompt: str) -> str:
    script = ip.scripts.get(run.ch.uniqueid)
    return script.keys(prompt, single=False) if script is not None and prompt else ""


def _seconds(text: str, default: float) -> float:
    try:
        return float(text) if text.strip() else default
    except ValueError:
        return default


async def playback(ip: Interpreter, run: Run, data: str) -> Target | None:
    files = split_args(data)[0]
    for name in filter(None, files.split("&")):
        run.last_prompt = name
        await ip.pbx.clock.sleep(prompt_seconds(ip.sounds, name))
    ip.set_variable(run.ch, "PLAYBACKSTATUS", "SUCCESS")
    return None


async def background(ip: Interpreter, run: Run, data: str) -> Target | None:
    for name in filter(None, split_args(data)[0].split("&")):
        run.last_prompt = name
        digits = _digits(ip, run, name)
        if digits:
            await ip.pbx.clock.sleep(DIGIT_AFTER_S)
            await press(ip.pbx, run.ch, digits)
            return _dialled(ip, run, digits)
        await ip.pbx.clock.sleep(prompt_seconds(ip.sounds, name))
    return None


async def wait_exten(ip: Interpreter, run: Run, data: str) -> Target | None:
    digits = _digits(ip, run, run.last_prompt)
    if digits:
        await ip.pbx.clock.sleep(DIGIT_AFTER_S)
        await press(ip.pbx, run.ch, digits)
        return _dialled(ip, run, digits)
    await ip.pbx.clock.sleep(_seconds(split_args(data)[0], 10.0))
    if ip.plan.find(run.ch.context, "t") is None:
        raise ChannelHangup()  # no 't' extension: Asterisk hangs up on the response timeout
    return Target("", "t", "1")


def _dialled(ip: Interpreter, run: Run, digits: str) -> Target:
    """The caller dialled `digits` during a prompt: that extension, else `i`."""
    if ip.plan.find(run.ch.context, digits) is not None:
        return Target("", digits, "1")
    if ip.plan.find(run.ch.context, "i") is not None:
        ip.set_variable(run.ch, "INVALID_EXTEN", digits)
        return Target("", "i", "1")
    raise ChannelHangup()


async def read(ip: Interpreter, run: Run, data: str) -> Target | None:
    args = [*split_args(data), "", "", "", "", ""]
    variable, prompt, max_digits = args[0].strip(), args[1].strip(), args[2].strip()
    run.last_prompt = prompt or run.last_prompt
    digits = _digits(ip, run, run.last_prompt)
    if max_digits.isdigit() and int(max_digits) > 0:
        digits = digits[: int(max_digits)]
    await ip.pbx.clock.sleep(DIGIT_AFTER_S if digits else _seconds(args[5], 5.0))
    await press(ip.pbx, run.ch, digits)
    ip.set_variable(run.ch, variable, digits)
    ip.set_variable(run.ch, "READSTATUS", "OK" if digits else "TIMEOUT")
    return None


async def wait(ip: Interpreter, run: Run, data: str) -> Target | None:
    await ip.pbx.clock.sleep(_seconds(data, 0.0))
    return None


async def music_on_hold(ip: Interpreter, run: Run, data: str) -> Target | None:
    args = [*split_args(data), ""]
    ch, klass = run.ch, args[0].strip() or "default"
    ip.pbx.moh_start(ch, klass)
    try:
        if args[1].strip():
            await ip.pbx.clock.sleep(_seconds(args[1], 0.0))
        else:
            await ch.gone.wait()  # until the caller hangs up (or a Redirect)
    finally:
        ip.pbx.moh_stop(ch)
    return None


APPS = (
    App("Playback", playback),
    App("Background", background),
    App("WaitExten", wait_exten),
    App("Read", read),
    App("Wait", wait),
    App("MusicOnHold", music_on_hold),
)
