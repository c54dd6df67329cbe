"""An honest fake AMI peer for the client tests: real TCP on 127.0.0.1 port 0, the AMI wire
format (banner, CRLF, ActionID echo, event lists) and the resync lists from the recorded
transcript tests/fixtures/ami/adapter_resync.txt."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

RESYNC = Path(__file__).resolve().parents[2] / "fixtures" / "ami" / "adapter_resync.txt"
Frame = list[tuple[str, str]]


def resync_lists() -> dict[str, list[Frame]]:
    """The item and completion events of the recorded QueueStatus and CoreShowChannels lists."""
    lists: dict[str, list[Frame]] = {"QueueStatus": [], "CoreShowChannels": []}
    for block in RESYNC.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if ": " in line]
        if not lines or not lines[0].startswith("Event: "):
            continue
        frame = [tuple(line.split(": ", 1)) for line in lines]
        name = frame[0][1]
        if name.startswith(("Queue", "CoreShowChannel")):
            key = "QueueStatus" if name.startswith("Queue") else "CoreShowChannels"
            lists[key].append(frame)  # type: ignore[arg-type]
    return lists


def encode(frame: Frame) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in frame).encode() + b"\r\n"


class FakeAmi:
    def __init__(self, *, secret: str = "s3cret") -> None:
        self.secret = secret
        self.actions: list[dict[str, str | list[str]]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.silent: set[str] = set()  # actions left unanswered
        self.refuse: dict[str, str] = {}  # action -> error message
        self.before_list_items: list[Frame] = []  # events written between list start and items
        self.originate_reason = "4"
        self.lists = resync_lists()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def drop(self) -> None:
        """Close every client connection (as a restarting Asterisk would)."""
        writers, self.writers = self.writers, []
        for writer in writers:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a["Action"] == action)

    async def send_event(self, frame: Frame, *, split_at: int | None = None) -> None:
        data = encode(frame)
        for writer in self.writers:
            if split_at is None:
                writer.write(data)
            else:  # two TCP writes, a pause between: two reads on the other side
                writer.write(data[:split_at])
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(data[split_at:])
            await writer.drain()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        self.writers.append(writer)
        try:
            while True:
                action = await self._read_action(reader)
                if action is None:
                    break
                self.actions.append(action)
                await self._answer(action, writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _read_action(self, reader: asyncio.StreamReader) -> dict[str, str | list[str]] | None:
        action: dict[str, str | list[str]] = {}
        while True:
            line = await reader.readline()
            if not line:
                return None
            text = line.decode().rstrip("\r\n")
            if not text:
                return action
            key, _, value = text.partition(": ")
            old = action.get(key)
            action[key] = (
                value if old is None else [*([old] if isinstance(old, str) else old), value]
            )

    async def _answer(
        self, action: dict[str, str | list[str]], writer: asyncio.StreamWriter
    ) -> None:
        name = str(action["Action"])
        aid = [("ActionID", str(action["ActionID"]))]
        if name in self.silent:
            return
        if name in self.refuse:
            writer.write(encode([("Response", "Error"), *aid, ("Message", self.refuse[name])]))
            if name == "Login":
                await writer.drain()
                writer.close()
            return
        handler: Callable[..., list[Frame]] = getattr(self, f"_on_{name.lower()}", self._on_other)
        for frame in handler(action, aid):
            writer.write(encode(frame))
        await writer.drain()

    def _on_login(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        ok = action.get("Secret") == self.secret
        if not ok:
            return [[("Response", "Error"), *aid, ("Message", "Authentication failed")]]
        booted = [
            ("Event", "FullyBooted"),
            ("Privilege", "system,all"),
            ("Uptime", "10"),
            ("LastReload", "10"),
            ("Status", "Fully Booted"),
        ]
        return [[("Response", "Success"), *aid, ("Message", "Authentication accepted")], booted]

    def _list(self, name: str, message: str, aid: Frame) -> list[Frame]:
        items = []
        for frame in self.lists[name]:
            body = [kv for kv in frame if kv[0] != "ActionID"]
            items.append([body[0], *aid, *body[1:]])
        start = [("Response", "Success"), *aid, ("EventList", "start"), ("Message", message)]
        return [start, *self.before_list_items, *items]

    def _on_queuestatus(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        return self._list("QueueStatus", "Queue status will follow", aid)

    def _on_coreshowchannels(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        return self._list("CoreShowChannels", "Channels will follow", aid)

    def _on_ping(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        return [[("Response", "Success"), *aid, ("Ping", "Pong"), ("Timestamp", "1.000000")]]

    def _on_getvar(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        value = "Пётр" if action.get("Variable") == "CALLERID(name)" else ""
        return [
            [("Response", "Success"), *aid, ("Variable", str(action["Variable"])), ("Value", value)]
        ]

    def _on_originate(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        queued = [("Response", "Success"), *aid, ("Message", "Originate successfully queued")]
        response = "Success" if self.originate_reason == "4" else "Failure"
        outcome = [
            ("Event", "OriginateResponse"),
            ("Privilege", "call,all"),
            *aid,
            ("Response", response),
            ("Channel", str(action["Channel"])),
            ("Context", str(action["Context"])),
            ("Exten", str(action["Exten"])),
            ("Reason", self.originate_reason),
            ("Uniqueid", "1700000000.42"),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ]
        return [queued, outcome]

    def _on_other(self, action: dict[str, str | list[str]], aid: Frame) -> list[Frame]:
        messages = {
            "Redirect": "Redirect successful",
            "QueueAdd": "Added interface to queue",
            "QueueRemove": "Removed interface from queue",
            "QueuePause": "Interface paused successfully",
            "QueuePenalty": "Interface penalty set successfully",
            "Setvar": "Variable Set",
            "Hangup": "Channel Hungup",
        }
        name = str(action["Action"])
        if name not in messages:
            text = f"Invalid/unknown command: {name}. Use Action: ListCommands to show available"
            text += " commands."
            return [[("Response", "Error"), *aid, ("Message", text)]]
        return [[("Response", "Success"), *aid, ("Message", messages[name])]]
