"""The emulator: one Asterisk stand-in wired together, with a small API for tests and tools."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

from callcenter.clock import Clock, SystemClock
from callcenter.emulator.actions import Actions
from callcenter.emulator.agi_client import AgiTarget
from callcenter.emulator.ami_auth import AmiUser, ManagerConf, load_manager_conf
from callcenter.emulator.ami_server import AmiServer
from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.callers import CallerScript, TraceCall
from callcenter.emulator.conf import CONF_DIR
from callcenter.emulator.dial import Dialer, Trunk
from callcenter.emulator.dialplan.interpreter import Interpreter
from callcenter.emulator.dialplan.parser import load
from callcenter.emulator.load import LoadGenerator
from callcenter.emulator.members import Devices
from callcenter.emulator.model import RING, Channel, Pbx, race
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.queue_conf import QueuesConf, load_queues
from callcenter.emulator.queue_log import QueueLog
from callcenter.emulator.truth import CallTruth, TruthBook
from callcenter.emulator.version import ASTERISK_VERSION
from callcenter.emulator.wire import Headers

log = logging.getLogger(__name__)

DEFAULT_USERS = {"engine": "change-me-engine", "monitor": "change-me-monitor"}
SHIPPED_QUEUES_CONF = Path(__file__).resolve().parents[2] / "asterisk_conf" / "queues.conf"
# The manager.conf we ship; the emulator takes its AMI users, permissions and ACLs from it.
SHIPPED_MANAGER_CONF = Path(__file__).resolve().parents[2] / "asterisk_conf" / "manager.conf"


@dataclass
class EmulatorConfig:
    ami_host: str = "127.0.0.1"
    ami_port: int = 0
    agi_host: str = "127.0.0.1"
    agi_port: int | None = None  # None: no AGI server, every AGI() fails (AGISTATUS=FAILURE)
    # manager.conf to read users from; None (or a file that is not there) gives DEFAULT_USERS
    # with every class and no ACL. `users` then sets other secrets (and adds users).
    manager_conf: Path | None = SHIPPED_MANAGER_CONF
    users: dict[str, str] = field(default_factory=dict)
    ami_login_failure_delay_s: float = 1.0  # Asterisk sleeps a second before refusing a login
    queues: tuple[str, ...] = ("citizens",)
    clock: Clock = field(default_factory=SystemClock)
    seed: int = 1
    recordings_dir: Path | None = None
    center_id: str = "emu"
    queues_conf: Path | None = None  # None: the shipped asterisk_conf/queues.conf
    work_dir: Path | None = None  # holds queue_log unless queue_log_path says otherwise
    queue_log_path: Path | None = None
    dialplan: Path = CONF_DIR / "extensions.conf"  # the dialplan every channel runs
    # Asterisk's sounds: prompts' files give Playback and AGI media their durations, and an AGI
    # STREAM FILE of a prompt missing here fails as on Asterisk. None: every prompt exists.
    sounds_dir: Path | None = None
    timezone: str = "UTC"  # GotoIfTime's local time
    citizen_trunks: tuple[str, ...] = ("citizen-trunk",)  # the public network's trunks


def read_queues_conf(path: Path | None) -> QueuesConf:
    """The queues.conf to run with; without one, app_queue's defaults (with a warning)."""
    if path is not None:
        return load_queues(path)
    for candidate in (SHIPPED_QUEUES_CONF, Path("asterisk_conf") / "queues.conf"):
        if candidate.is_file():
            return load_queues(candidate)
    log.warning("queues.conf not found; queues run with app_queue's defaults")
    return QueuesConf()


