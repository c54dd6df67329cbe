"""Call records across an engine restart: adopting calls, finishing them, closing the lost.

The engine's memory dies with it; the database keeps what was recorded before. On resync the
engine adopts the calls Asterisk still has (`CallAdopted`): a record the engine wrote before keeps
its values and only gains what it lacked, a call that arrived while the engine was away gets a
new record built from Asterisk's estimates. Records still open for calls Asterisk no longer has
ended while nobody watched: they are closed when the engine notices, and say so in the timeline.
Each timeline entry here has a fixed key, so a replay or a second engine node adds none twice.
"""

from __future__ import annotations

from dataclasses import fields

from callcenter.store.records import CallEvent, CallRecord
from callcenter.store.repositories import Store
from queue_engine.messages import CallAdopted

ADOPTED = "adopted"  # timeline kind: the engine took the call over from Asterisk's picture
END_UNOBSERVED = "end_unobserved"  # timeline kind: the call ended while the engine was away


async def adopt(store: Store, msg: CallAdopted, at: float, mode: str) -> None:
    stored = await store.calls.get_call(msg.call_id)
    seen = stored is not None and stored.arrived_at is not None
    talking = bool(msg.operator_id)
    found = CallRecord(
        id=msg.call_id,
        caller_number=msg.caller or None,
        arrived_at=msg.arrived_at,
        mode=mode,
        queue=msg.queue or None,
        entered_queue_at=msg.joined_at if msg.queue else None,
        answered_at=msg.answered_at if talking else None,
        operator_id=msg.operator_id or None,
        outcome="answered" if talking else None,
    )
    update = found if stored is None else _missing(stored, found)
    estimated = [
        name
        for name in ("arrived_at", "entered_queue_at", "answered_at")
        if getattr(update, name) is not None
    ]
    details: dict[str, object] = {"stage": "talking" if talking else "queued"}
    details["seen_before"] = seen
    details["estimated"] = estimated
    await store.calls.upsert_call(update)
    event = CallEvent(msg.call_id, at, ADOPTED, details, key=f"{ADOPTED}@{msg.call_id}")
    await store.calls.append_event(event)


def _missing(stored: CallRecord, found: CallRecord) -> CallRecord:
    """The update that fills only what the stored record lacks."""
    values = {
        f.name: getattr(found, f.name)
        for f in fields(CallRecord)
        if f.name != "id" and getattr(stored, f.name) is None
    }
    return CallRecord(id=stored.id, **values)


async def finish_adopted(store: Store, call_id: str, at: float) -> None:
    """An adopted talking call ended: the talk is counted from the answer on record."""
    stored = await store.calls.get_call(call_id)
    answered = stored.answered_at if stored is not None else None
    talk = round(at - answered, 3) if answered is not None else None
    await store.calls.upsert_call(CallRecord(id=call_id, ended_at=at, talk_s=talk))
    event = CallEvent(call_id, at, "ended", {"talk_s": talk}, key=f"ended@{call_id}")
    await store.calls.append_event(event)


async def close_unobserved(store: Store, alive: set[str], at: float) -> list[str]:
    """Close every open record whose call Asterisk no longer has; return their ids."""
    closed = []
    for record in await store.calls.open_calls():
        if record.id in alive or not await store.calls.close_if_open(record.id, at):
            continue
        details = {"reason": "engine_outage", "answered": record.answered_at is not None}
        key = f"{END_UNOBSERVED}@{record.id}"
        await store.calls.append_event(CallEvent(record.id, at, END_UNOBSERVED, details, key=key))
        closed.append(record.id)
    return closed
