"""The one place that builds the application from settings.

Nothing is built at import time: `build(settings)` creates every object (store, engine runtime,
dashboard hub, metrics, routes) without opening a socket, and the aiohttp `cleanup_ctx` opens and
closes the resources in one visible order: database (migrated), live state, engine runtime
(callbacks restored, FastAGI listening, AMI connected), partner federation.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web
from sqlalchemy import text

from callcenter.clock import Clock, SystemClock
from callcenter.config import Settings, SettingsError
from callcenter.federation import (
    Federation,
    FederationConfig,
    add_federation_routes,
    federation_context,
    load_federation_config,
)
from callcenter.ivr.context import RunnerSettings
from callcenter.ivr.menus import load_menus, shipped_menus_dir
from callcenter.ivr.portal import demo_portal_file, load_portal_file
from callcenter.notify.mail import SmtpMailer, SmtpSettings
from callcenter.notify.runner import NotifyRunner
from callcenter.pbx.ami import AmiClient
from callcenter.runtime.callback_share import CallbackShare
from callcenter.runtime.claims import RedisClaims
from callcenter.runtime.control_share import ControlShare
from callcenter.runtime.controls import EngineControls
from callcenter.runtime.federation_link import FederationLink
from callcenter.runtime.leases import RedisLeases
from callcenter.runtime.live_runtime import LiveRuntime, RuntimeOptions, RuntimeParts
from callcenter.runtime.operator_ports import (
    AmiOperatorControls,
    OperatorBridge,
    RuntimeCallActions,
)
from callcenter.runtime.shared_picture import SharedPicture
from callcenter.runtime.snapshot import Titles
from callcenter.scripting import DATA_DIR, FileKnowledgeSource, OperatorGuide, ScriptingError
from callcenter.scripting.scripts import ScriptLibrary
from callcenter.speech.prompts import PromptSpeaker
from callcenter.speech.recognizer import VoskRecognizer
from callcenter.speech.synth import EspeakSynthesizer
from callcenter.store.live_redis import RedisLiveState
from callcenter.store.migrate import migrate
from callcenter.store.repositories import Store, open_store
from callcenter.web.admin_scripts import add_script_admin_routes
from callcenter.web.alerts import AlertThresholds, AlertTracker
from callcenter.web.app import create_app
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.live import LiveHub
from callcenter.web.metrics import Metrics
from callcenter.web.operator import add_operator_routes
from callcenter.web.status import ComponentStatus, StatusAggregator
from callcenter.web.supervisor import add_supervisor_routes
from callcenter.web.workplace_calls import expire_wrapup
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_ports import Workplace
from callcenter.wiring.booking_sql import SqlBooking, SqlPortal
from callcenter.wiring.labels import report_labels, survey_questions, topic_titles
from callcenter.wiring.schedule import load_shifts, schedule_source
from callcenter.wiring.script_editor import StoreScriptEditor
from callcenter.wiring.users import StoreUserDirectory
from callcenter.wiring.web_sources import StoreAuditLog, StoreReportSource
from callcenter.wiring.workplace_sql import SqlWorkplaceStore
from queue_engine.config import (
    CallbackPolicy,
    EngineConfig,
    OverflowPolicy,
    QueueConfig,
    ScheduleConfig,
)
from queue_engine.staffing import agents_needed

log = logging.getLogger(__name__)

STORE = web.AppKey("store", Store)
RUNTIME = web.AppKey("runtime", LiveRuntime)
HUB = web.AppKey("hub", LiveHub)
REDIS = web.AppKey("redis", aioredis.Redis)
FEDERATION = web.AppKey("federation", Federation)
CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


@dataclass(frozen=True)
class BuildOptions:
    """What tests and the demo change besides settings."""

    clock: Clock | None = None
    with_runtime: bool = True
    migrate: bool = True


def engine_config(settings: Settings, partners: FederationConfig | None = None) -> EngineConfig:
    queues = tuple(
        QueueConfig(name, limit_s=settings.queue_limit_s) for name in settings.queue_names
    )
    overflow = OverflowPolicy(enabled=False)
    if partners is not None:  # the engine judges partners' freshness as the federation does
        overflow = OverflowPolicy(max_hops=partners.max_hops, stale_after_s=partners.stale_after_s)
    return EngineConfig(
        queues=queues,
        callbacks=CallbackPolicy(
            deadline_s=settings.callback_deadline_s,
            citizen_first=settings.callback_mode == "citizen_first",
        ),
        schedule=ScheduleConfig(tz=settings.timezone),
        overflow=overflow,
    )


def build(settings: Settings, options: BuildOptions | None = None) -> web.Application:
    options = options or BuildOptions()
    clock = options.clock or SystemClock()
    status = StatusAggregator()
    app = create_app(settings, status)
    store = open_store(settings.database_url, clock=clock.now)
    app[STORE] = store
    app.cleanup_ctx.append(_database(settings, store, status, options.migrate))
    app.cleanup_ctx.append(_live_state(settings, status))
    node_id = f"{settings.center_id}-{uuid.uuid4().hex[:8]}"
    hub = LiveHub(transform=AlertTracker(AlertThresholds()))
    app[HUB] = hub
    metrics = Metrics()
    partners = _partners_config(settings)
    config = engine_config(settings, partners)
    runtime = _runtime(settings, config, store, clock, hub, metrics)
    controls = EngineControls(runtime)
    if options.with_runtime:
        app[RUNTIME] = runtime
        app.cleanup_ctx.append(_run(runtime, controls, status, node_id))
        if settings.vosk_model:
            app.on_startup.append(_speech(runtime, Path(settings.vosk_model), status))
        portal = runtime.parts.portal
        if isinstance(portal, SqlPortal):  # the local stand-in's statuses, for IVR lookups
            app.on_startup.append(lambda _app: portal.seed())
    users = _users(settings, store)
    runtime.operator_names = users.name_for_endpoint
    topics = topic_titles(ScriptLibrary.from_directory(DATA_DIR / "scripts"))
    runtime.titles = Titles(queues=settings.queue_title_map, topics=topics)
    if isinstance(users, StoreUserDirectory):
        app.on_startup.append(lambda _app: users.reload())
    add_supervisor_routes(
        app,
        hub=hub,
        controls=controls,
        audit=StoreAuditLog(store),
        users=users,
        metrics=metrics,
        report_source=StoreReportSource(store, limit_of=runtime.queue_limit),
        clock=clock.now,
        tz=settings.tz,
        agents_needed=_agents_needed,
        schedule=schedule_source(load_shifts(Path(settings.schedule_file)))
        if settings.schedule_file
        else None,
        report_labels=report_labels(
            queues=settings.queue_title_map, topics=topics, operator_name=users.name_for_endpoint
        ),
        survey_questions=survey_questions(runtime.options.menus.get("survey")),
    )
    bridge = _operator_workplace(app, settings, runtime, store, users, clock)
    if partners is not None and options.with_runtime:
        _federation(app, partners, runtime, clock, metrics, bridge)
    app.on_startup.append(_freeze_startup_heap)  # last: after everything start-up builds
    app.on_cleanup.append(_unfreeze_heap)
    return app


async def _freeze_startup_heap(_app: web.Application) -> None:
    """Take what start-up built out of the garbage collector's sight: modules, SQLAlchemy's
    mappers, menus and scripts live as long as the process, yet every full collection walked
    them all (some 190,000 objects, 0.3 s on the benchmark's machine, with the event loop
    stopped). A burst of calls allocates enough to start one, so callers in the burst waited
    for it; frozen, a full collection walks only what was made since."""
    gc.collect()  # start-up's own garbage first: frozen, it would never be freed
    gc.freeze()


async def _unfreeze_heap(_app: web.Application) -> None:
    """Collectable again once the application is gone (tests build many in one process)."""
    gc.unfreeze()


def _partners_config(settings: Settings) -> FederationConfig | None:
    """The partners file, if any; our id in it is the center's id of the settings."""
    if not settings.federation_config:
        return None
    return load_federation_config(
        settings.federation_config, os.environ, center_id=settings.center_id
    )


