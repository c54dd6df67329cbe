"""The world of `test_live_engine_kill.py`: the emulator with three operator bots, the engine
as a separate process (`engine_process.py`), and how the test reads both sides: the supervisor's
snapshot over HTTP, the emulator's queue, channels, action log and ground truth.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from engine_process import EngineProcess
from live_center import TZ, free_port, local_epoch

from callcenter.clock import ScaledClock
from callcenter.config import Settings
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.truth import CallTruth
from callcenter.store.repositories import open_store

SPEED = 20.0
QUEUE = "citizens"
OPERATORS = ("PJSIP/101", "PJSIP/102", "PJSIP/103")
ACCEPTS = {"cc-callback-offer": "1"}
# How far a time on record may be from the truth: Asterisk reports waits and channel ages in
# whole seconds, the engine notes an arrival when the dialplan reaches it, and at 20x a busy
# machine's 0.2 s of scheduling delay is 4 s of the center's time. The outage lasts over a
# minute of it, so a time taken at the restart instead of the real one is still far off.
TOLERANCE_S = 5.0


@dataclass
class World:
    emulator: Emulator
    clock: ScaledClock
    settings: Settings
    log: Path

    def truth(self, uid: str) -> CallTruth:
        t = self.emulator.truth.get(uid)
        assert t is not None, uid
        return t

    def hang_up(self, uid: str) -> None:
        channel = self.emulator.pbx.channels.get(uid)
        assert channel is not None, f"{uid} is not up"
        self.emulator.pbx.request_hangup(channel)

    def inbound(self) -> list[CallTruth]:
        """The citizens' calls into the center, without the legs the engine originated (its
        callbacks are followed as requests, not as calls)."""
        return [t for t in self.emulator.ground_truth() if t.direction == "inbound"]

    def queued(self) -> list[str]:
        return [e.channel.uniqueid for e in self.emulator.queues.queues[QUEUE].entries]

    def bridged(self, uid: str) -> bool:
        channel = self.emulator.pbx.channels.get(uid)
        return channel is not None and bool(channel.bridge_id)

    def originates(self, callback_id: str) -> int:
        return sum(
            1
            for a in self.emulator.actions
            if a.get("Action", "").lower() == "originate"
            and a.get("ChannelId", "").startswith(f"{callback_id}-try")
        )

    async def until(self, what: Callable[[], bool], label: str, virtual_s: float = 120) -> None:
        deadline = time.monotonic() + virtual_s / SPEED + 2
        while not what():
            assert time.monotonic() < deadline, f"timed out waiting for {label}"
            await asyncio.sleep(0.02)

    async def spawn(self) -> EngineProcess:
        return await EngineProcess.spawn(self.log)


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    settings = Settings(
        mode="development",
        timezone=TZ,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'center.db'}",
        ami_port=free_port(),
        agi_port=free_port(),
        web_port=0,
        center_id="kill-test",
        sounds_dir=str(tmp_path / "sounds"),
        recordings_dir=str(tmp_path / "recordings"),
    )
    clock = ScaledClock(start=local_epoch("2026-11-24", "10:00"), speed=SPEED)
    emulator = Emulator(
        EmulatorConfig(
            ami_port=settings.ami_port,
            agi_port=settings.agi_port,
            users={settings.ami_user: settings.ami_secret},
            clock=clock,
            seed=5,
            recordings_dir=tmp_path / "recordings",
        )
    )
    for interface in OPERATORS:  # operators talk until the caller (or the test) hangs up
        emulator.add_operator(interface, answer_delay_s=1.0, handle_s=(5000, 5000))
        assert emulator.add_member(QUEUE, interface)
    await emulator.start()
    try:
        yield World(emulator, clock, settings, tmp_path / "engine.log")
    finally:
        await emulator.stop()


async def snapshot(url: str) -> dict[str, Any] | None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(url, cookie_jar=jar) as http:
        form = {"login": "supervisor", "password": "supervisor", "next": ""}
        async with http.post("/login", data=form, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
        async with http.get("/api/supervisor/snapshot") as resp:
            assert resp.status == 200, await resp.text()
            body: dict[str, Any] | None = await resp.json()
            return body


async def ready(engine: EngineProcess) -> None:
    """Until the engine shows the operators it learnt from its first resync."""
    deadline = time.monotonic() + 15
    while True:
        snap = await snapshot(engine.url)
        if snap is not None and snap["ami_connected"] and len(snap["operators"]) == 3:
            return
        assert time.monotonic() < deadline, "the engine did not come up"
        await asyncio.sleep(0.1)


async def figures(engine: EngineProcess, *, after: float) -> dict[str, Any]:
    """The queue's figures for today from a snapshot taken after `after`."""
    deadline = time.monotonic() + 5
    while True:
        snap = await snapshot(engine.url)
        if snap is not None and snap["taken_at"] > after:
            (queue,) = [q for q in snap["queues"] if q["name"] == QUEUE]
            return dict(queue["figures"])
        assert time.monotonic() < deadline, "no fresh snapshot"
        await asyncio.sleep(0.1)


