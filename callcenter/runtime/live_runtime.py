"""The live engine: AMI client, FastAGI server, engine, recorder and dashboard, in one object.

    runtime = LiveRuntime(options, store=store, clock=clock)
    await runtime.start()     # restores callbacks, listens for AGI, connects to AMI
    ...
    await runtime.stop()      # waits for queued writes, closes sockets

Start order matters for crash safety: stored callbacks are restored into the engine before any
call can reach it, and the recorder's writer runs before the first fact arrives.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from callcenter.clock import Clock
from callcenter.ivr.choices import chosen_labels
from callcenter.ivr.menus import Menu
from callcenter.ivr.portal import Portal
from callcenter.ivr.runner import PhraseRecognizer
from callcenter.ivr.session import IvrSession
from callcenter.pbx.agi_server import AgiRoutes, AgiServer
from callcenter.pbx.ami import AmiClient
from callcenter.runtime.agi_routes import EngineRoutes, RouteDeps
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.executor import CommandExecutor, OverflowGateway
from callcenter.runtime.figures import Figures
from callcenter.runtime.ivr_services import CallIvrServices, Speak
from callcenter.runtime.pbx_bridge import PbxBridge
from callcenter.runtime.recorder import OUTCOMES, Recorder
from callcenter.runtime.restore import (
    open_calls,
    restore_callbacks,
    restore_emergency,
    restore_figures,
    restore_queue_limits,
)
from callcenter.runtime.snapshot import Titles, build_snapshot
from callcenter.runtime.tasks import TaskSet
from callcenter.scripting import KnowledgeBase
from callcenter.store.repositories import Store
from callcenter.web.live import LiveHub, Snapshot
from callcenter.web.status import ComponentStatus
from queue_engine import events as ev
from queue_engine.config import EngineConfig
from queue_engine.engine import Engine
from queue_engine.model.calls import CallOutcome

log = logging.getLogger(__name__)

MAX_CHOICES = 8  # menu choices kept per caller for the screen pop


@dataclass(frozen=True)
class RuntimeOptions:
    engine: EngineConfig
    timezone: str
    ami_host: str
    ami_port: int
    ami_user: str
    ami_secret: str
    agi_host: str
    agi_port: int
    menus: dict[str, Menu] = field(default_factory=dict)
    snapshot_every_s: float = 1.0
    citizen_trunk: str = "citizen-trunk"  # where citizen-first callbacks dial the citizen


@dataclass
class RuntimeParts:
    """Optional collaborators; tests and the demo pass what they have."""

    knowledge: KnowledgeBase | None = None
    portal: Portal | None = None
    recognizer: PhraseRecognizer | None = None
    speak: Speak | None = None
    overflow: OverflowGateway | None = None
    hub: LiveHub | None = None
    on_call_finished: Callable[[str, str, float], None] | None = None
    on_batch: list[Callable[[Batch], None]] = field(default_factory=list)


class LiveRuntime:
    def __init__(
        self, options: RuntimeOptions, *, store: Store, clock: Clock, parts: RuntimeParts
    ) -> None:
        self.options = options
        self.clock = clock
        self.store = store
        self.parts = parts
        self.tz = ZoneInfo(options.timezone)
        self.engine = Engine(config=options.engine)
        self.runner = EngineRunner(engine=self.engine, clock=clock)
        self.channels = ChannelBook()
        self.bridge = PbxBridge(runner=self.runner, channels=self.channels)
        self.figures = Figures(local_day=self._local_day)
        self.recorder = Recorder(
            store=store,
            mode_at=self.engine.mode,
            callback_deadline_s=options.engine.callbacks.deadline_s,
        )
        self.ami = AmiClient(
            host=options.ami_host,
            port=options.ami_port,
            username=options.ami_user,
            secret=options.ami_secret,
            sink=self.bridge,
        )
        self.executor = CommandExecutor(
            ami=self.ami,
            runner=self.runner,
            channels=self.channels,
            overflow=parts.overflow,
            citizen_trunk=options.citizen_trunk,
        )
        self.routes = AgiRoutes()
        self.route_deps = self._route_deps()
        EngineRoutes(self.route_deps).register(self.routes)
        self.agi = AgiServer(routes=self.routes, host=options.agi_host, port=options.agi_port)
        self.tasks = TaskSet("runtime")
        self.announcement = ""  # the supervisor's emergency text, if any
        # Calls (sent, received) per partner; the federation link replaces it when wired.
        self.partner_counts: Callable[[str], tuple[int, int]] = lambda _partner: (0, 0)
        # Endpoint -> the person's name on the dashboard; bootstrap wires the user directory.
        self.operator_names: Callable[[str], str] = lambda endpoint: endpoint
        self.titles = Titles()  # queues' and topics' names for people; bootstrap sets them
        self.route_deps.announcement = self._announcement
        self.route_deps.on_ivr_session = self._ivr_session
        # What each caller chose in the menus, for the operator's screen pop (taken on answer).
        self.ivr_choices: dict[str, tuple[str, ...]] = {}
        self.bridge.on_resynced = lambda alive: self.recorder.resynced(alive, clock.now())
        sinks: list[Callable[[Batch], None]] = [self.recorder, self.executor, self._count]
        for sink in [*sinks, *parts.on_batch]:
            self.runner.add_sink(sink)

    def _route_deps(self) -> RouteDeps:
        return RouteDeps(
            runner=self.runner,
            channels=self.channels,
            menus=self.options.menus,
            services_for=self.services_for if self.parts.portal is not None else None,
            recognizer=self.parts.recognizer,
            local_time=self.local_now,
            persist=self.recorder.stored,
        )

    def services_for(self, call_id: str, caller: str) -> CallIvrServices:
        assert self.parts.portal is not None
        return CallIvrServices(
            call_id=call_id,
            runner=self.runner,
            knowledge=self.parts.knowledge,
            portal=self.parts.portal,
            speak=self.parts.speak,
            stored=self.recorder.stored,
        )

    async def _announcement(self, prompt: str) -> str:
        """The supervisor's own text, spoken by the synthesiser when there is one."""
        if not self.announcement or self.parts.speak is None:
            return prompt
        try:
            return await self.parts.speak(self.announcement)
        except Exception:  # no synthesiser at hand: the recorded generic announcement
            log.exception("could not synthesise the emergency announcement")
            return prompt

    def _ivr_session(self, call_id: str, session: IvrSession) -> None:
        self.recorder.ivr_session(call_id, session, self.clock.now())
        menu = self.options.menus.get(session.menu)
        if menu is not None and session.menu != "survey":
            chosen = self.ivr_choices.get(call_id, ()) + chosen_labels(menu, session)
            self.ivr_choices[call_id] = chosen[-MAX_CHOICES:]

    def local_now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), self.tz)

    def _local_day(self, at: float) -> date:
        return datetime.fromtimestamp(at, self.tz).date()

    # lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        self.tasks.spawn(self.recorder.run(), name="recorder")
        restored = await restore_callbacks(self.store, self.runner)
        log.info("restored %d open callback requests", restored)
        set_limits = await restore_queue_limits(self.store, self.runner)
        if set_limits:
            log.info("wait limits set by supervisors: %s", set_limits)
        announcement = await restore_emergency(self.store, self.runner)
        if announcement is not None:
            self.announcement = announcement
            log.warning("emergency mode is on, as a supervisor left it")
        self.bridge.open_calls = await open_calls(self.store)
        now = self.clock.now()
        day_start = datetime.combine(self._local_day(now), time(), self.tz).timestamp()
        limits = {name: q.config.limit_s for name, q in self.engine.state.queues.items()}
        await restore_figures(self.store, self.figures, day_start, now, limits)
        await self.agi.start()
        await self.ami.start()
        self.tasks.spawn(self.runner.run_timers(), name="engine-timers")
        if self.parts.hub is not None:
            self.tasks.spawn(self._publish_snapshots(), name="snapshots")

    async def stop(self) -> None:
        await self.ami.stop()
        await self.agi.stop()
        await self.executor.tasks.cancel_all()
        try:
            await _with_timeout(self.recorder.drain(), 10.0)
        finally:
            await self.tasks.cancel_all()

    # live picture ------------------------------------------------------------------------------

    def _count(self, batch: Batch) -> None:
        for output in batch.outputs:
            if isinstance(output, ev.CallCompleted):
                self._call_finished(output, batch.at)

    def _call_finished(self, done: ev.CallCompleted, at: float) -> None:
        if done.outcome is not CallOutcome.ANSWERED:  # nobody will see these choices
            self.ivr_choices.pop(done.call_id, None)
        queue = done.queue
        outcome = OUTCOMES[done.outcome.value]
        if queue:
            self.figures.record(queue, outcome, done.wait_s, self.queue_limit(queue), at)
        if self.parts.on_call_finished is not None:
            self.parts.on_call_finished(queue or "ivr", outcome, done.wait_s)

    def queue_limit(self, queue: str) -> float:
        """The one source of a queue's wait limit (a queue we no longer serve: the first's)."""
        known = self.engine.state.queues
        return self.engine.limit_s(queue if queue in known else next(iter(known)))

    def snapshot(self) -> Snapshot:
        return build_snapshot(
            self.engine,
            self.figures,
            self.clock.now(),
            ami_connected=self.bridge.ami_connected,
            announcement=self.announcement,
            partner_counts=self.partner_counts,
            operator_names=self.operator_names,
            timezone=self.options.timezone,
            titles=self.titles,
        )

    async def _publish_snapshots(self) -> None:
        assert self.parts.hub is not None
        while True:
            try:
                self.parts.hub.publish(self.snapshot())
            except Exception:
                log.exception("could not publish the live snapshot")
            await asyncio.sleep(self.options.snapshot_every_s)

    # health ------------------------------------------------------------------------------------

    async def ami_status(self) -> ComponentStatus:
        if self.bridge.ami_connected:
            return ComponentStatus(True, f"{self.options.ami_host}:{self.options.ami_port}")
        return ComponentStatus(False, "not connected to Asterisk AMI")

    async def agi_status(self) -> ComponentStatus:
        try:
            return ComponentStatus(True, f"listening on {self.agi.port}")
        except RuntimeError:
            return ComponentStatus(False, "not listening")

    async def recorder_status(self) -> ComponentStatus:
        backlog = self.recorder.backlog
        return ComponentStatus(backlog < 1000, f"{backlog} writes queued")


async def _with_timeout(aw: Awaitable[None], seconds: float) -> None:
    try:
        await asyncio.wait_for(aw, seconds)
    except TimeoutError:
        log.error("gave up waiting for queued database writes after %.0f s", seconds)
