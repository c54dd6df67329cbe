"""The recorder writes what the engine saw; replaying the same steps neither loses nor doubles."""

import asyncio
from pathlib import Path

from callcenter.runtime.engine_runner import Batch
from callcenter.runtime.recorder import Recorder
from callcenter.store.migrate import migrate
from callcenter.store.repositories import open_store
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
        assert recorder.backlog == 1  # still waiting, not dropped
        await migrate(url)  # the database comes back
        await asyncio.wait_for(recorder.drain(), 10)
        assert (await store.calls.get_call("c9")) is not None
    finally:
        writer.cancel()
        await store.close()
