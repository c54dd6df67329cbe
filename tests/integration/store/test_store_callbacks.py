"""Callback requests in the database: validation, idempotent creation, EDF order, attempts."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from callcenter.store.records import CallbackAttempt, InvalidRecord, NewCallback
from callcenter.store.repositories import CallbackNotFound, Store

T0 = 1_700_000_000.0


def _request(number: str = "89161234567", **kw: object) -> NewCallback:
    values: dict[str, object] = {"requested_at": T0, "deadline": T0 + 600}
    values.update(kw)
    return NewCallback(number=number, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "reason"),
    [("88095551234", "premium"), ("+442071234567", "foreign"), ("12", "valid"), ("abc", "parse")],
)
async def test_rejected_numbers_are_not_stored(store: Store, number: str, reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        await store.callbacks.create(_request(number, id="cb1"))
    assert await store.callbacks.get("cb1") is None


async def test_deadline_must_follow_the_request(store: Store) -> None:
    with pytest.raises(InvalidRecord, match="deadline"):
        await store.callbacks.create(_request(deadline=T0))


async def test_create_normalizes_and_is_idempotent_per_source_call(store: Store) -> None:
    first = await store.callbacks.create(_request(source_call_id="call-1", topic="housing"))
    again = await store.callbacks.create(_request("+79161234567", source_call_id="call-1"))
    assert again == first
    assert first.number == "+79161234567"
    assert (first.status, first.attempts, first.topic) == ("pending", 0, "housing")
    assert await store.callbacks.open_requests() == [first]


async def test_create_many_stores_a_group_in_one_transaction(store: Store) -> None:
    commits: list[int] = []
    event.listen(store.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    await store.callbacks.create(_request(id="cb0", source_call_id="call-0"))
    commits.clear()
    group = [
        _request(f"+7916123456{n}", id=f"cb{n}", source_call_id=f"call-{n}") for n in range(1, 6)
    ]
    replays = [_request(id="cb0"), _request(id="other", source_call_id="call-0")]
    await store.callbacks.create_many([*group, *replays])
    assert len(commits) == 1
    stored = {cb.id: cb for cb in await store.callbacks.open_requests()}
    assert sorted(stored) == ["cb0", "cb1", "cb2", "cb3", "cb4", "cb5"]  # replays change nothing
    assert (stored["cb3"].number, stored["cb3"].status) == ("+79161234563", "pending")
    assert stored["cb3"].source_call_id == "call-3"
    assert stored["cb0"].number == "+79161234567"


async def test_create_many_refuses_the_whole_group_for_one_invalid_request(store: Store) -> None:
    group = [_request(id="good"), _request("88095551234", id="premium")]
    with pytest.raises(InvalidRecord, match="premium"):
        await store.callbacks.create_many(group)
    assert await store.callbacks.open_requests() == []


async def test_due_is_earliest_deadline_first_and_respects_not_before(store: Store) -> None:
    await store.callbacks.create(_request(id="late", deadline=T0 + 900))
    await store.callbacks.create(_request(id="early", deadline=T0 + 300))
    # A night request: asked at 01:00, served from 06:00 (here: T0 + 5 h).
    night = T0 + 5 * 3600
    await store.callbacks.create(_request(id="night", not_before=night, deadline=night + 600))
    assert [c.id for c in await store.callbacks.due(T0 + 1)] == ["early", "late"]
    assert [c.id for c in await store.callbacks.due(night)] == ["early", "late", "night"]
    assert [c.id for c in await store.callbacks.due(night, limit=1)] == ["early"]


async def test_attempts_outcomes_and_retry(store: Store) -> None:
    cb = await store.callbacks.create(_request(id="cb"))
    await store.callbacks.mark_claimed(cb.id, "node-a", T0 + 30)
    claimed = await store.callbacks.get(cb.id)
    assert claimed is not None
    assert (claimed.status, claimed.claimed_by, claimed.claimed_until) == (
        "claimed",
        "node-a",
        T0 + 30,
    )
    assert await store.callbacks.due(T0) == []
    assert [c.id for c in await store.callbacks.open_requests()] == ["cb"]
    no_answer = CallbackAttempt(callback_id="cb", started_at=T0 + 1, result="no_answer")
    assert await store.callbacks.record_attempt(no_answer) == 1
    assert await store.callbacks.record_attempt(no_answer) == 1  # a replay counts once
    await store.callbacks.retry_at("cb", T0 + 120, outcome="no_answer")
    assert await store.callbacks.due(T0 + 60) == []
    assert [c.id for c in await store.callbacks.due(T0 + 120)] == ["cb"]
    answered = CallbackAttempt(
        callback_id="cb",
        started_at=T0 + 121,
        ended_at=T0 + 200,
        result="answered",
        operator_id="op1",
    )
    assert await store.callbacks.record_attempt(answered) == 2
    await store.callbacks.mark_outcome("cb", "done", "answered")
    done = await store.callbacks.get("cb")
    assert done is not None
    assert (done.status, done.outcome, done.attempts, done.claimed_by) == (
        "done",
        "answered",
        2,
        None,
    )
    assert await store.callbacks.open_requests() == []
    assert [a.result for a in await store.callbacks.attempts("cb")] == ["no_answer", "answered"]


async def test_bad_status_or_unknown_callback_is_refused(store: Store) -> None:
    await store.callbacks.create(_request(id="cb"))
    with pytest.raises(InvalidRecord, match="status"):
        await store.callbacks.mark_outcome("cb", "pending")
    with pytest.raises(InvalidRecord, match="result"):
        await store.callbacks.record_attempt(CallbackAttempt("cb", T0, "maybe"))
    with pytest.raises(CallbackNotFound):
        await store.callbacks.mark_outcome("nope", "cancelled")
