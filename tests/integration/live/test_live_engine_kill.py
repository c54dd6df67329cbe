"""Kill the engine process (SIGKILL) in the middle of traffic and start it again.

The engine runs as a process of its own against the emulator's AMI and FastAGI, on a SQLite file.
At the kill, callers wait (already offered a callback, which they declined), operators talk, one
callback is being talked and another is pending. While the engine is dead, calls go on: a talk
ends, the head of the queue is answered, a waiting caller hangs up, a new caller is queued by the
dialplan's fail-open path, and another comes and goes unseen. After the restart the test compares
the engine with the emulator's ground truth: the live picture, the callbacks (none lost, none
dialled twice) and, once every call has ended, one consistent record per call the engine could
have seen.
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
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.truth import CallTruth
from callcenter.store.records import CallRecord
from callcenter.store.repositories import Store, open_store

SPEED = 20.0
QUEUE = "citizens"
OPERATORS = ("PJSIP/101", "PJSIP/102", "PJSIP/103")
ACCEPTS = {"cc-callback-offer": "1"}
# Asterisk reports waits and channel ages in whole seconds, and at 20x a busy machine's
# scheduling delay of 0.1 s is 2 s of the center's time; an outage here lasts over a minute.
TOLERANCE_S = 3.0


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
            (
                t.uniqueid
                for t in w.emulator.ground_truth()
                if t.answered_by == interface and t.ended_at is None
            ),
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


async def records(w: World) -> tuple[dict[str, CallRecord], dict[str, list[str]], Store]:
    store = open_store(w.settings.database_url, clock=w.clock.now)
    calls = await store.calls.calls_between(0, w.clock.now() + 1)
    timelines = {c.id: [e.kind for e in await store.calls.timeline(c.id)] for c in calls}
    return {c.id: c for c in calls}, timelines, store


def near(a: float | None, b: float | None, tolerance: float = TOLERANCE_S) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance


async def test_engine_killed_mid_traffic_loses_no_call_and_no_callback(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        first, second = await asyncio.gather(w.spawn(), w.spawn())
        try:
            print("start", time.monotonic())
            await first.start(w.settings, w.clock)
            print("started", time.monotonic())
            await run_scenario(w, first, second)
        finally:
            for engine in (first, second):
                engine.kill()
                await engine.wait()


async def run_scenario(w: World, engine: EngineProcess, restarted: EngineProcess) -> None:
    em = w.emulator
    await ready(engine)

    # Three operators talk; a citizen books a callback; one operator frees and calls back.
    talks = [em.place_call(CallerScript(number=f"+7916111000{i}")) for i in (1, 2, 3)]
    await w.until(lambda: all(w.truth(u).answered_at for u in talks), "three answered")
    _, a2, a3 = talks
    booked = em.place_call(CallerScript(number="+79161110004", digits=dict(ACCEPTS)))
    await w.until(lambda: w.truth(booked).ended_at is not None, "callback booked")
    callback = f"cb-{booked}"
    w.hang_up(a3)
    leg = f"{callback}-try1"
    await w.until(lambda: w.bridged(leg), "the callback is talking")

    # Six callers queue; each is offered a callback at once and declines; one more books one.
    waiting = []
    for i in range(6):  # the first one talks across the restart
        talk = None if i == 0 else 6.0
        waiting.append(em.place_call(CallerScript(number=f"+7916222000{i}", talk_s=talk)))
        await w.clock.sleep(1)
    pending = em.place_call(CallerScript(number="+79162220009", digits=dict(ACCEPTS), talk_s=4))
    await w.until(lambda: w.truth(pending).ended_at is not None, "second callback booked")
    await w.until(
        lambda: w.queued() == waiting and all(_offered(w, u) for u in waiting),
        "six callers back in the queue after declining the offer",
    )
    await asyncio.sleep(0.5)  # the engine's writes of these facts reach the database

    # The kill: callers wait, operators talk, a callback talks and another waits.
    assert len(w.queued()) == 6
    assert all(em.queues.queues[QUEUE].members[op].in_call for op in OPERATORS)
    engine.kill()
    assert await engine.wait() == -9
    killed_at = w.clock.now()

    # While the engine is dead.
    w.hang_up(a2)  # a talk ends; the head of the queue is answered by the dialplan alone
    w1 = waiting[0]
    await w.until(lambda: w.truth(w1).answered_at is not None, "answered while down")
    gone = waiting[-1]
    w.hang_up(gone)  # a waiting caller gives up
    fresh = em.place_call(CallerScript(number="+79163330001", talk_s=6))
    unseen = em.place_call(CallerScript(number="+79163330002", patience_s=2))
    await w.until(lambda: w.truth(unseen).ended_at is not None, "unseen caller gave up")
    await w.until(lambda: fresh in w.queued(), "fail-open queued the new caller")
    assert w.truth(fresh).answered_at is None

    print("killed", time.monotonic())
    await restarted.start(w.settings, w.clock)
    print("restarted", time.monotonic())
    try:
        await after_restart(w, restarted, killed_at, callback, leg)
    finally:
        await restarted.stop()
    await check_records(w, killed_at, unseen=unseen, outage_ends={a2, gone})


def _offered(w: World, uid: str) -> bool:
    channel = w.emulator.pbx.channels.get(uid)
    redirects = [
        a
        for a in w.emulator.actions
        if a.get("Action", "").lower() == "redirect"
        and channel is not None
        and a.get("Channel") == channel.name
    ]
    return bool(redirects)


async def after_restart(
    w: World, engine: EngineProcess, killed_at: float, callback: str, leg: str
) -> None:
    em = w.emulator
    # The live picture matches the emulator's once the engine has resynced.
    deadline = time.monotonic() + 5
    seen: Any = None
    while time.monotonic() < deadline:
        snap = await snapshot(engine.url)
        if snap is not None and snap["ami_connected"]:
            seen = picture(snap)
            if same_picture(seen, truth_picture(w)):
                break
        await asyncio.sleep(0.1)
    assert seen is not None
    assert same_picture(seen, truth_picture(w)), f"engine {seen}\nemulator {truth_picture(w)}"
    print("picture", time.monotonic(), seen)
    assert len(seen[0]) == 5  # four of the six, and the one who came while the engine was dead

    # The callback talking at the kill is followed, not dialled again; then it is finished.
    assert w.originates(callback) == 1
    w.hang_up(leg)
    for uid in list(em.pbx.channels):  # the talks across the restart end
        t = em.truth.get(uid)
        if t is not None and t.answered_at is not None and t.ended_at is None:
            w.hang_up(uid)
    await w.until(
        lambda: all(t.ended_at is not None for t in em.ground_truth()), "every call ended", 400
    )
    store = open_store(w.settings.database_url, clock=w.clock.now)
    try:

        async def served(callback_id: str) -> bool:
            row = await store.callbacks.get(callback_id)
            return row is not None and row.status == "done"

        for callback_id in (callback, *_callbacks(w)):
            deadline = time.monotonic() + 20
            while not await served(callback_id):
                assert time.monotonic() < deadline, f"{callback_id} not served"
                await asyncio.sleep(0.1)
            attempts = await store.callbacks.attempts(callback_id)
            assert [a.result for a in attempts] == ["answered"], callback_id
            assert w.originates(callback_id) == 1, callback_id
        members = em.queues.queues[QUEUE].members
        await w.until(lambda: not any(m.paused for m in members.values()), "nobody left paused")
    finally:
        await store.close()


def _callbacks(w: World) -> list[str]:
    """Every callback the citizens booked (they pressed 1 at the offer)."""
    return [
        f"cb-{t.uniqueid}"
        for t in w.emulator.ground_truth()
        if t.caller in ("+79161110004", "+79162220009")
    ]


async def check_records(w: World, killed_at: float, *, unseen: str, outage_ends: set[str]) -> None:
    by_id, timelines, store = await records(w)
    await store.close()
    truth = {t.uniqueid: t for t in w.emulator.ground_truth()}
    # Exactly the calls the engine could see: all but the one that came and went while it was
    # dead. Records are keyed by call, so a doubled call would show as a value gone wrong.
    assert set(by_id) == set(truth) - {unseen}
    for uid, record in by_id.items():
        t = truth[uid]
        assert record.caller_number == t.caller, uid
        assert near(record.arrived_at, t.arrived_at), (uid, record.arrived_at, t.arrived_at)
        if t.answered_at is not None:
            assert record.outcome == "answered", uid
            assert record.operator_id == t.answered_by, uid
            assert near(record.answered_at, t.answered_at), (uid, record, t)
        assert record.ended_at is not None, f"{uid} left open"
        assert t.ended_at is not None
        if uid in outage_ends:  # ended while the engine was dead: closed when it noticed
            assert t.ended_at < record.ended_at
            assert "end_unobserved" in timelines[uid]
            assert record.talk_s is None
        elif t.answered_at is not None:
            assert near(record.ended_at, t.ended_at), (uid, record.ended_at, t.ended_at)
            assert near(record.talk_s, t.ended_at - t.answered_at), (uid, record.talk_s)
        else:  # booked a callback: the call is over for the engine once the request is stored
            assert record.outcome == "callback", (uid, record.outcome, t)
            assert t.joined_at is not None
            assert t.joined_at <= record.ended_at <= t.ended_at
        if uid not in outage_ends:
            assert "end_unobserved" not in timelines[uid]
