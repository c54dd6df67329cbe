"""Citizen history, appeals, appointments, operators and the audit log."""

from __future__ import annotations

import pytest
from store_fixtures import FakeClock

from callcenter.store.records import (
    Appeal,
    Appointment,
    CallRecord,
    InvalidRecord,
    Operator,
)
from callcenter.store.repositories import Store

T0 = 1_700_000_000.0


def _appeal(appeal_id: str, at: float, phone: str = "+79161234567", **kw: str) -> Appeal:
    return Appeal(
        id=appeal_id,
        citizen_phone=phone,
        category="housing",
        subcategory="heating",
        fact="no_heating",
        object_code="apartment_building",
        text="Нет отопления в квартире",
        created_at=at,
        call_id=kw.get("call_id"),
    )


async def test_history_finds_every_spelling_newest_first(store: Store) -> None:
    await store.calls.upsert_call(CallRecord(id="a", caller_number="89161234567", arrived_at=T0))
    await store.calls.upsert_call(
        CallRecord(id="b", caller_number="+79161234567", arrived_at=T0 + 9)
    )
    await store.calls.upsert_call(
        CallRecord(id="c", caller_number="+79160000000", arrived_at=T0 + 5)
    )
    await store.citizens.touch("8 (916) 123-45-67", name="Анна")
    await store.citizens.create_appeal(_appeal("ap1", T0, call_id="a"))
    await store.citizens.create_appeal(_appeal("ap2", T0 + 9, phone="89161234567", call_id="b"))
    history = await store.citizens.history("89161234567")
    assert history.phone == "+79161234567"
    assert history.name == "Анна"
    assert [c.id for c in history.calls] == ["b", "a"]
    assert [a.id for a in history.appeals] == ["ap2", "ap1"]
    assert history.appeals[0].text == "Нет отопления в квартире"


async def test_appeals_are_idempotent_and_listed_newest_first(store: Store) -> None:
    first = await store.citizens.create_appeal(_appeal("ap1", T0))
    assert await store.citizens.create_appeal(_appeal("ap1", T0)) == first
    await store.citizens.create_appeal(_appeal("ap2", T0 + 1, phone="+79160000000"))
    assert [a.id for a in await store.citizens.appeals()] == ["ap2", "ap1"]
    assert [a.id for a in await store.citizens.appeals("+79160000000")] == ["ap2"]
    await store.citizens.set_appeal_status("ap1", "closed")
    assert [a.status for a in await store.citizens.appeals("+79161234567")] == ["closed"]
    with pytest.raises(InvalidRecord, match="text"):
        await store.citizens.create_appeal(
            Appeal(id="x", citizen_phone="+79161234567", category="c", text=" ", created_at=T0)
        )


async def test_appointments_belong_to_the_citizen(store: Store) -> None:
    # Booked during a call whose record is not written yet (writes are queued): must not fail.
    slot = Appointment(
        id="m1",
        citizen_phone="89161234567",
        agency="МФЦ Центральный",
        slot_start=T0,
        service="паспорт",
        call_id="not-yet-recorded",
    )
    await store.citizens.book_appointment(slot)
    await store.citizens.book_appointment(slot)
    stored = await store.citizens.appointments("+79161234567")
    assert [(a.id, a.agency, a.citizen_phone) for a in stored] == [
        ("m1", "МФЦ Центральный", "+79161234567")
    ]


async def test_operators_are_saved_and_replaced(store: Store) -> None:
    op = Operator(id="op1", name="Ольга", sip_endpoint="PJSIP/101", queues=("housing",))
    await store.operators.save(op)
    await store.operators.save(Operator(id="op1", name="Ольга", queues=("housing", "roads")))
    loaded = await store.operators.get("op1")
    assert loaded is not None
    assert (loaded.queues, loaded.sip_endpoint, loaded.role) == (
        ("housing", "roads"),
        None,
        "operator",
    )
    with pytest.raises(InvalidRecord, match="role"):
        await store.operators.save(Operator(id="op2", name="x", role="root"))
    assert [o.id for o in await store.operators.all()] == ["op1"]


async def test_audit_log_keeps_order_and_details(store: Store, clock: FakeClock) -> None:
    await store.audit.append("sv1", "set_emergency", {"on": True, "announcement": "Авария"})
    clock.t += 1
    await store.audit.append("sv1", "pause_operator", {"op": "op1"})
    recent = await store.audit.recent(10)
    assert [e.action for e in recent] == ["pause_operator", "set_emergency"]
    assert recent[1].details == {"on": True, "announcement": "Авария"}
    assert recent[0].at == clock.t
    assert len(await store.audit.recent(1)) == 1
