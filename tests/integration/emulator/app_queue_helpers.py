"""A queue test rig: an emulator with a queues.conf of the test's own, an AMI client reading
every event, callers entering Queue() directly, and readable forms of events and queue_log lines.

Callers run `QueueApp.run` in a task of their own (what the dialplan's Queue() does), so these
tests pin the app_queue model whatever the dialplan around it does.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

from emulator_helpers import RawAmi, event_is

from callcenter.clock import ScaledClock
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.model import Channel
from callcenter.emulator.wire import Headers, get

SPEED = 20.0
START = 1_700_000_000.0

# The headers that tell one queue event from another, per event.
_SHOWN = {
    "QueueCallerJoin": ("Queue", "Position", "Count"),
    "QueueCallerLeave": ("Queue", "Position", "Count"),
    "QueueCallerAbandon": ("Queue", "Position", "OriginalPosition", "HoldTime"),
    "AgentCalled": ("Interface",),
    "AgentRingNoAnswer": ("Interface", "RingTime"),
    "AgentConnect": ("Interface", "HoldTime", "RingTime"),
    "AgentComplete": ("Interface", "HoldTime", "TalkTime", "Reason"),
    "AgentDump": ("Interface",),
    "DialBegin": ("DestChannel",),
    "DialEnd": ("DestChannel", "DialStatus"),
    "QueueMemberStatus": ("Interface", "Status"),
    "QueueMemberPause": ("Queue", "Interface", "Paused", "PausedReason"),
    "QueueMemberAdded": ("Queue", "Interface", "Penalty", "Paused"),
    "QueueMemberRemoved": ("Queue", "Interface"),
    "QueueMemberPenalty": ("Queue", "Interface", "Penalty"),
}


def queues_conf(tmp_path: Path, **sections: dict[str, object]) -> Path:
    """A queues.conf with one section per keyword (a [general] like the shipped one first)."""
    lines = [
        "[general]",
        "autofill = yes",
        "shared_lastcall = yes",
        "log_membername_as_agent = yes",
    ]
    for name, options in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key.replace('_', '-')} = {value}" for key, value in options.items()]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "queues.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Caller:
    channel: Channel
    task: asyncio.Task[str]
    label: str


@dataclass
class QueueRig:
    emu: Emulator
    ami: RawAmi
    seen: list[Headers] = field(default_factory=list)
    callers: list[Caller] = field(default_factory=list)

    @classmethod
    async def start(
        cls, tmp_path: Path, conf: Path, queues: tuple[str, ...], seed: int = 1
    ) -> QueueRig:
        clock = ScaledClock(start=START, speed=SPEED)
        config = EmulatorConfig(
            clock=clock, queues=queues, queues_conf=conf, seed=seed, work_dir=tmp_path / "emu"
        )
        emu = Emulator(config)
        await emu.start()
        ami = await RawAmi.connect(emu.ami_port)
        await ami.login()
        return cls(emu, ami)

    async def stop(self) -> None:
        for caller in self.callers:
            caller.task.cancel()
        await asyncio.gather(*(c.task for c in self.callers), return_exceptions=True)
        await self.ami.close()
        await self.emu.stop()

    def operator(
        self,
        interface: str,
        *,
        delay: float = 1.5,
        handle: float = 10.5,
        answers: bool = True,
    ) -> None:
        self.emu.add_operator(
            interface, f"Оператор {interface[-3:]}", answer_delay_s=delay,
            handle_s=(handle, handle), answers=answers,
        )  # fmt: skip

    async def member(self, queue: str, interface: str, penalty: int = 0) -> None:
        """QueueAdd over AMI, as the engine signs an operator in."""
        await self.action(
            ("Action", "QueueAdd"),
            ("Queue", queue),
            ("Interface", interface),
            ("MemberName", f"Оператор {interface[-3:]}"),
            ("Penalty", str(penalty)),
        )

    async def action(self, *headers: tuple[str, str]) -> Headers:
        """The action's answer, once the events it raised have arrived too: Asterisk sends
        those after the answer, so a Ping behind it flushes them."""
        answer = await self._request(*headers)
        await self._request(("Action", "Ping"))
        return answer

    async def _request(self, *headers: tuple[str, str]) -> Headers:
        action_id = f"a{len(self.seen)}"
        await self.ami.send(*headers, ("ActionID", action_id))
        await self.until(lambda m: get(m, "ActionID") == action_id and bool(get(m, "Response")))
        return self.seen[-1]

    def enter(
        self,
        queue: str,
        *,
        label: str,
        timeout_s: float = 0,
        options: str = "",
        prio: int = 0,
    ) -> Caller:
        """A caller channel runs Queue(queue,options,,,timeout) with QUEUE_PRIO=prio."""
        n = len(self.callers) + 1
        ch = self.emu.pbx.new_channel(
            "PJSIP/citizen", num=f"+7999000000{n}", name=label, context="test", exten="s"
        )
        ch.variables["QUEUE_PRIO"] = str(prio)
        task = asyncio.create_task(self.emu.queues.run(ch, queue, timeout_s, options))
        ch.task = task  # type: ignore[assignment]
        caller = Caller(ch, task, label)
        self.callers.append(caller)
        return caller

    def hang_up(self, caller: Caller) -> None:
        self.emu.pbx.request_hangup(caller.channel)

    async def until(self, pred: object, within: float = 20.0) -> list[Headers]:
        got = await self.ami.until(pred, within)  # type: ignore[arg-type]
        self.seen += got
        return got

    async def until_event(self, name: str, **headers: str) -> list[Headers]:
        return await self.until(event_is(name, **headers))

    async def sleep(self, virtual_s: float) -> None:
        await asyncio.sleep(virtual_s / SPEED)

    # readable forms ------------------------------------------------------------------------

    def labels(self) -> dict[str, str]:
        """Uniqueids and channel names -> caller labels, member channels -> their interface."""
        out = {c.channel.uniqueid: c.label for c in self.callers}
        out |= {c.channel.name: c.label for c in self.callers}
        for m in self.seen:
            if get(m, "Event") == "AgentCalled":
                out[get(m, "DestUniqueid")] = f"<{get(m, 'Interface')}>"
                out[get(m, "DestChannel")] = f"<{get(m, 'Interface')}>"
        return out

    def events(self, *, members: bool = False) -> list[str]:
        """Queue, agent and dial events as `Event who k=v ...` lines."""
        labels = self.labels()
        out = []
        for m in self.seen:
            name = get(m, "Event")
            if name not in _SHOWN or (name.startswith("QueueMember") and not members):
                continue
            who = labels.get(get(m, "Uniqueid"), "")
            shown = [labels.get(get(m, k), get(m, k)) for k in _SHOWN[name]]
            out.append(" ".join([name, who, *shown]).replace("  ", " "))
        return out

    def queue_log(self) -> list[str]:
        """queue_log lines without the time, uniqueids replaced by labels."""
        labels = self.labels()
        out = []
        for line in self.emu.queue_log.lines:
            fields = line.split("|")[1:]
            out.append("|".join(labels.get(f, f) for f in fields))
        return out


def ms_near(line: str, event: str, seconds: float) -> bool:
    """A `...|EVENT|ms` line whose milliseconds are within 1 s of `seconds`."""
    match = re.search(rf"\|{event}\|(\d+)$", line)
    return match is not None and abs(int(match.group(1)) / 1000 - seconds) < 1.0
