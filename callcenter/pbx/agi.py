"""One FastAGI session as a route handler sees it: `AgiChannel`.

`await ch.command("GET VARIABLE X")` sends one line and returns the typed `AgiReply`; the helpers
(`set_variable`, `get_variable`, `answer`, `stream_file`, `get_data`, `record_file`, `exec_`,
`verbose`, `hangup`) wrap it. Their signatures match `callcenter.ivr.channel.IvrChannel`.

Hang-up: Asterisk may write `HANGUP` at any moment, even between a command and its reply, so the
line is remembered and the reply still read; the command then raises `ChannelHungUp`, as does a
511 reply, the peer closing the socket, and any command after the hang-up.
"""

from __future__ import annotations

import asyncio
import logging

from callcenter.pbx.agi_wire import (
    HANGUP_LINE,
    AgiProtocolError,
    AgiReply,
    AgiRequest,
    command_line,
    parse_reply,
)

log = logging.getLogger(__name__)


class AgiError(Exception):
    """Base of the errors a route may see."""


class ChannelHungUp(AgiError):
    """The caller hung up (or Asterisk ended the session); `reply` is the last reply, if any."""

    def __init__(self, message: str, reply: AgiReply | None = None) -> None:
        super().__init__(message)
        self.reply = reply


class AgiTimeout(AgiError):
    """Asterisk did not answer a command in time."""


class AgiCommandFailed(AgiError):
    def __init__(self, reply: AgiReply) -> None:
        super().__init__(f"AGI command failed: {reply.line}")
        self.reply = reply


class AgiChannel:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: AgiRequest,
        *,
        command_timeout: float = 10.0,
        media_timeout: float = 600.0,
    ) -> None:
        self.request = request
        self._reader = reader
        self._writer = writer
        self._command_timeout = command_timeout
        self._media_timeout = media_timeout
        self.hung_up = False
        self._stalled = False  # a reply may still be on its way: the stream is out of step

    async def command(self, line: str, *, wait_s: float | None = None) -> AgiReply:
        """Send one command line; 510/520 come back as replies, hang-ups raise."""
        if self.hung_up:
            raise ChannelHungUp("channel already hung up")
        if self._stalled:
            raise AgiTimeout("an earlier command timed out; the session is unusable")
        if "\n" in line or "\r" in line:
            raise ValueError(f"AGI command with a line break: {line[:60]!r}")
        self._writer.write(line.encode() + b"\n")
        try:
            async with asyncio.timeout(wait_s or self._command_timeout):
                await self._writer.drain()
                reply = await self._read_reply()
        except TimeoutError:
            self._stalled = True
            raise AgiTimeout(f"no reply to {line[:60]!r}") from None
        except (ConnectionError, AgiProtocolError, ValueError) as exc:  # ValueError: huge line
            self.hung_up = True
            raise ChannelHungUp(f"session broken during {line[:60]!r}: {exc}") from exc
        if reply.code == 511 or self.hung_up:
            self.hung_up = True
            raise ChannelHungUp("channel hung up", reply)
        return reply

    async def _read_reply(self) -> AgiReply:
        usage: list[str] = []
        while True:
            raw = await self._reader.readline()
            if not raw.endswith(b"\n"):
                raise AgiProtocolError("peer closed the session")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if text == HANGUP_LINE:
                self.hung_up = True
                continue
            if text.startswith("520-") or usage:
                usage.append(text)
                if not text.startswith("520 "):
                    continue
                return parse_reply(text, "\n".join(usage[1:-1]))
            return parse_reply(text)

    # helpers ----------------------------------------------------------------------------

    async def set_variable(self, name: str, value: str) -> None:
        await self.command(command_line("SET VARIABLE", name, args=(value,)))

    async def get_variable(self, name: str) -> str | None:
        """A variable or function, e.g. `CALLERID(num)`; None when unset."""
        reply = await self.command(command_line("GET VARIABLE", name))
        return reply.data if reply.result == "1" else None

    async def answer(self) -> None:
        self._check(await self.command("ANSWER"))

    async def stream_file(self, name: str, escape_digits: str = "") -> str:
        """Play `name`; the escape digit pressed, or "" when it played to the end."""
        line = command_line("STREAM FILE", args=(name, escape_digits))
        reply = await self.command(line, wait_s=self._media_timeout)
        if reply.result == "-1":
            log.warning("could not play %r on %s", name, self.request.channel)
            return ""
        return _digit(reply)

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        """Play `prompt` and collect up to `max_digits` DTMF digits; "" on timeout."""
        line = command_line("GET DATA", args=(prompt,)) + f" {timeout_ms} {max_digits}"
        reply = self._check(await self.command(line, wait_s=self._media_timeout))
        return reply.result

    async def record_file(
        self, name: str, fmt: str, escape_digits: str, timeout_ms: int, silence_s: int
    ) -> tuple[str, str]:
        """Record into `name`.`fmt`: (the recording's path on the PBX, the escape digit that
        stopped it or "")."""
        line = command_line("RECORD FILE", args=(name, fmt, escape_digits)) + f" {timeout_ms}"
        if silence_s > 0:
            line += f" s={silence_s}"
        reply = await self.command(line, wait_s=self._media_timeout)
        if reply.data == "hangup":
            self.hung_up = True
            raise ChannelHungUp("hung up while recording", reply)
        if reply.result == "-1":
            raise AgiCommandFailed(reply)
        code = reply.result_int or 0
        return f"{name}.{fmt}", chr(code) if code > 0 else ""

    async def exec_(self, app: str, args: str = "") -> int:
        """Run a dialplan application; its return code (-2: no such application)."""
        line = command_line("EXEC", app, args=(args,))
        reply = await self.command(line, wait_s=self._media_timeout)
        return reply.result_int if reply.result_int is not None else 0

    async def verbose(self, message: str, level: int = 1) -> None:
        await self.command(command_line("VERBOSE", args=(message,)) + f" {level}")

    async def hangup(self) -> None:
        await self.command("HANGUP")

    def _check(self, reply: AgiReply) -> AgiReply:
        """-1 from a media command means the channel went away (or the command failed)."""
        if reply.code != 200:
            raise AgiCommandFailed(reply)
        if reply.result == "-1":
            self.hung_up = True
            raise ChannelHungUp("channel hung up", reply)
        return reply


def _digit(reply: AgiReply) -> str:
    code = reply.result_int
    return chr(code) if code else ""
