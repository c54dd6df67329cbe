"""The FastAGI client side of AGI(): connects to the engine, sends the environment, executes
commands until the server closes. Returns AGISTATUS (SUCCESS, FAILURE or HANGUP).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.model import UP, Channel, Pbx

log = logging.getLogger(__name__)

DEAD = "511 Command Not Permitted on a dead channel\n"
UNKNOWN = "510 Invalid or unknown command\n"


@dataclass
class AgiTarget:
    host: str
    port: int


def environment(target: AgiTarget, ch: Channel, route: str, args: list[str]) -> str:
    pairs = [
        ("network", "yes"),
        ("network_script", route),
        ("request", f"agi://{target.host}:{target.port}/{route}"),
        ("channel", ch.name),
        ("language", "ru"),
        ("type", "PJSIP"),
        ("uniqueid", ch.uniqueid),
        ("version", "20.5.0"),
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
        ("priority", "1"),
        ("enhanced", "0.0"),
        ("accountcode", ""),
        ("threadid", str(140000000000000 + int(ch.uniqueid.split(".")[-1]))),
    ]
    pairs += [(f"arg_{i}", a) for i, a in enumerate(args, 1)]
    return "".join(f"agi_{k}: {v}\n" for k, v in pairs) + "\n"


class AgiSession:
    def __init__(
        self, *, pbx: Pbx, ch: Channel, script: CallerScript | None, recordings: Path | None
    ) -> None:
        self.pbx, self.ch, self.script, self.recordings = pbx, ch, script, recordings
        self.dead = False

    async def run(self, target: AgiTarget, route: str, args: list[str]) -> str:
        try:
            reader, writer = await asyncio.open_connection(target.host, target.port)
        except OSError:
            return "FAILURE"
        try:
            writer.write(environment(target, self.ch, route, args).encode())
            await writer.drain()
        except OSError:
            writer.close()
            return "FAILURE"
        try:
            await self._loop(reader, writer)
        except OSError as exc:
            log.info("AGI %s on %s: connection lost (%s)", route, self.ch.name, exc)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        return "HANGUP" if self.dead else "SUCCESS"

    async def _loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        gone = asyncio.ensure_future(self.ch.gone.wait())
        line = asyncio.ensure_future(reader.readline())
        try:
            while True:
                waiting = {line} if self.dead else {line, gone}
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if not self.dead and gone.done():
                    self.dead = True
                    writer.write(b"HANGUP\n")
                if not line.done():
                    continue
                raw = line.result()
                if not raw:
                    return
                reply = await self._execute(raw.decode("utf-8", "replace").strip())
                writer.write(reply.encode())
                await writer.drain()
                line = asyncio.ensure_future(reader.readline())
        finally:
            gone.cancel()
            line.cancel()

    async def _execute(self, command: str) -> str:
        if self.dead:
            return DEAD
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        two = " ".join(w.upper() for w in words[:2])
        one = two.split(" ")[0] if two else ""
        handler = self._commands.get(two) or self._commands.get(one)
        if handler is None:
            return UNKNOWN
        try:
            return handler(words)
        except IndexError:
            return "520 Invalid command syntax.\n"

    @property
    def _commands(self) -> dict[str, Callable[[list[str]], str]]:
        return {
            "SET VARIABLE": self._set,
            "GET VARIABLE": lambda w: _value(self._get(w[2])),
            "STREAM FILE": lambda w: self._stream(w[2], w[3] if len(w) > 3 else ""),
            "GET DATA": self._get_data,
            "RECORD FILE": lambda w: self._record(w[2], w[3]),
            "ANSWER": self._answer,
            "EXEC": lambda w: "200 result=0\n",
            "VERBOSE": lambda w: "200 result=1\n",
            "HANGUP": self._hangup,
        }

    def _set(self, words: list[str]) -> str:
        self.pbx.setvar(self.ch, words[2], " ".join(words[3:]))
        return "200 result=1\n"

    def _get_data(self, words: list[str]) -> str:
        prompt = words[2]
        digits = self.script.keys(prompt, single=False) if self.script else ""
        return f"200 result={digits}\n" if digits else "200 result= (timeout)\n"

    def _answer(self, words: list[str]) -> str:
        if self.ch.state != UP:
            self.pbx.set_state(self.ch, UP)
        return "200 result=0\n"

    def _hangup(self, words: list[str]) -> str:
        self.pbx.request_hangup(self.ch)
        return "200 result=1\n"

    def _get(self, name: str) -> str | None:
        if name.upper().startswith("PJSIP_HEADER(READ,"):
            header = name[len("PJSIP_HEADER(read,") : -1]
            return self.ch.sip_headers.get(header)
        return self.ch.variables.get(name)

    def _stream(self, prompt: str, escape: str) -> str:
        digit = self.script.keys(prompt, single=True) if self.script and escape else ""
        if digit and digit in escape.strip('"'):
            return f"200 result={ord(digit)} endpos=8000\n"
        return "200 result=0 endpos=16000\n"

    def _record(self, name: str, fmt: str) -> str:
        wav = self.script.wav if self.script else None
        if wav and self.recordings is not None:
            # An absolute name is written where it says (pathlib's join keeps it), a relative
            # one under the spool directory, as Asterisk does.
            dest = self.recordings / f"{name}.{fmt}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(wav, dest)
        return "200 result=0 (timeout) endpos=32000\n"


def _value(value: str | None) -> str:
    return f"200 result=1 ({value})\n" if value is not None else "200 result=0\n"