def _federation(
    app: web.Application,
    config: FederationConfig,
    runtime: LiveRuntime,
    clock: Clock,
    metrics: Metrics,
    bridge: OperatorBridge,
) -> None:
    """Partner centers: our capacity published, theirs polled, calls handed over both ways."""
    link = FederationLink(
        runtime,
        center_id=config.center_id,
        max_hops=config.max_hops,
        on_overflow=metrics.observe_overflow,
        on_inbound=bridge.arrivals.__setitem__,
        on_handed_over_outcome=metrics.observe_overflow_outcome,
    )
    federation = Federation(
        config=config,
        clock=clock.now,
        capacity=link.capacity,
        admission=link.admission,
        on_update=link.on_update,
        on_outcome=link.on_outcome,
    )
    link.attach(federation)
    app[FEDERATION] = federation
    add_federation_routes(app, federation)
    app.cleanup_ctx.append(federation_context(federation))


@dataclass(frozen=True)
class Notifier:
    """What `callcenter notify` runs: its own AMI connection feeding the campaign runner."""

    store: Store
    ami: AmiClient
    runner: NotifyRunner


def build_notifier(settings: Settings, clock: Clock | None = None) -> Notifier:
    """The auto-informing runner. Opens nothing: start `ami`, close `store` when done."""
    clock = clock or SystemClock()
    store = open_store(settings.database_url, clock=clock.now)
    ami = AmiClient(
        host=settings.ami_host,
        port=settings.ami_port,
        username=settings.ami_user,
        secret=settings.ami_secret,
        sink=lambda fact: runner.on_fact(fact),
    )
    mailer = None
    if settings.smtp_host:
        mailer = SmtpMailer(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.mail_from,
                user=settings.smtp_user,
                password=settings.smtp_password,
                security=settings.smtp_security,
            )
        )
    speak = None
    if shutil.which("espeak-ng"):
        speaker = PromptSpeaker(
            sounds_dir=Path(settings.sounds_dir), synthesizer=EspeakSynthesizer(), prefix="notify_"
        )
        speak = speaker.speak
    runner = NotifyRunner(
        repo=store.notify,
        ami=ami,
        clock=clock,
        mailer=mailer,
        speak=speak,
        trunk=settings.notify_trunk,
    )
    return Notifier(store=store, ami=ami, runner=runner)


