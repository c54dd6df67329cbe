"""The in-memory store (history, numbering) and booking (generated slots, taken slots)."""

from __future__ import annotations

import pytest

from callcenter.web.errors import Conflict
from callcenter.web.workplace_memory import InMemoryBooking, InMemoryWorkplaceStore
from callcenter.web.workplace_model import Appeal, CallAction, HistoryEntry, Slot, WrapUp

PHONE = "+79123456789"


def appeal(phone: str = PHONE, at: float = 50.0) -> Appeal:
    return Appeal("c1", "op1", phone, "appeal", "a.b.c.d", "A / B / C / D", "текст",
                  "agency.x", "normal", at)  # fmt: skip


async def test_the_store_numbers_appeals_and_builds_the_callers_history() -> None:
    store = InMemoryWorkplaceStore()
    store.seed_history(PHONE, [HistoryEntry("call", 10.0, "старый звонок")])
    assert await store.save_appeal(appeal()) == "ОБ-000001"
    assert await store.save_appeal(appeal(phone="+79990000000")) == "ОБ-000002"
    await store.save_action(CallAction("c1", "op1", PHONE, "callback", 60.0, "перезвонить"))
    await store.save_wrapup(WrapUp("c1", "op1", PHONE, "dropped", (), 55.0, 70.0))
    history = await store.history(PHONE)
    assert sorted((h.kind, h.at) for h in history) == [
        ("appeal", 50.0), ("call", 10.0), ("call", 70.0), ("callback", 60.0),
    ]  # fmt: skip
    assert await store.history("+70000000000") == []


async def test_wrapups_of_lists_only_the_operators_own_newest_first() -> None:
    store = InMemoryWorkplaceStore()
    for i, op in enumerate(["op1", "op2", "op1"]):
        await store.save_wrapup(WrapUp(f"c{i}", op, PHONE, "dropped", (), i, 100.0 + i))
    assert [w.call_id for w in await store.wrapups_of("op1", 10)] == ["c2", "c0"]
    assert [w.call_id for w in await store.wrapups_of("op1", 1)] == ["c2"]


async def test_booking_generates_working_day_slots_and_refuses_a_taken_one() -> None:
    booking = InMemoryBooking(first_hour=9, last_hour=11, minutes=30)
    slots = await booking.free_slots("agency.a", "service.s", "2027-01-15")  # a Friday
    assert [s.start[11:] for s in slots] == ["09:00", "09:30", "10:00", "10:30"]
    assert await booking.free_slots("agency.a", "service.s", "2027-01-16") == []  # Saturday
    made = await booking.book(slots[1], phone=PHONE, citizen_name="Иванов", call_id="c1",
                              operator_id="op1")  # fmt: skip
    assert made.id == "ЗП-00001"
    free = await booking.free_slots("agency.a", "service.s", "2027-01-15")
    assert "2027-01-15T09:30" not in [s.start for s in free]
    assert len(await booking.free_slots("agency.b", "service.s", "2027-01-15")) == 4
    with pytest.raises(Conflict):
        await booking.book(slots[1], phone=PHONE, citizen_name="Петров", call_id="c2",
                           operator_id="op2")  # fmt: skip
    with pytest.raises(Conflict):
        await booking.book(Slot("agency.a", "service.s", "2027-01-15T09:10"), phone=PHONE,
                           citizen_name="Петров", call_id="c2", operator_id="op2")  # fmt: skip
