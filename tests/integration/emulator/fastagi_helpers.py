"""A FastAGI server over a bare socket for the emulator's AGI tests: each session runs a test's
`talk` coroutine, which sends raw command lines and sees the raw replies (and every `HANGUP`).

A uniquely named module (not conftest) so that `import` cannot pick another directory's file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from callcenter.emulator.emulator import Emulator
from callcenter.emulator.model import Channel

# A small dialplan for AGI tests: the AGI at priority 3, an `h` extension that reads AGISTATUS,
# and a context a script can send the call on to.
DIALPLAN = """
[globals]
ENGINE=engine:4573

[from-citizens]
exten => _X.,1,NoOp(Citizen call ${CALLERID(num)})
 same => n,Answer()
 same => n,AGI(agi://${ENGINE}/entry?mode=day,один,two)
 same => n,AGI(agi://${ENGINE}/again)
 same => n,NoOp(after AGI: ${AGISTATUS})
 same => n,Hangup()
exten => h,1,NoOp(h sees ${AGISTATUS})

[elsewhere]
exten => s,1,NoOp(moved to s)
 same => n(lab),NoOp(at the label)
 same => n,Hangup()
exten => 77,1,NoOp(moved to 77)
 same => n,Hangup()
"""


def write_dialplan(directory: Path) -> Path:
    path = directory / "extensions.conf"
    path.write_text(DIALPLAN, encoding="utf-8")
    return path


class Session:
    """One FastAGI session as the server sees it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.env: list[tuple[str, str]] = []
        self.hangups = 0  # HANGUP lines received

    @property
    def request(self) -> dict[str, str]:
        return dict(self.env)

    async def read_env(self) -> None:
        while (line := await self.reader.readline()) not in (b"\n", b""):
            key, _, value = line.decode().removesuffix("\n").partition(": ")
            self.env.append((key, value))

    async def send(self, line: str) -> str:
        """One command; its reply (the lines of a 520 usage joined by newlines)."""
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()
        lines: list[str] = []
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), 10)
            assert raw.endswith(b"\n"), f"session closed during {line!r}: {raw!r}"
            text = raw.decode().removesuffix("\n")
            if text == "HANGUP":
                self.hangups += 1
                continue
            lines.append(text)
            if not text.startswith("520-"):
                return "\n".join(lines)
            while not lines[-1].startswith("520 "):
                lines.append((await self.reader.readline()).decode().removesuffix("\n"))
            return "\n".join(lines)

    async def until_hangup(self, within: float = 10.0) -> None:
        """Wait for the HANGUP notice that comes while no command runs."""
        line = await asyncio.wait_for(self.reader.readline(), within)
        assert line == b"HANGUP\n", line
        self.hangups += 1


Talk = Callable[[Session], Awaitable[None]]


class ScriptedAgi:
    """Serves each FastAGI session with the next `talk` of the list (the last one repeats)."""

    def __init__(self, *talks: Talk) -> None:
        self.talks = list(talks)
        self.sessions: list[Session] = []
        self.errors: list[BaseException] = []
        self.done = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self.errors:
            raise self.errors[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(reader, writer)
        self.sessions.append(session)
        talk = self.talks[min(len(self.sessions), len(self.talks)) - 1]
        try:
            await session.read_env()
            await talk(session)
        except BaseException as exc:  # reported by stop()
            self.errors.append(exc)
        finally:
            writer.close()
            self.done.set()


@dataclass
class AgiCall:
    emu: Emulator
    uid: str
    server: ScriptedAgi
    channel: Channel


async def ended(emu: Emulator, uid: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while True:
        truth = emu.truth.get(uid)
        if truth is not None and truth.ended_at is not None:
            return
        assert time.monotonic() < deadline, "the call did not end"
        await asyncio.sleep(0.01)


def varsets(emu: Emulator) -> list[tuple[str, str]]:
    return [(dict(h)["Variable"], dict(h)["Value"]) for e, h in emu.events() if e == "VarSet"]


def newexten_data(emu: Emulator) -> list[str]:
    return [dict(h)["AppData"] for e, h in emu.events() if e == "Newexten"]
