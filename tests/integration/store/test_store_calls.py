"""Call records and timelines: idempotent upserts that survive an engine restart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from store_fixtures import Database, FakeClock

from callcenter.store.models import CallEventRow, CallRow
from callcenter.store.records import CallEvent, CallRecord, InvalidRecord, SurveyAnswer
from callcenter.store.repositories import Store, open_store

T0 = 1_700_000_000.0
CALL = "1700000000.42"

# What the engine writes as one call goes by: arrival, queue, answer, hang-up.
UPDATES = [
    CallRecord(
        id=CALL,
        caller_number="89161234567",
        caller_name="Пётр Ильич",
        arrived_at=T0,
        mode="day",
        ivr_path=("main", "2"),
    ),
    CallRecord(id=CALL, queue="housing", topic="heating", entered_queue_at=T0 + 5),
    CallRecord(id=CALL, answered_at=T0 + 17, wait_s=12.0, operator_id="op7"),
    CallRecord(id=CALL, ended_at=T0 + 200, talk_s=183.0, outcome="answered", result_code="R1"),
]
EVENTS = [
    CallEvent(call_id=CALL, at=T0, kind="arrived", details={"did": "122"}),
    CallEvent(call_id=CALL, at=T0 + 5, kind="queued", details={"queue": "housing"}),
    CallEvent(call_id=CALL, at=T0 + 17, kind="answered", details={"operator": "op7"}),
]


async def _replay(store: Store) -> None:
    for update in UPDATES:
        await store.calls.upsert_call(update)
    for event in EVENTS:
        await store.calls.append_event(event)


async def _count(store: Store, column: object) -> int:
    async with store.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(column)) or 0)  # type: ignore[arg-type]


async def test_partial_updates_merge_into_one_record(store: Store) -> None:
    await _replay(store)
    call = await store.calls.get_call(CALL)
    assert call is not None
    assert (call.caller_name, call.queue, call.operator_id) == ("Пётр Ильич", "housing", "op7")
    assert (call.wait_s, call.talk_s, call.outcome) == (12.0, 183.0, "answered")
    assert call.ivr_path == ("main", "2")
    assert call.arrived_at == T0


async def test_replaying_after_a_restart_doubles_nothing(
    migrated_db: Database, clock: FakeClock
) -> None:
    first = open_store(migrated_db.url, schema=migrated_db.schema, clock=clock.now)
    await _replay(first)
    before = await first.calls.get_call(CALL)
    await first.close()
    # A new engine process: fresh engine and pool, same database, the same events again.
    second = open_store(migrated_db.url, schema=migrated_db.schema, clock=clock.now)
    try:
        await _replay(second)
        assert await second.calls.get_call(CALL) == before
        assert await _count(second, CallRow) == 1
        assert await _count(second, CallEventRow) == len(EVENTS)
        assert [e.kind for e in await second.calls.timeline(CALL)] == [
            "arrived",
            "queued",
            "answered",
        ]
    finally:
        await second.close()


async def test_append_event_reports_a_duplicate(store: Store) -> None:
    assert await store.calls.append_event(EVENTS[0]) is True
    assert await store.calls.append_event(EVENTS[0]) is False
    # Same kind at another time is a new event; an explicit key identifies an event exactly.
    assert await store.calls.append_event(CallEvent(call_id=CALL, at=T0 + 1, kind="arrived"))
    keyed = CallEvent(call_id=CALL, at=T0 + 2, kind="dtmf", details={"digit": "1"}, key="ami:9")
    assert await store.calls.append_event(keyed)
    assert not await store.calls.append_event(
        CallEvent(call_id=CALL, at=T0 + 3, kind="dtmf", key="ami:9")
    )
    timeline = await store.calls.timeline(CALL)
    assert [e.at for e in timeline] == [T0, T0 + 1, T0 + 2]
    assert timeline[2].details == {"digit": "1"}


async def test_two_entries_of_one_kind_at_one_instant_are_both_kept(store: Store) -> None:
    for digit in ("1", "2", "1"):
        at = T0 + 4
        await store.calls.append_event(CallEvent(CALL, at, "dtmf", {"digit": digit}))
    timeline = await store.calls.timeline(CALL)
    assert sorted(e.details["digit"] for e in timeline) == ["1", "2"]


async def test_calls_between_is_start_inclusive_end_exclusive(store: Store) -> None:
    for i, at in enumerate([T0 - 1, T0, T0 + 10, T0 + 20]):
        await store.calls.upsert_call(CallRecord(id=f"c{i}", arrived_at=at, outcome="abandoned"))
    calls = await store.calls.calls_between(T0, T0 + 20)
    assert [c.id for c in calls] == ["c1", "c2"]


async def test_invalid_update_writes_nothing(store: Store) -> None:
    with pytest.raises(InvalidRecord, match="outcome"):
        await store.calls.upsert_calls(
            [CallRecord(id="x1", arrived_at=T0), CallRecord(id="x1", outcome="lost")]
        )
    assert await store.calls.get_call("x1") is None


async def test_survey_answers_are_stored_once_and_may_be_corrected(store: Store) -> None:
    await store.calls.record_survey(
        SurveyAnswer(call_id=CALL, question="rating", answer="4", at=T0)
    )
    await store.calls.record_survey(
        SurveyAnswer(call_id=CALL, question="rating", answer="5", at=T0 + 1)
    )
    await store.calls.record_survey(
        SurveyAnswer(call_id=CALL, question="solved", answer="да", at=T0 + 2)
    )
    answers = await store.calls.surveys(CALL)
    assert [(a.question, a.answer) for a in answers] == [("rating", "5"), ("solved", "да")]


async def test_open_calls_and_which_had_an_offer(store: Store) -> None:
    """What a restarted engine reads back: calls not ended yet, and which were offered a way out."""
    await store.calls.upsert_call(CallRecord(id="a", arrived_at=T0, entered_queue_at=T0 + 3))
    await store.calls.upsert_call(CallRecord(id="b", arrived_at=T0 + 1))
    await store.calls.upsert_call(CallRecord(id="c", arrived_at=T0 + 2, ended_at=T0 + 9))
    await store.calls.append_event(CallEvent(call_id="a", at=T0 + 4, kind="callback_offer"))
    await store.calls.append_event(CallEvent(call_id="c", at=T0 + 4, kind="callback_offer"))
    await store.calls.append_event(CallEvent(call_id="b", at=T0 + 4, kind="queued"))
    assert [r.id for r in await store.calls.open_calls()] == ["a", "b"]
    offered = await store.calls.calls_with_events(["a", "b"], ["callback_offer", "overflow"])
    assert offered == {"a"}
    assert await store.calls.calls_with_events([], ["callback_offer"]) == set()
    assert await store.calls.close_if_open("b", T0 + 50)
    assert not await store.calls.close_if_open("c", T0 + 50)  # its end is on record
    closed = await store.calls.get_call("c")
    assert closed is not None
    assert closed.ended_at == T0 + 9
    assert [r.id for r in await store.calls.open_calls()] == ["a"]


async def test_a_batch_writes_records_and_events_in_order_and_replays_idempotently(
    store: Store,
) -> None:
    other = "1700000000.43"
    batch: list[CallRecord | CallEvent] = [
        *UPDATES,
        *EVENTS,
        CallEvent(call_id=other, at=T0, kind="arrived"),  # before its call's first record
        CallRecord(id=other, queue="a"),
        CallRecord(id=other, queue="b"),  # a later update of one call wins
    ]
    for _ in range(2):
        await store.calls.write_batch(batch)
    call = await store.calls.get_call(CALL)
    assert call is not None
    assert (call.operator_id, call.outcome, call.ivr_path) == ("op7", "answered", ("main", "2"))
    assert [e.kind for e in await store.calls.timeline(CALL)] == ["arrived", "queued", "answered"]
    second = await store.calls.get_call(other)
    assert second is not None
    assert second.queue == "b"
    assert await _count(store, CallRow) == 2
    assert await _count(store, CallEventRow) == 4


async def test_a_batch_with_an_invalid_write_writes_nothing(store: Store) -> None:
    with pytest.raises(InvalidRecord):
        await store.calls.write_batch([*UPDATES, CallRecord(id=CALL, outcome="nonsense")])
    assert await store.calls.get_call(CALL) is None