def load_guide(settings: Settings) -> OperatorGuide:
    """The operator guide, with the center's own knowledge base when `kb_dir` is set; a broken
    one stops the start-up with a message naming the file and the record."""
    if not settings.kb_dir:
        return OperatorGuide.load()
    source = FileKnowledgeSource.from_directory(Path(settings.kb_dir))
    try:
        return OperatorGuide.load(knowledge_source=source)
    except (ScriptingError, OSError) as exc:
        raise SettingsError(f"kb_dir: {exc}") from exc


def _operator_workplace(
    app: web.Application,
    settings: Settings,
    runtime: LiveRuntime,
    store: Store,
    users: InMemoryUserDirectory | StoreUserDirectory,
    clock: Clock,
) -> OperatorBridge:
    guide = load_guide(settings)
    workplace_store = SqlWorkplaceStore(store, guide)
    hub = OperatorHub(clock=clock.now, start_script=guide.start_script, wrapup_s=settings.wrapup_s)
    workplace = Workplace(
        guide=guide,
        hub=hub,
        controls=AmiOperatorControls(runtime),
        store=workplace_store,
        history=workplace_store,
        booking=SqlBooking(store, settings.tz),
        calls=RuntimeCallActions(runtime),
        clock=clock.now,
        tz=settings.tz,
    )
    add_operator_routes(app, workplace=workplace, users=users)
    editor = StoreScriptEditor(guide, store)
    add_script_admin_routes(app, editor)
    app.on_startup.append(lambda _app: editor.load())
    bridge = OperatorBridge(
        runtime,
        hub,
        users.id_for_endpoint,
        wrapup_s=hub.board.wrapup_s,
        expire_wrapup=lambda user, call_id: expire_wrapup(workplace, user, call_id),
    )
    runtime.runner.add_sink(bridge)
    return bridge


def _agents_needed(
    rate_per_hour: float, aht_s: float, target_s: float, level: float, patience_s: float
) -> int:
    return agents_needed(
        rate_per_s=rate_per_hour / 3600.0,
        aht_s=aht_s,
        target_s=target_s,
        level=level,
        patience_s=patience_s,
    ).agents


def _users(settings: Settings, store: Store) -> InMemoryUserDirectory | StoreUserDirectory:
    """Demo accounts (password = login) outside production; the operators table in production."""
    if settings.mode == "production":
        return StoreUserDirectory(store)
    return InMemoryUserDirectory.demo()


def _runtime(
    settings: Settings,
    config: EngineConfig,
    store: Store,
    clock: Clock,
    hub: LiveHub,
    metrics: Metrics,
) -> LiveRuntime:
    guide = OperatorGuide.load()
    options = RuntimeOptions(
        engine=config,
        timezone=settings.timezone,
        ami_host=settings.ami_host,
        ami_port=settings.ami_port,
        ami_user=settings.ami_user,
        ami_secret=settings.ami_secret,
        agi_host=settings.agi_host,
        agi_port=settings.agi_port,
        menus=load_menus(Path(settings.menus_dir) if settings.menus_dir else shipped_menus_dir()),
        citizen_trunk=settings.citizen_trunk,
    )
    # With Redis the nodes share one picture (`SharedPicture`, started with the runtime).
    parts = RuntimeParts(hub=None if settings.redis_url else hub)
    runtime = LiveRuntime(options, store=store, clock=clock, parts=parts)
    runtime.parts.knowledge = guide.knowledge_base
    # The regional portal's local stand-in; bookings made by callers are kept in our database.
    runtime.parts.portal = SqlPortal(load_portal_file(demo_portal_file(), runtime.local_now), store)
    runtime.parts.on_call_finished = metrics.observe_call_finished
    # Without espeak-ng here, only audio built ahead (`callcenter prompts build`) is played.
    runtime.parts.speak = PromptSpeaker(
        sounds_dir=Path(settings.sounds_dir), synthesizer=EspeakSynthesizer()
    ).speak
    runtime.route_deps.services_for = runtime.services_for
    recordings = Path(settings.recordings_dir).resolve()
    runtime.route_deps.ivr_settings = RunnerSettings(
        sound_prefix=settings.sound_prefix, record_prefix=f"{recordings}/ivr-"
    )
    return runtime