def picture(snap: dict[str, Any]) -> tuple[list[tuple[str, int, float]], dict[str, Any]]:
    """(waiting callers as (id, position, since), operator -> (state, call id))."""
    (queue,) = [q for q in snap["queues"] if q["name"] == QUEUE]
    waiting = [(w["call_id"], w["position"], w["since"]) for w in queue["waiting"]]
    operators = {op["id"]: (op["state"], op["call_id"]) for op in snap["operators"]}
    return waiting, operators


def truth_picture(w: World) -> tuple[list[tuple[str, int, float]], dict[str, Any]]:
    """The same, from the emulator: its queue, first join times, and who talks to whom."""
    waiting = [(uid, pos, w.truth(uid).joined_at or 0.0) for pos, uid in enumerate(w.queued(), 1)]
    operators: dict[str, Any] = {}
    for interface in OPERATORS:
        talking_with = next(
            (t.uniqueid for t in w.inbound() if t.answered_by == interface and t.ended_at is None),
            None,
        )
        member = w.emulator.queues.queues[QUEUE].members[interface]
        talking = member.in_call or member.status == 2  # INUSE: a callback's leg, too
        operators[interface] = ("talking" if talking else "other", talking_with)
    return waiting, operators


def same_picture(seen: Any, truth: Any) -> bool:
    (waiting, operators), (t_waiting, t_operators) = seen, truth
    ids = [(uid, pos) for uid, pos, _ in waiting]
    t_ids = [(uid, pos) for uid, pos, _ in t_waiting]
    times = all(abs(a[2] - b[2]) <= TOLERANCE_S for a, b in zip(waiting, t_waiting, strict=False))
    return bool(ids == t_ids and times and operators == t_operators)


def near(a: float | None, b: float | None, tolerance: float = TOLERANCE_S) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance


def offers(w: World, uid: str) -> int:
    """How often the engine redirected the caller to the callback offer (the emulator logs
    every action)."""
    channel = w.emulator.pbx.channels.get(uid)
    return sum(
        1
        for a in w.emulator.actions
        if channel is not None
        and a.get("Action", "").lower() == "redirect"
        and a.get("Channel") == channel.name
        and a.get("Context") == "cc-callback-offer"
    )


async def recorded(w: World, kind: str, uids: list[str]) -> None:
    """Until the database has a timeline event of `kind` for each call."""
    store = open_store(w.settings.database_url, clock=w.clock.now)
    try:
        deadline = time.monotonic() + 10
        while await store.calls.calls_with_events(uids, [kind]) != set(uids):
            assert time.monotonic() < deadline, f"no {kind} on record for some of {uids}"
            await asyncio.sleep(0.05)
    finally:
        await store.close()


def leg(callback_id: str, attempt: int = 1) -> str:
    """The Uniqueid the engine gives a callback attempt's leg (Originate's ChannelId): the
    citizen's own channel (citizen-first) or the operator's phone (operator-first)."""
    return f"{callback_id}-try{attempt}"
