"""The recorder writes what the engine saw; replaying the same steps neither loses nor doubles."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.util import await_only

from callcenter.runtime.engine_runner import Batch
from callcenter.runtime.record_writer import BATCH_MAX
from callcenter.runtime.recorder import CallbackNotStored, Recorder
from callcenter.store.db import make_engine
from callcenter.store.migrate import migrate
from callcenter.store.models import CallbackRow, CallRow
from callcenter.store.repositories import Store, open_store
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.model.calls import CallOutcome
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


# Callback requests: committed in groups, and nobody hears a confirmation before the commit. -----

Db = tuple[str, str | None]  # URL, PostgreSQL schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Db]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'group.db'}"
        await migrate(url)
        yield url, None
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"recorder_{uuid.uuid4().hex[:12]}"
    await _admin(url, f'CREATE SCHEMA "{schema}"')
    try:
        await migrate(url, schema=schema)
        yield url, schema
    finally:
        await _admin(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _admin(url: str, sql: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def committed(db: Db, query: Any) -> Any:
    """What another connection sees: committed rows only."""
    probe = make_engine(db[0], schema=db[1])
    try:
        async with probe.connect() as conn:
            return (await conn.execute(query)).all()
    finally:
        await probe.dispose()


class SlowCallbackCommits:
    """Each transaction that stores callback requests waits before its COMMIT, while the event
    loop runs on: a caller released before the commit would hear the confirmation then."""

    def __init__(self, store: Store, delay_s: float) -> None:
        self.delay_s = delay_s
        self.commits = 0
        self.committing = asyncio.Event()
        engine = store.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)

    def _executed(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CALLBACKS"):
            conn.info["callbacks"] = True

    def _commit(self, conn: Any) -> None:
        if conn.info.pop("callbacks", False):
            self.commits += 1
            self.committing.set()
            await_only(asyncio.sleep(self.delay_s))  # inside the transaction, not yet committed


def accepts(n: int, number: str = "") -> Batch:
    """Caller c{n} accepts the callback offer; the engine makes request cb{n}."""
    number = number or f"+791611100{n:02d}"
    requested = e.CallbackRequested(f"cb{n}", f"c{n}", number, T0 + 700)
    return Batch((requested,), T0, m.CallbackOfferAccepted(f"c{n}", number))


async def test_callers_are_released_only_once_their_group_is_committed(db: Db) -> None:
    store = open_store(db[0], schema=db[1], clock=lambda: T0)
    slow = SlowCallbackCommits(store, delay_s=0.3)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    seen: dict[str, list[Any]] = {}

    async def confirm(callback_id: str) -> None:  # what the callback route does
        await recorder.stored(callback_id)
        query = select(CallbackRow.id).where(CallbackRow.id == callback_id)
        seen[callback_id] = await committed(db, query)

    for n in range(10):  # ten callers accept at once
        recorder(accepts(n))
    writer = asyncio.create_task(recorder.run())
    try:
        first = [asyncio.create_task(confirm(f"cb{n}")) for n in range(10)]
        await asyncio.wait_for(slow.committing.wait(), 10)
        for n in range(10, 15):  # five more while the first group is being committed
            recorder(accepts(n))
        later = [asyncio.create_task(confirm(f"cb{n}")) for n in range(10, 15)]
        await asyncio.wait_for(asyncio.gather(*first, *later), 20)
        assert seen == {f"cb{n}": [(f"cb{n}",)] for n in range(15)}  # each one committed
        assert slow.commits == 2  # a transaction per group, not per request
    finally:
        writer.cancel()
        await store.close()


async def test_an_invalid_request_does_not_keep_its_group_from_being_stored(db: Db) -> None:
    store = open_store(db[0], schema=db[1], clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    for n in range(3):
        recorder(accepts(n, number="not a number" if n == 1 else ""))
    # Each route waits from the moment the engine made its request.
    waits = [asyncio.ensure_future(recorder.stored(f"cb{n}")) for n in range(3)]
    writer = asyncio.create_task(recorder.run())
    try:
        done = await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), 10)
        assert (done[0], done[2]) == (None, None)
        assert isinstance(done[1], CallbackNotStored)
        stored = await committed(db, select(CallbackRow.id).order_by(CallbackRow.id))
        assert stored == [("cb0",), ("cb2",)]
    finally:
        writer.cancel()
        await store.close()


async def test_a_batch_being_written_gives_way_to_a_callback_request(db: Db) -> None:
    store = open_store(db[0], schema=db[1], clock=lambda: T0)
    recorder = Recorder(store=store, mode_at=lambda at: Mode.DAY, callback_deadline_s=600)
    updating = asyncio.Event()

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "INTO calls" in statement and "DO UPDATE" in statement:
            updating.set()

    event.listen(store.engine.sync_engine, "before_cursor_execute", executed)
    for batch in arrivals(BATCH_MAX // 2):  # one full batch: a record and an event per call
        recorder(batch)
    writer = asyncio.create_task(recorder.run())
    filled = select(func.count()).select_from(CallRow).where(CallRow.caller_number.is_not(None))
    try:
        await asyncio.wait_for(updating.wait(), 10)  # the batch is being written
        recorder(steps()[-1])  # c2 accepts the callback offer
        await asyncio.wait_for(recorder.stored("cb-c2"), 10)
        assert (await committed(db, filled))[0][0] < BATCH_MAX // 4  # most of the batch waits
        await asyncio.wait_for(recorder.drain(), 30)
        assert (await committed(db, filled))[0][0] == BATCH_MAX // 2
        assert [ev.kind for ev in await store.calls.timeline("x7")] == ["arrived"]
        x7 = await store.calls.get_call("x7")
        assert x7 is not None
        assert (x7.caller_number, x7.topic, x7.arrived_at) == ("+79160000007", "passport", T0 + 7)
    finally:
        writer.cancel()
        await store.close()