def queue_log_path(config: EmulatorConfig) -> Path | None:
    if config.queue_log_path is not None:
        return config.queue_log_path
    return None if config.work_dir is None else config.work_dir / "queue_log"


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
            conf=manager_conf(config),
            handler=self._handle,
            clock=self.clock,
            host=config.ami_host,
            port=config.ami_port,
            on_action=self._log_action,
            login_failure_delay_s=config.ami_login_failure_delay_s,
        )
        self.pbx = Pbx(clock=self.clock, publish=self._publish)
        self.devices = Devices(publish=self._publish)
        self.queue_log = QueueLog(clock=self.clock, path=queue_log_path(config))
        self.queues = QueueApp(
            pbx=self.pbx,
            devices=self.devices,
            bots=self.bots,
            truth=self.truth,
            names=config.queues,
            conf=read_queues_conf(config.queues_conf),
            log=self.queue_log,
            rng=random.Random(self.rng.random()),
        )
        agi = None if config.agi_port is None else AgiTarget(config.agi_host, config.agi_port)
        self.plan = Interpreter(
            plan=load(config.dialplan),
            pbx=self.pbx,
            queues=self.queues,
            truth=self.truth,
            agi=agi,
            recordings=config.recordings_dir,
            sounds=config.sounds_dir,
            timezone=config.timezone,
        )
        self._callback_scripts: dict[str, CallerScript] = {}
        self.dialer = Dialer(
            plan=self.plan,
            devices=self.devices,
            bots=self.bots,
            trunks=self.trunks,
            callback_scripts=self._callback_scripts.get,
            pstn_trunks=config.citizen_trunks,
        )
        self._actions = Actions(
            pbx=self.pbx,
            queues=self.queues,
            plan=self.plan,
            dialer=self.dialer,
            version=ASTERISK_VERSION,
        )
        self._watchers: set[asyncio.Task[None]] = set()
        self.load: LoadGenerator | None = None
        self.keep_events = False

    # lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.server.start()
        self.queues.start()

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
        answer_jitter_s: float = 0.0,
        answer_p: float = 1.0,
        handle_mean_s: float | None = None,
        wrapup_s: float = 0.0,
        break_every: int = 0,
        break_s: float = 0.0,
        hold_s: float = 0.0,
    ) -> OperatorBot:
        bot = OperatorBot(
            interface,
            name or interface,
            answer_delay_s,
            handle_s,
            answers,
            rng=random.Random(self.rng.random()),
            answer_jitter_s=answer_jitter_s,
            answer_p=answer_p,
            handle_mean_s=handle_mean_s,
            wrapup_s=wrapup_s,
            break_every=break_every,
            break_s=break_s,
            on_break=self._start_break,
            hold_s=hold_s,
        )
        self.bots[interface] = bot
        self.devices.known.add(interface)
        self.queues.poke()
        return bot

    def _start_break(self, bot: OperatorBot) -> None:
        task = asyncio.create_task(self._take_break(bot))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def _take_break(self, bot: OperatorBot) -> None:
        """The operator pauses in every queue right after the call, and comes back."""
        self.pause_operator(bot.interface, bot.break_reason)
        await self.clock.sleep(bot.break_s)
        self.pause_operator(bot.interface, bot.break_reason, paused=False)

    def pause_operator(self, interface: str, reason: str = "", *, paused: bool = True) -> bool:
        """The operator pauses (or, paused=False, resumes) in every queue, as QueuePause does."""
        return not self.queues.pause_member(interface, paused, reason=reason)

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
        if script.service_s is not None:
            self.queues.world.service_s[ch.uniqueid] = script.service_s
        self._callback_scripts[script.number] = script
        self.pbx.set_state(ch, RING)  # the INVITE arrived; the dialplan answers it
        self.plan.spawn(ch, context)
        watcher = asyncio.create_task(self._watch(ch, script))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return ch.uniqueid

    def add_citizen(self, script: CallerScript) -> None:
        """A citizen reachable on the citizens' trunk (callbacks, notifications) by number."""
        self._callback_scripts[script.number] = script

    def link_trunk(self, name: str, other: Emulator) -> None:
        self.trunks[name] = other

    def inbound(
        self, number: str, source: Channel, headers: dict[str, str], script: CallerScript | None
    ) -> Channel:
        """A call arriving from a partner trunk (this emulator is the partner), with the SIP
        headers the sending dialplan added (PJSIP_HEADER(add,...) in Dial's pre-dial)."""
        ch = self.pbx.new_channel(
            "PJSIP/partner",
            num=source.callerid_num,
            name=source.callerid_name,
            context="from-partners",
            exten=number,
        )
        ch.sip_headers = dict(headers)
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
        rate_per_hour: float = 0.0,
        duration_s: float,
        patience_mean_s: float = 120.0,
        talk_s: float | None = None,
        profile: Sequence[float] | None = None,
        tz: tzinfo = UTC,
    ) -> None:
        """Poisson citizens at `rate_per_hour`, or by a 24-hour `profile` of calls per hour."""
        self.load = self._load_generator()
        self.load.start(
            rate_per_hour=rate_per_hour,
            duration_s=duration_s,
            patience_mean_s=patience_mean_s,
            talk_s=talk_s,
            profile=profile,
            tz=tz,
        )

    def replay_trace(self, calls: Sequence[TraceCall]) -> None:
        """Citizens of a trace (see callers.read_trace), from now on."""
        self.load = self._load_generator()
        self.load.replay(calls)

    def _load_generator(self) -> LoadGenerator:
        return LoadGenerator(
            clock=self.clock, rng=random.Random(self.rng.random()), place=self.place_call
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
                self.pbx.request_hangup(ch, remote=True)
                return
            step = 1.0 if deadline is None else min(1.0, deadline - now)
            await race(self.clock.sleep(step), ch.gone.wait())


def manager_conf(config: EmulatorConfig) -> ManagerConf:
    path = config.manager_conf
    if path is not None and path.exists():
        conf = load_manager_conf(path)
    else:
        users = {n: AmiUser(n, secret) for n, secret in DEFAULT_USERS.items()}
        conf = ManagerConf(users=users)
    return conf.with_secrets(config.users)
