"""The emulator: one Asterisk stand-in wired together, with a small API for tests and tools."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callcenter.clock import Clock, SystemClock
from callcenter.emulator.actions import Actions
from callcenter.emulator.agi_client import AgiTarget
from callcenter.emulator.ami_server import AmiServer
from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.dial import Dialer, Trunk
from callcenter.emulator.flow import Dialplan
from callcenter.emulator.load import LoadGenerator
from callcenter.emulator.members import Devices
from callcenter.emulator.model import Channel, Pbx, race
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.truth import CallTruth, TruthBook
from callcenter.emulator.wire import Headers

DEFAULT_USERS = {"engine": "change-me-engine", "monitor": "change-me-monitor"}


@dataclass
class EmulatorConfig:
    ami_host: str = "127.0.0.1"
    ami_port: int = 0
    agi_host: str = "127.0.0.1"
    agi_port: int | None = None  # None: no AGI server, every AGI() fails (AGISTATUS=FAILURE)
    users: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_USERS))
    queues: tuple[str, ...] = ("citizens",)
    clock: Clock = field(default_factory=SystemClock)
    seed: int = 1
    recordings_dir: Path | None = None
    center_id: str = "emu"


class Emulator:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.rng = random.Random(config.seed)
        self.truth = TruthBook()
        self.actions: list[dict[str, str]] = []
        self.bots: dict[str, OperatorBot] = {}
        self.trunks: dict[str, Trunk] = {}
        self._events: list[tuple[str, Headers]] = []
        self.server = AmiServer(
            users=config.users,
            handler=self._handle,
            clock=self.clock,
            host=config.ami_host,
            port=config.ami_port,
            on_action=self._log_action,
        )
        self.pbx = Pbx(clock=self.clock, publish=self._publish)
        self.devices = Devices(publish=self._publish)
        self.queues = QueueApp(
            pbx=self.pbx,
            devices=self.devices,
            bots=self.bots,
            truth=self.truth,
            names=config.queues,
        )
        agi = None if config.agi_port is None else AgiTarget(config.agi_host, config.agi_port)
        self.plan = Dialplan(
            pbx=self.pbx,
            queues=self.queues,
            truth=self.truth,
            agi=agi,
            recordings=config.recordings_dir,
        )
        self._callback_scripts: dict[str, CallerScript] = {}
        self.dialer = Dialer(
            plan=self.plan,
            devices=self.devices,
            bots=self.bots,
            trunks=self.trunks,
            callback_scripts=self._callback_scripts.get,
        )
        self._actions = Actions(
            pbx=self.pbx, queues=self.queues, plan=self.plan, dialer=self.dialer
        )
        self._watchers: set[asyncio.Task[None]] = set()
        self.load: LoadGenerator | None = None
        self.keep_events = False

    # lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.server.start()

    @property
    def ami_port(self) -> int:
        return self.server.port

    async def stop(self) -> None:
        if self.load is not None:
            await self.load.stop()
        await self.server.stop()  # first: the hang-ups below are of no interest to clients
        tasks = [*self.plan.tasks, *self._watchers]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.queues.stop()

    # public API ------------------------------------------------------------------------------

    def add_operator(
        self,
        interface: str,
        name: str = "",
        *,
        answer_delay_s: float = 2.0,
        handle_s: tuple[float, float] = (60.0, 180.0),
        answers: bool = True,
    ) -> OperatorBot:
        bot = OperatorBot(
            interface,
            name or interface,
            answer_delay_s,
            handle_s,
            answers,
            rng=random.Random(self.rng.random()),
        )
        self.bots[interface] = bot
        self.devices.known.add(interface)
        self.queues.poke()
        return bot

    def add_member(self, queue: str, interface: str, name: str = "", penalty: int = 0) -> bool:
        """A static-like member (what QueueAdd does), for runs without the engine."""
        return not self.queues.add_member(queue, interface, name=name, penalty=penalty)

    def place_call(self, script: CallerScript) -> str:
        """A citizen dials in; returns the caller channel's Uniqueid."""
        ch = self.pbx.new_channel(
            "PJSIP/citizen",
            num=script.number,
            name=script.name,
            context="from-citizens",
            exten=script.dnid,
        )
        return self._admit(ch, script, "from-citizens")

    def _admit(self, ch: Channel, script: CallerScript, context: str) -> str:
        self.truth.arrived(ch.uniqueid, script.number, self.clock.now())
        self.plan.scripts[ch.uniqueid] = script
        self._callback_scripts[script.number] = script
        self.plan.spawn(ch, context)
        watcher = asyncio.create_task(self._watch(ch, script))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return ch.uniqueid

    def add_callee(self, script: CallerScript) -> None:
        """A citizen the center may call (callbacks, notifications): how they take the call."""
        self._callback_scripts[script.number] = script

    def link_trunk(self, name: str, other: Emulator) -> None:
        self.trunks[name] = other

    def inbound(self, number: str, source: Channel, script: CallerScript | None) -> Channel:
        """A call arriving from a partner trunk (this emulator is the partner)."""
        ch = self.pbx.new_channel(
            "PJSIP/partner",
            num=source.callerid_num,
            name=source.callerid_name,
            context="from-partners",
            exten=number,
        )
        for var, header in (
            ("CC_CONTEXT", "X-CC-Context"),
            ("CC_HANDOFF", "X-CC-Handoff"),
            ("CC_HOPS", "X-CC-Hops"),
        ):
            if var in source.variables:
                ch.sip_headers[header] = source.variables[var]
        theirs = script or CallerScript(number=source.callerid_num)
        mine = CallerScript(
            number=theirs.number,
            name=theirs.name,
            patience_s=theirs.patience_s,
            digits=list(theirs.digits) if isinstance(theirs.digits, list) else dict(theirs.digits),
            talk_s=theirs.talk_s,
        )
        self._admit(ch, mine, "from-partners")
        return ch

    def start_load(
        self,
        *,
        rate_per_hour: float,
        duration_s: float,
        patience_mean_s: float = 120.0,
        talk_s: float | None = None,
    ) -> None:
        self.load = LoadGenerator(
            clock=self.clock, rng=random.Random(self.rng.random()), place=self.place_call
        )
        self.load.start(
            rate_per_hour=rate_per_hour,
            duration_s=duration_s,
            patience_mean_s=patience_mean_s,
            talk_s=talk_s,
        )

    def ground_truth(self) -> list[CallTruth]:
        return self.truth.all()

    def events(self) -> list[tuple[str, Headers]]:
        """Events published so far (only while `keep_events` is on)."""
        return list(self._events)

    # internals ------------------------------------------------------------------------------

    def _publish(self, event: str, privilege: str, headers: Headers) -> None:
        if self.keep_events:
            self._events.append((event, headers))
        self.server.broadcast(event, privilege, headers)

    def _log_action(self, message: Headers) -> None:
        entry = {k: ("***" if k.lower() == "secret" else v) for k, v in message}
        entry["_at"] = f"{self.clock.now():.3f}"
        self.actions.append(entry)

    async def _handle(self, session: Any, name: str, message: Headers) -> None:
        await self._actions.handle(session, name, message)

    async def _watch(self, ch: Channel, script: CallerScript) -> None:
        """The citizen's own behaviour: gives up after `patience_s` in the queue, hangs up
        `talk_s` after an operator answered."""
        while not ch.gone.is_set():
            t = self.truth.get(ch.uniqueid)
            now = self.clock.now()
            deadline = None
            if t is not None and t.answered_at is not None:
                deadline = None if script.talk_s is None else t.answered_at + script.talk_s
            elif t is not None and t.joined_at is not None and script.patience_s is not None:
                deadline = t.joined_at + script.patience_s
            if deadline is not None and now >= deadline:
                if t is not None and t.answered_at is None:
                    self.truth.update(ch.uniqueid, abandoned=True, outcome="abandoned")
                self.pbx.request_hangup(ch)
                return
            step = 1.0 if deadline is None else min(1.0, deadline - now)
            await race(self.clock.sleep(step), ch.gone.wait())
