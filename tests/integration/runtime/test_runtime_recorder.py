"""The recorder writes what the engine saw; replaying the same steps neither loses nor doubles."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event

from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.record_writer import BATCH_MAX
from callcenter.runtime.recorder import CallbackNotStored, Recorder
from callcenter.runtime.restore import restore_callbacks
from callcenter.store.migrate import migrate
from callcenter.store.repositories import open_store
from queue_engine import commands as c
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.calls import CallOutcome
from queue_engine.model.operators import OperatorState
from queue_engine.model.schedule import Mode

T0 = 1_700_038_800.0
Q, OP, ANSWERED = "citizens", "PJSIP/101", CallOutcome.ANSWERED


def steps() -> list[Batch]:
    return [
        Batch((), T0, m.CallArrived("c1", "+79161234567", "passport")),
        Batch((e.CallQueued("c1", Q, 0, 12.0),), T0 + 1, m.CallJoinedQueue("c1", Q)),
        Batch((e.CallCompleted("c1", ANSWERED, 9.0),), T0 + 10, m.CallAnswered("c1", OP)),
        Batch((), T0 + 70, m.CallEnded("c1")),
        # c2 reached the entry at T0 + 100 and spent 20 s in the day menu before the engine heard.
        Batch((), T0 + 120, m.CallArrived("c2", "+79031112233", arrived_at=T0 + 100)),
        Batch(
            (
                e.CallbackRequested("cb-c2", "c2", "+79031112233", T0 + 700),
                e.CallCompleted("c2", CallOutcome.CALLBACK_REQUESTED, 30.0),
            ),
            T0 + 130,
            m.CallbackOfferAccepted("c2", "+79031112233"),
        ),
    ]  # fmt: skip


async def test_records_calls_timeline_and_callbacks_idempotently(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'rec.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    writer = asyncio.create_task(recorder.run())
    try:
        for replay in range(2):  # the second pass is an engine restart replaying the same facts
            for batch in steps():
                recorder(batch)
            await recorder.drain()
            c1 = await store.calls.get_call("c1")
            assert c1 is not None
            assert (c1.caller_number, c1.topic, c1.mode, c1.queue) == (
                "+79161234567",
                "passport",
                "day",
                "citizens",
            )
            assert (c1.outcome, c1.wait_s, c1.operator_id) == ("answered", 9.0, "PJSIP/101")
            assert (c1.answered_at, c1.ended_at, c1.talk_s) == (T0 + 10, T0 + 70, 60.0)
            kinds = [ev.kind for ev in await store.calls.timeline("c1")]
            assert kinds == ["arrived", "queued", "answered", "completed", "ended"], replay
            c2 = await store.calls.get_call("c2")
            assert c2 is not None
            assert c2.outcome == "callback"
            assert c2.arrived_at == T0 + 100
            arrived = [ev for ev in await store.calls.timeline("c2") if ev.kind == "arrived"]
            assert [ev.at for ev in arrived] == [T0 + 100]
            callbacks = await store.callbacks.open_requests()
            assert [(cb.id, cb.number, cb.deadline, cb.source_call_id) for cb in callbacks] == [
                ("cb-c2", "+79031112233", T0 + 700, "c2")
            ]
            assert len(await store.calls.calls_between(T0 - 1, T0 + 1000)) == 2
    finally:
        writer.cancel()
        await store.close()


async def test_a_failed_write_is_retried_not_dropped(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'late.db'}"
    store = open_store(url, clock=lambda: T0)  # not migrated yet: writes fail
    recorder = Recorder(
        store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600, retry_s=0.05
    )
    writer = asyncio.create_task(recorder.run())
    try:
        recorder(Batch((), T0, m.CallArrived("c9", "+79161234567")))
        await asyncio.sleep(0.3)
        assert recorder.backlog == 2  # the record and its timeline entry: waiting, not dropped
        await migrate(url)  # the database comes back
        await asyncio.wait_for(recorder.drain(), 10)
        assert (await store.calls.get_call("c9")) is not None
    finally:
        writer.cancel()
        await store.close()


def arrivals(count: int, start: int = 0) -> list[Batch]:
    """`count` calls arriving: two writes each (the record and its timeline entry)."""
    return [
        Batch((), T0 + i, m.CallArrived(f"x{i}", f"+7916{i:07d}", "passport"))
        for i in range(start, start + count)
    ]


async def test_a_callback_is_stored_ahead_of_a_large_backlog(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cb.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    for batch in arrivals(1500):
        recorder(batch)
    recorder(steps()[-1])  # c2 accepts the callback offer, behind 3000 queued writes
    writer = asyncio.create_task(recorder.run())
    try:
        await asyncio.wait_for(recorder.stored("cb-c2"), 10)
        assert recorder.backlog > 2500  # the backlog waits; the caller does not
        stored = await store.callbacks.get("cb-c2")
        assert stored is not None
        assert stored.number == "+79031112233"
        await asyncio.wait_for(recorder.drain(), 60)
        assert recorder.backlog == 0
        assert len(await store.calls.calls_between(T0 - 1, T0 + 5000)) == 1500
        kinds = [ev.kind for ev in await store.calls.timeline("c2")]
        assert kinds == ["callback_requested", "completed"]
    finally:
        writer.cancel()
        await store.close()


async def test_a_callback_the_database_refuses_is_not_confirmed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bad.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    writer = asyncio.create_task(recorder.run())
    try:
        refused = e.CallbackRequested("cb-bad", "c3", "not a number", T0 + 700)
        recorder(Batch((refused,), T0, m.CallbackOfferAccepted("c3", "not a number")))
        with pytest.raises(CallbackNotStored):
            await asyncio.wait_for(recorder.stored("cb-bad"), 10)
        await asyncio.wait_for(recorder.drain(), 10)  # the rest is written: nothing in flight
        assert await store.callbacks.get("cb-bad") is None
    finally:
        writer.cancel()
        await store.close()


async def test_batches_keep_order_and_survive_a_failing_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}"
    store = open_store(url, clock=lambda: T0)  # not migrated yet: every write fails
    commits: list[int] = []
    event.listen(store.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    recorder = Recorder(
        store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600, retry_s=0.05
    )
    writer = asyncio.create_task(recorder.run())
    try:
        for batch in arrivals(500):
            recorder(batch)
        # One call updated many times: the last update must win.
        for n in range(300):
            recorder(Batch((e.CallQueued("x0", f"q{n}", 0, 1.0),), T0 + n / 1000, None))
        # Entries of one instant keep the order the engine saw them in.
        recorder(Batch((e.CallQueued("x1", "citizens", 0, 1.0),), T0 + 1, None))
        await asyncio.sleep(0.3)
        assert recorder.backlog == 1602  # retried, not dropped
        await migrate(url)  # the database comes back
        await asyncio.wait_for(recorder.drain(), 30)
        assert recorder.backlog == 0
        assert len(await store.calls.calls_between(T0 - 1, T0 + 1000)) == 500
        x0 = await store.calls.get_call("x0")
        assert x0 is not None
        assert x0.queue == "q299"
        timeline = await store.calls.timeline("x0")
        assert [ev.kind for ev in timeline] == ["arrived"] + ["queued"] * 300
        assert [ev.details["queue"] for ev in timeline[1:]] == [f"q{n}" for n in range(300)]
        assert [ev.kind for ev in await store.calls.timeline("x1")] == ["arrived", "queued"]
        assert len(commits) <= 1602 // BATCH_MAX + 2  # batched, not a transaction per write
    finally:
        writer.cancel()
        await store.close()


async def test_an_invalid_write_in_a_batch_does_not_take_its_neighbours(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mixed.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    for batch in arrivals(10):
        recorder(batch)
    recorder(Batch((e.CallCompleted("x3", CallOutcome.ANSWERED, -1.0),), T0, None))
    recorder.overflow_sender("", "partner-b")  # no call id: refused by validation
    for batch in arrivals(10, start=10):
        recorder(batch)
    writer = asyncio.create_task(recorder.run())
    try:
        await asyncio.wait_for(recorder.drain(), 10)
        assert len(await store.calls.calls_between(T0 - 1, T0 + 1000)) == 20
    finally:
        writer.cancel()
        await store.close()


async def test_callback_attempts_are_recorded_once_each_with_who_served(tmp_path: Path) -> None:
    """Citizen-first: the first attempt was answered, but the citizen hung up waiting; the
    second was answered and an operator took them."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'att.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    writer = asyncio.create_task(recorder.run())
    try:
        recorder(steps()[-1])  # c2 books the callback cb-c2
        recorder(Batch((e.CallbackAttempted("cb-c2", 1, "hung_up"),), T0 + 200, None))
        attempted = e.CallbackAttempted("cb-c2", 2, "answered", "PJSIP/102")
        recorder(Batch((attempted,), T0 + 290, m.CallbackConnected("cb-c2", "PJSIP/102")))
        recorder(Batch((e.CallbackCompleted("cb-c2", "served", True),), T0 + 400, None))
        await recorder.drain()
        attempts = await store.callbacks.attempts("cb-c2")
        assert [(a.result, a.operator_id) for a in attempts] == [
            ("hung_up", None),
            ("answered", "PJSIP/102"),
        ]
        stored = await store.callbacks.get("cb-c2")
        assert stored is not None
        assert (stored.status, stored.outcome, stored.attempts) == ("done", "on_time", 2)
    finally:
        writer.cancel()
        await store.close()


async def test_restored_callbacks_join_the_queue_their_call_was_in(tmp_path: Path) -> None:
    """After a restart a citizen-first callback is dialled into its caller's queue, which the
    call's record keeps (the request itself does not)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'restore.db'}"
    await migrate(url)
    store = open_store(url, clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    writer = asyncio.create_task(recorder.run())
    try:
        for batch in steps()[4:]:  # c2 books a callback
            recorder(batch)
        recorder(Batch((e.CallQueued("c2", "social", 0, 50.0),), T0 + 125, None))
        await recorder.drain()
        config = EngineConfig(queues=(QueueConfig("citizens"), QueueConfig("social")))
        runner = EngineRunner(engine=Engine(config=config), clock=FixedClock())
        assert await restore_callbacks(store, runner) == 1
        assert runner.engine.callbacks.desk.requests["cb-c2"].queue == "social"
        out = runner.feed(m.OperatorStateChanged("PJSIP/102", OperatorState.AVAILABLE, ("social",)))
        assert [(d.callback_id, d.queue) for d in out if isinstance(d, c.DialCitizen)] == [
            ("cb-c2", "social")
        ]
    finally:
        writer.cancel()
        await store.close()


class FixedClock:
    def now(self) -> float:
        return T0 + 200

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