def _database(
    settings: Settings, store: Store, status: StatusAggregator, upgrade: bool
) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if upgrade:
            await migrate(settings.database_url)

        async def check() -> ComponentStatus:
            async with store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return ComponentStatus(True, store.engine.dialect.name)

        status.add("database", check)
        yield
        await store.close()

    return ctx


def _live_state(settings: Settings, status: StatusAggregator) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if not settings.redis_url:
            status.add("live_state", _in_process)
            yield
            return
        client = aioredis.from_url(settings.redis_url, socket_connect_timeout=2)
        app[REDIS] = client

        async def check() -> ComponentStatus:  # replaced by the engine's when it runs here
            await client.ping()
            return ComponentStatus(True, "redis: reachable; no engine on this node")

        status.add("live_state", check)
        yield
        await client.aclose()

    return ctx


def _run(
    runtime: LiveRuntime, controls: EngineControls, status: StatusAggregator, node_id: str
) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        followers: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = []
        if REDIS in app:
            followers = await _join_nodes(app, runtime, controls, status, node_id)
        status.add("ami", runtime.ami_status)
        status.add("agi", runtime.agi_status)
        status.add("recorder", runtime.recorder_status)
        await runtime.start()
        for name, follow in followers:
            runtime.tasks.spawn(follow(), name=name)
        yield
        await runtime.stop()

    return ctx


async def _join_nodes(
    app: web.Application,
    runtime: LiveRuntime,
    controls: EngineControls,
    status: StatusAggregator,
    node_id: str,
) -> list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]]:
    """Several engine nodes on one Redis: each exactly-once action claimed, callback dials
    leased, one dashboard picture, callbacks and supervisors' controls announced to the others
    (subscribed before the engine reads the stored requests). Returns what to follow once the
    engine runs."""
    redis, center = app[REDIS], node_id.rsplit("-", 1)[0]
    claims = RedisClaims(redis, node_id=node_id, prefix=f"cc:claim:{center}:")
    runtime.executor.claims = runtime.recorder.claims = claims
    leases = RedisLeases(redis, node_id=node_id, prefix=f"cc:lease:{center}:")
    runtime.executor.leases = leases
    state = RedisLiveState(redis=redis, prefix=f"cc:live:{center}")
    shared = SharedPicture(own=runtime.snapshot, hub=app[HUB], state=state, leases=leases)
    status.add("live_state", shared.status)
    callbacks = CallbackShare(runner=runtime.runner, state=state, node_id=node_id)
    runtime.runner.add_sink(callbacks)
    await callbacks.subscribe()
    controls.share = ControlShare(runtime=runtime, state=state, node_id=node_id)
    await controls.share.subscribe()
    return [
        ("shared picture", shared.run),
        ("callback announcements", callbacks.run),
        ("control announcements", controls.share.run),
    ]


def _speech(
    runtime: LiveRuntime, model_dir: Path, status: StatusAggregator
) -> Callable[[web.Application], Awaitable[None]]:
    """Loads the Vosk model (seconds, hundreds of MB) off the event loop. A missing model is a
    fault, not a stop: the menus keep working by DTMF and the status page says so."""

    async def start(_app: web.Application) -> None:
        problem = ""
        try:
            recognizer = await asyncio.to_thread(VoskRecognizer.load, model_dir)
        except Exception as exc:  # vosk reports a broken model with a bare Exception
            problem = str(exc)
            log.error("speech recognition off, IVR menus take DTMF only: %s", exc)
        else:
            runtime.route_deps.recognizer = recognizer

        async def check() -> ComponentStatus:
            return ComponentStatus(not problem, problem or f"vosk {model_dir.name}")

        status.add("speech", check)

    return start


async def _in_process() -> ComponentStatus:
    return ComponentStatus(True, "in-process (single node)")
