"""Kill the engine process (SIGKILL) while a citizen it called back waits in the queue.

Citizen-first: the citizen answered the callback and waits at the head of the queue, every
operator talks. The engine dies and starts again: it must find the citizen's leg in Asterisk's
picture (its Uniqueid names the request and the attempt), follow it instead of dialling the
citizen a second time, not take it for an inbound caller, and close the request as served once
an operator has taken the citizen.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from kill_world import ACCEPTS, OPERATORS, World, leg, ready, snapshot, world

from callcenter.emulator.callers import CallerScript
from callcenter.store.repositories import open_store


async def test_an_engine_killed_while_the_citizen_waits_follows_the_leg_and_dials_once(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        first, second = await asyncio.gather(w.spawn(), w.spawn())
        try:
            await first.start(w.settings, w.clock)
            await ready(first)
            callback_id, citizen_leg = await citizen_waiting(w)
            first.kill()  # SIGKILL: no cleanup
            assert await first.wait() == -signal.SIGKILL
            await w.clock.sleep(20)  # the citizen keeps waiting while the engine is dead
            assert w.queued() == [citizen_leg]
            await second.start(w.settings, w.clock)
            await follows_the_leg(w, second.url, callback_id, citizen_leg)
            # An operator frees: they take the citizen; the request is served, dialled once.
            operator = next(op for op in OPERATORS if w.truth(talker(w, op)).ended_at is None)
            w.hang_up(talker(w, operator))
            await w.until(lambda: w.truth(citizen_leg).connected_at is not None, "taken", 60)
            assert w.truth(citizen_leg).operator == operator
            await served_once(w, callback_id, operator)
        finally:
            for engine in (first, second):
                engine.kill()
                await engine.wait()


def talker(w: World, operator: str) -> str:
    """The inbound call the operator talks with."""
    return next(t.uniqueid for t in w.inbound() if t.answered_by == operator)


async def citizen_waiting(w: World) -> tuple[str, str]:
    """Every operator talks; a citizen books a callback, is called back when it falls due
    and, having answered, waits in the queue: (callback id, the leg's Uniqueid)."""
    em = w.emulator
    talks = [em.place_call(CallerScript(number=f"+7916111000{i}")) for i in (1, 2, 3)]
    await w.until(lambda: all(w.truth(u).answered_at for u in talks), "three answered")
    booked = em.place_call(CallerScript(number="+79161110004", digits=dict(ACCEPTS), talk_s=10))
    await w.until(lambda: w.truth(booked).ended_at is not None, "callback booked")
    callback_id = f"cb-{booked}"
    citizen_leg = leg(callback_id)
    # Due a few minutes before its deadline: dialled although every operator talks.
    await w.until(lambda: citizen_leg in w.queued(), "the citizen answered and waits", 600)
    assert w.originates(callback_id) == 1
    truth = w.truth(citizen_leg)
    assert truth.direction == "outbound"
    assert truth.answered_at is not None
    return callback_id, citizen_leg


async def follows_the_leg(w: World, url: str, callback_id: str, citizen_leg: str) -> None:
    """After the resync: the request is being dialled (not pending, not dialled again) and the
    citizen is nobody in the engine's queue."""
    deadline = time.monotonic() + 10
    while True:
        snap = await snapshot(url)
        statuses = {cb["id"]: cb["status"] for cb in snap["callbacks"]} if snap else {}
        if snap is not None and snap["ami_connected"] and statuses.get(callback_id):
            break
        assert time.monotonic() < deadline, "the restarted engine did not resync"
        await asyncio.sleep(0.1)
    assert statuses == {callback_id: "dialing"}
    waiting = [c["call_id"] for q in snap["queues"] for c in q["waiting"]]
    assert citizen_leg not in waiting
    await asyncio.sleep(1)  # 20 s of the center's time: nothing is dialled meanwhile
    assert w.originates(callback_id) == 1


async def served_once(w: World, callback_id: str, operator: str) -> None:
    store = open_store(w.settings.database_url, clock=w.clock.now)
    try:
        deadline = time.monotonic() + 20
        while True:
            row = await store.callbacks.get(callback_id)
            if row is not None and row.status == "done":
                break
            assert time.monotonic() < deadline, f"{callback_id} not served: {row}"
            await asyncio.sleep(0.1)
        assert row.outcome == "on_time"
        attempts = await store.callbacks.attempts(callback_id)
        assert [(a.result, a.operator_id) for a in attempts] == [("answered", operator)]
        assert w.originates(callback_id) == 1
        records = {r.id for r in await store.calls.calls_between(0, w.clock.now() + 1)}
        assert leg(callback_id) not in records  # never recorded as an inbound call
    finally:
        await store.close()
