"""The FastAGI client side of AGI(), as res_agi runs it: connect to the server, send the
environment, then read one command line at a time and answer it, until the server closes.

A hang-up is not the end: the server gets `HANGUP` and the session goes on in dead mode, where
only some commands are allowed (511 for the others). Every command is mirrored on AMI as
AGIExecStart/AGIExecEnd. `run` returns AGISTATUS: SUCCESS, FAILURE or HANGUP. The commands
themselves are in `agi_commands` and `agi_media`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.emulator import agi_commands, agi_exec, agi_media
from callcenter.emulator.agi_commands import Command, Reply, Usage
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.model import Channel, race
from callcenter.emulator.version import ASTERISK_VERSION

if TYPE_CHECKING:
    from callcenter.emulator.dialplan.interpreter import Interpreter
    from callcenter.emulator.dialplan.state import Run

log = logging.getLogger(__name__)

AGI_EVENTS = "agi,all"
UNKNOWN = "510 Invalid or unknown command"
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"
CONNECT_S = 2.0  # res_agi gives up on an address after 2000 ms
MAX_ARGS = 128  # res_agi's MAX_ARGS: longer command lines are cut
TABLE = {c.words: c for c in (*agi_commands.COMMANDS, *agi_exec.COMMANDS, *agi_media.COMMANDS)}
# Asterisk 20's AGI commands the emulator lacks: asking for one is an error in the model
NOT_EMULATED = [
    tuple(name.split())
    for name in (
        "control stream file", "gosub", "receive char", "receive text", "say alpha", "say date",
        "say datetime", "say phonetic", "say time", "send image", "send text", "set autohangup",
        "set callerid", "set music", "speech activate grammar", "speech create",
        "speech deactivate grammar", "speech destroy", "speech load grammar", "speech recognize",
        "speech set", "speech unload grammar", "tdd mode",
    )
]  # fmt: skip


@dataclass
class AgiTarget:
    host: str
    port: int


def environment(ch: Channel, url: str, args: list[str]) -> str:
    """The block launch_netscript and setup_env send, in their order."""
    _, slash, script = url.partition("://")[2].partition("/")
    pairs = [("network", "yes")]
    if slash and script:
        pairs.append(("network_script", script))
    pairs += [
        ("request", url),
        ("channel", ch.name),
        ("language", "ru"),
        ("type", ch.name.partition("/")[0] or "PJSIP"),
        ("uniqueid", ch.uniqueid),
        ("version", ASTERISK_VERSION),
        ("callerid", ch.callerid_num or "unknown"),
        ("calleridname", ch.callerid_name or "unknown"),
        ("callingpres", "0"),
        ("callingani2", "0"),
        ("callington", "0"),
        ("callingtns", "0"),
        ("dnid", ch.exten or "unknown"),
        ("rdnis", "unknown"),
        ("context", ch.context),
        ("extension", ch.exten),
        ("priority", str(ch.priority)),
        ("enhanced", "0.0"),
        ("accountcode", ""),
        ("threadid", str(140000000000000 + zlib.crc32(ch.uniqueid.encode()))),  # opaque
    ]
    pairs += [(f"arg_{i}", a) for i, a in enumerate(args, 1)]
    return "".join(f"agi_{k}: {v}\n" for k, v in pairs) + "\n"


def parse_args(line: str) -> list[str]:
    """res_agi's parse_args: words split by blanks, a double-quoted part stays one word (an
    empty "" is a word too), backslash takes the next character as it is."""
    words, quoted = _split_words(line)
    if quoted:
        log.warning("AGI: missing quote in command %r", line)
    if len(words) >= MAX_ARGS:
        log.warning("AGI: too many arguments, truncating %r", line)
        words = words[: MAX_ARGS - 1]
    return words


def _split_words(line: str) -> tuple[list[str], bool]:
    words: list[str] = []
    current: list[str] | None = None
    quoted = escaped = False
    for c in line:
        if current is None:
            if c in " \t" and not quoted:
                continue
            current = []
        if escaped:
            current.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
        elif c in " \t" and not quoted:
            words.append("".join(current))
            current = None
        else:
            current.append(c)
    if current is not None:
        words.append("".join(current))
    return words, quoted


def find_command(argv: list[str]) -> Command | None:
    """The longest registered command whose words start the line (any case)."""
    words = tuple(w.lower() for w in argv)
    return next((TABLE[words[:n]] for n in (3, 2, 1) if words[:n] in TABLE), None)


def ast_true(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "y", "t", "1", "on")


class AgiSession:
    def __init__(self, *, ip: Interpreter, run: Run) -> None:
        self.ip, self.run_state, self.ch = ip, run, run.ch
        self.script: CallerScript | None = ip.scripts.get(run.ch.uniqueid)
        self.hungup = asyncio.Event()  # the channel hung up (res_agi's ast_check_hangup)
        self.dead = False  # HANGUP told: dead mode
        self.failed = False  # a command failed while the channel was up: AGISTATUS=FAILURE
        self.last_prompt = ""
        self._count = 0

    def channel_hung_up(self) -> None:
        self.hungup.set()

    async def run(self, target: AgiTarget, url: str, args: list[str]) -> str:
        try:
            async with asyncio.timeout(CONNECT_S):
                reader, writer = await asyncio.open_connection(target.host, target.port)
        except (OSError, TimeoutError) as exc:
            log.warning("AGI %s on %s: cannot connect (%s)", url, self.ch.name, exc)
            return "FAILURE"
        try:
            writer.write(environment(self.ch, url, args).encode())
            await writer.drain()
            await self._loop(reader, writer)
        except OSError as exc:
            log.info("AGI %s on %s: connection lost (%s)", url, self.ch.name, exc)
        finally:
            if self._sighup():  # res_agi tells the script once more as the AGI ends
                with contextlib.suppress(OSError):
                    writer.write(b"HANGUP\n")
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        if self.hungup.is_set():
            return "HANGUP"
        return "FAILURE" if self.failed else "SUCCESS"

    async def _loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        gone = asyncio.ensure_future(race(self.hungup.wait(), self.ch.gone.wait()))
        line = asyncio.ensure_future(reader.readline())
        try:
            while True:
                waiting = {line} if self.dead else {line, gone}
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if not self.dead and gone.done() and self._go_dead(writer):
                    return
                if not line.done():
                    continue
                raw = line.result()
                if not raw:
                    return  # the server closed: the AGI is over
                text = raw.decode("utf-8", "replace")
                writer.write(await self.execute(text.removesuffix("\n")))
                await writer.drain()
                if not raw.endswith(b"\n"):
                    return  # its last line came without a newline, then the end
                line = asyncio.ensure_future(reader.readline())
        finally:
            gone.cancel()
            line.cancel()

    def _go_dead(self, writer: asyncio.StreamWriter) -> bool:
        """The channel hung up: tell the script (unless AGISIGHUP=no), go on in dead mode.
        True when the AGI ends here (AGIEXITONHANGUP=yes)."""
        self.hungup.set()
        self.dead = True
        if self._sighup():
            writer.write(b"HANGUP\n")
        return ast_true(self.variable("AGIEXITONHANGUP"))

    async def execute(self, text: str) -> bytes:
        """One command line: the reply to send, with the AMI mirror around it."""
        argv = parse_args(text)
        command = find_command(argv)
        self._count += 1
        command_id = str(zlib.crc32(f"{self.ch.uniqueid}/{self._count}".encode()) & 0x7FFFFFFF)
        self._publish("AGIExecStart", [("CommandId", command_id), ("Command", text)])
        if command is None:
            words = tuple(w.lower() for w in argv)
            if any(words[: len(name)] == name for name in NOT_EMULATED):
                log.error("AGI command %r is not implemented by the emulator", text)
            reply, code, outcome = UNKNOWN + "\n", "510", UNKNOWN[4:]
        elif self.dead and not command.dead:
            reply, code, outcome = DEAD + "\n", "511", DEAD[4:]
        else:
            reply, code, outcome = await self._run(command, argv)
        end = [("CommandId", command_id), ("Command", text)]
        self._publish("AGIExecEnd", [*end, ("ResultCode", code), ("Result", outcome)])
        return reply.encode()

    async def _run(self, command: Command, argv: list[str]) -> tuple[str, str, str]:
        try:
            result: Reply = await command.run(self, argv)
        except Usage:
            if not command.usage:
                return "520 Invalid command syntax.  Proper usage not available.\n", "520", "Usage"
            text = f"520-Invalid command syntax.  Proper usage follows:\n{command.usage}\n"
            return text + "520 End of proper usage.\n", "520", "Usage"
        if result.outcome == "Failure":
            if not self.hungup.is_set():
                self.failed = True
            return result.line + "\n", "-1", "Failure"
        return result.line + "\n", "200", result.outcome

    # what the commands share -------------------------------------------------------------------

    def variable(self, name: str) -> str:
        return self.ip.functions.variable(self.ch, name)

    async def pause(self, seconds: float | None) -> bool:
        """Let `seconds` of the emulator's time pass (None: until the hang-up); False when the
        caller hung up first."""
        if self.hungup.is_set():
            return False
        if seconds is None:
            await self.hungup.wait()
        elif seconds > 0:
            await race(self.ip.pbx.clock.sleep(seconds), self.hungup.wait())
        return not self.hungup.is_set()

    def keys(self, prompt: str, *, single: bool) -> str:
        """What the scripted caller presses at `prompt` ("" for nothing)."""
        return self.script.keys(prompt, single=single) if self.script is not None else ""

    def _sighup(self) -> bool:
        return self.variable("AGISIGHUP").strip().lower() != "no"

    def _publish(self, event: str, extra: list[tuple[str, str]]) -> None:
        self.ip.pbx.publish(event, AGI_EVENTS, [*self.ch.snapshot(), *extra])
