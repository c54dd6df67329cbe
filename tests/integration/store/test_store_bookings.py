"""Appointments in the database: a slot is booked once, whoever asks and however often the
engine restarts (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.ivr.portal import ApplicationStatus, InMemoryPortal
from callcenter.ivr.portal import Slot as PortalSlot
from callcenter.store.records import ApplicationRecord, InvalidRecord
from callcenter.store.repositories import Store
from callcenter.web.errors import Conflict
from callcenter.web.workplace_model import Slot
from callcenter.wiring.booking_sql import SqlBooking, SqlPortal

MSK = ZoneInfo("Europe/Moscow")
MONDAY = "2026-11-30"


def book(booking: SqlBooking, start: str, phone: str) -> object:
    return booking.book(
        Slot("mfc-1", "passport", start),
        phone=phone,
        citizen_name="Иванов И. И.",
        call_id="",
        operator_id="op101",
    )


async def test_a_booked_slot_is_gone_for_everyone_and_after_a_restart(store: Store) -> None:
    booking = SqlBooking(store, MSK)
    free = await booking.free_slots("mfc-1", "passport", MONDAY)
    assert [s.start for s in free[:2]] == [f"{MONDAY}T09:00", f"{MONDAY}T09:30"]
    appointment = await book(booking, f"{MONDAY}T09:30", "+79161234567")
    assert appointment.slot.start == f"{MONDAY}T09:30"  # type: ignore[attr-defined]

    restarted = SqlBooking(store, MSK)  # a new engine process: nothing in memory
    after = [s.start for s in await restarted.free_slots("mfc-1", "passport", MONDAY)]
    assert f"{MONDAY}T09:30" not in after
    assert f"{MONDAY}T09:00" in after
    with pytest.raises(Conflict) as refused:
        await book(restarted, f"{MONDAY}T09:30", "+79160000000")
    assert refused.value.error_id == "slot_taken"
    history = await store.citizens.appointments("+79161234567")
    assert [(a.agency, a.service) for a in history] == [("mfc-1", "passport")]


async def test_two_operators_racing_for_one_slot_get_one_booking(store: Store) -> None:
    first, second = SqlBooking(store, MSK), SqlBooking(store, MSK)
    results = await asyncio.gather(
        book(first, f"{MONDAY}T10:00", "+79161111111"),
        book(second, f"{MONDAY}T10:00", "+79162222222"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Appointment", "Conflict"]


async def test_the_ivr_books_through_the_database(store: Store) -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=MSK)
    slots = [
        PortalSlot(f"s{i}", "mfc_consultation", now + timedelta(days=i), f"{24 + i} ноября")
        for i in (1, 2)
    ]
    portal = InMemoryPortal(
        applications=[ApplicationStatus("1001", "ready", "Готово")], slots=slots, clock=lambda: now
    )
    references = iter(["000001", "000001", "000002"])
    ivr = SqlPortal(portal, store, reference=lambda: next(references))
    booked = await ivr.book("s1", "+79161234567")
    assert booked is not None
    assert booked.reference == "000001"
    # A second portal over the same database (another node, or after a restart).
    again = SqlPortal(portal, store, reference=lambda: next(references))
    assert [s.id for s in await again.free_slots("mfc_consultation")] == ["s2"]
    assert await again.book("s1", "+79160000000") is None
    second = await again.book("s2", "+79160000000")
    assert second is not None
    assert second.reference == "000002"  # "000001" was taken: a new one was drawn


async def test_statuses_are_looked_up_in_the_database(store: Store) -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=MSK)
    first = [ApplicationStatus("1001", "in_progress", "Рассматривается.")]
    ivr = SqlPortal(InMemoryPortal(applications=first, slots=[], clock=lambda: now), store)
    assert await ivr.application_status("1001") is None  # nothing stored yet
    assert await ivr.seed() == 1
    assert await ivr.application_status(" 1001 ") == first[0]
    # The portal reports news: the stored status follows; another node reads the same.
    ready = [ApplicationStatus("1001", "ready", "Документы готовы.")]
    assert (
        await SqlPortal(
            InMemoryPortal(applications=ready, slots=[], clock=lambda: now), store
        ).seed()
        == 1
    )
    assert await ivr.application_status("1001") == ready[0]
    assert await ivr.application_status("9999") is None
    with pytest.raises(InvalidRecord, match="status"):
        await store.applications.upsert([ApplicationRecord("1002", "lost", "?")])
