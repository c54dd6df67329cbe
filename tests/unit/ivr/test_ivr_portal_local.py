"""The local portal adapter: statuses, free slots in the future, booking takes a slot."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from callcenter.ivr.portal import (
    ApplicationStatus,
    InMemoryPortal,
    Portal,
    Slot,
    demo_portal_file,
    load_portal_file,
    spoken_label,
)

MSK = timezone(timedelta(hours=3))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=MSK)


def portal(now: datetime = NOW) -> InMemoryPortal:
    slots = [
        Slot("past", "mfc", NOW - timedelta(hours=1), "вчера"),
        Slot("late", "mfc", NOW + timedelta(days=2), "послезавтра"),
        Slot("soon", "mfc", NOW + timedelta(hours=1), "скоро"),
        Slot("other", "notary", NOW + timedelta(hours=1), "скоро"),
    ]
    status = ApplicationStatus("77", "ready", "Готово")
    return InMemoryPortal(applications=[status], slots=slots, clock=lambda: now)


async def test_status_by_number() -> None:
    p: Portal = portal()
    found = await p.application_status(" 77 ")
    assert found is not None
    assert found.status == "ready"
    assert await p.application_status("78") is None


async def test_free_slots_are_future_of_the_service_in_time_order() -> None:
    assert [s.id for s in await portal().free_slots("mfc")] == ["soon", "late"]


async def test_booking_takes_the_slot_once() -> None:
    p = portal()
    booking = await p.book("soon", "+79160000000")
    assert booking is not None
    assert (booking.reference, booking.slot.id) == ("0001", "soon")
    assert await p.book("soon", "+79161111111") is None
    assert [s.id for s in await p.free_slots("mfc")] == ["late"]
    assert await p.book("past", "+79160000000") is None
    assert await p.book("nope", "+79160000000") is None


async def test_demo_data_file_loads_with_spoken_labels() -> None:
    p = load_portal_file(demo_portal_file(), clock=lambda: NOW)
    status = await p.application_status("1002")
    assert status is not None
    assert "готовы" in status.text
    slots = await p.free_slots("mfc_consultation")
    assert slots[0].label == "1 декабря в 09:00"


def test_spoken_label_uses_genitive_month() -> None:
    assert spoken_label(datetime(2026, 3, 8, 9, 5)) == "8 марта в 09:05"
