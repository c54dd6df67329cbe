"""AGI media commands: they take the time they take on the emulator's clock (the clip's length,
the digit timeouts, the recording's length), the caller's script decides what is pressed or
said, and a hang-up in the middle ends them as Asterisk's would (result=-1).

With a sounds directory (`EmulatorConfig.sounds_dir`), a prompt that has no file there is
missing, as on an Asterisk without it: STREAM FILE answers `200 result=-1 endpos=0` and a
warning is logged. Without one, the emulator does not model the files: every prompt exists and
lasts `PROMPT_S`. Asterisk's own core sounds (digits/...) are taken as installed.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.emulator.agi_commands import Command, Handler, Reply, Usage, atoi, number
from callcenter.emulator.dialplan.apps_media import (
    DIGIT_AFTER_S,
    PROMPT_S,
    find_sound,
    sound_seconds,
)

if TYPE_CHECKING:
    from callcenter.emulator.agi_client import AgiSession

log = logging.getLogger(__name__)

RATE = 8000  # samples per second: endpos counts samples
DIGIT_S = 0.6  # one spoken digit of Asterisk's core sounds, when its file is not at hand
FIRST_DIGIT_S, NEXT_DIGIT_S = 10.0, 5.0  # a pbx channel's response and digit timeouts


def clip_seconds(s: AgiSession, name: str) -> float | None:
    """How long `name` plays; None when Asterisk would not find it."""
    if s.ip.sounds is None:
        return PROMPT_S
    path = find_sound(s.ip.sounds, name)
    if path is None:
        log.warning("AGI on %s: file %s does not exist in any format", s.ch.name, name)
        return None
    length = sound_seconds(path)
    return PROMPT_S if length is None else length


def _core_seconds(s: AgiSession, name: str, default: float) -> float:
    path = find_sound(s.ip.sounds, name) if s.ip.sounds is not None else None
    length = sound_seconds(path) if path is not None else None
    return default if length is None else length


async def stream_file(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) not in (4, 5):
        raise Usage()
    name, escape = argv[2], argv[3]
    length = clip_seconds(s, name)
    if length is None:
        return Reply("200 result=-1 endpos=0")
    s.last_prompt = name
    total = int(length * RATE)
    start = min(max(atoi(argv[4]) if len(argv) == 5 else 0, 0), total)
    digit = s.keys(name, single=True) if escape else ""
    pressed = bool(digit) and digit in escape
    play = (total - start) / RATE
    if pressed:
        play = min(DIGIT_AFTER_S, play)
    clock = s.ip.pbx.clock
    began = clock.now()
    if not await s.pause(play):
        at = min(total, start + int((clock.now() - began) * RATE))
        s.ip.set_variable(s.ch, "PLAYBACKSTATUS", "FAILED")
        return Reply(f"200 result=-1 endpos={at}", "Failure")
    result = ord(digit) if pressed else 0
    s.ip.set_variable(s.ch, "PLAYBACKSTATUS", "FAILED" if result else "SUCCESS")
    return Reply(f"200 result={result} endpos={start + int(play * RATE)}")


async def get_option(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) not in (4, 5):
        raise Usage()
    name, escape = argv[2], argv[3]
    timeout = atoi(argv[4]) if len(argv) == 5 else int(NEXT_DIGIT_S * 1000)
    length = clip_seconds(s, name)
    if length is None:
        return Reply("200 result=-1 endpos=0")
    s.last_prompt = name
    digit = s.keys(name, single=True)
    pressed = bool(digit) and digit in escape
    play = min(DIGIT_AFTER_S, length) if pressed else length
    wait = 0.0 if pressed else (timeout / 1000 if timeout >= 0 else None)
    if not await s.pause(play) or (wait != 0.0 and not await s.pause(wait)):
        return Reply("200 result=-1 endpos=0", "Failure")
    return Reply(f"200 result={ord(digit) if pressed else 0} endpos={int(play * RATE)}")


async def get_data(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) < 3:
        raise Usage()
    prompt = argv[2]
    timeout = atoi(argv[3]) if len(argv) > 3 else 0
    most = atoi(argv[4]) if len(argv) > 4 else 1024
    first: float | None = FIRST_DIGIT_S
    following: float | None = NEXT_DIGIT_S
    if timeout != 0:
        first = following = timeout / 1000 if timeout > 0 else None
    s.last_prompt = prompt
    digits = s.keys(prompt, single=False)
    if not digits:
        # the prompts play through (a missing one is skipped), then the first-digit timeout
        played = sum(clip_seconds(s, p) or 0.0 for p in prompt.split("&") if p.strip())
        if not await s.pause(played) or not await s.pause(first):
            return Reply("200 result=-1", "Failure")
        return Reply("200 result= (timeout)")
    typed, hashed, _ = digits.partition("#")
    ended = bool(hashed) or len(typed) >= most
    typed = typed[:most]
    if not await s.pause(DIGIT_AFTER_S) or (not ended and not await s.pause(following)):
        return Reply("200 result=-1", "Failure")
    return Reply(f"200 result={typed}" + ("" if ended else " (timeout)"))


async def record_file(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) < 6:
        raise Usage()
    name, fmt, limit_ms = argv[2], argv[3], number(argv[5])
    silence = next((atoi(a[2:]) for a in argv[6:] if a.startswith("s=")), 0)
    wav = s.script.wav if s.script is not None else None
    speech = 0.0
    if wav:
        speech = sound_seconds(Path(wav)) or PROMPT_S
        if s.ip.recordings is not None:
            # An absolute name is written where it says (pathlib's join keeps it), a relative
            # one under the spool directory, as Asterisk does.
            dest = s.ip.recordings / f"{name}.{fmt}"
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(wav, dest)
            except OSError as exc:
                log.warning("AGI RECORD FILE on %s: cannot write %s: %s", s.ch.name, dest, exc)
                return Reply("200 result=-1 (writefile)")
    ends = [limit_ms / 1000] if limit_ms >= 0 else []
    if silence > 0:
        ends.append(speech + silence)  # the caller speaks, then is silent that long
    length = min(ends) if ends else None
    clock = s.ip.pbx.clock
    began = clock.now()
    if not await s.pause(length):
        at = int((clock.now() - began) * RATE)
        return Reply(f"200 result=-1 (hangup) endpos={at}", "Failure")
    return Reply(f"200 result=0 (timeout) endpos={int((length or 0) * RATE)}")


async def wait_for_digit(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 4:
        raise Usage()
    timeout = number(argv[3])
    digit = s.keys(s.last_prompt, single=True)
    limit = timeout / 1000 if timeout >= 0 else None
    if digit and (limit is None or limit >= DIGIT_AFTER_S):
        if not await s.pause(DIGIT_AFTER_S):
            return Reply("200 result=-1", "Failure")
        return Reply(f"200 result={ord(digit)}")
    if not await s.pause(limit):
        return Reply("200 result=-1", "Failure")
    return Reply("200 result=0")


async def say_digits(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 4:
        raise Usage()
    number(argv[2])
    seconds = sum(_core_seconds(s, f"digits/{c}", DIGIT_S) for c in argv[2] if c.isalnum())
    return await _say(s, argv[2], argv[3], seconds)


async def say_number(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) not in (4, 5):
        raise Usage()
    value = number(argv[2])
    # roughly a word per digit (Russian numbers: "сто двадцать три"), a word for the sign
    words = len(str(abs(value))) + (value < 0)
    return await _say(s, str(value), argv[3], words * DIGIT_S)


async def _say(s: AgiSession, what: str, escape: str, seconds: float) -> Reply:
    digit = s.keys(f"digits/{what}", single=True) if escape else ""
    pressed = bool(digit) and digit in escape
    if not await s.pause(min(DIGIT_AFTER_S, seconds) if pressed else seconds):
        return Reply("200 result=-1", "Failure")
    return Reply(f"200 result={ord(digit) if pressed else 0}")


def _c(words: str, run: Handler, usage: str) -> Command:
    return Command(tuple(words.split()), run, False, usage)


COMMANDS = (
    _c("get data", get_data, "Stream the given file, and receive DTMF data."),
    _c("get option", get_option, "Behaves similar to STREAM FILE but used with a timeout option."),
    _c("record file", record_file, "Record to a file until a given dtmf digit is received."),
    _c("say digits", say_digits, "Say a given digit string."),
    _c("say number", say_number, "Say a given number."),
    _c("stream file", stream_file, "Send the given file, allowing playback to be interrupted."),
    _c("wait for digit", wait_for_digit, "Waits up to timeout milliseconds for a DTMF digit."),
)
