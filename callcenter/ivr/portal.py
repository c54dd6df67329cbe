"""Adapter port to the regional portal / MFC system: application status and appointment booking.

`InMemoryPortal` is the local implementation for the demo and tests, filled from a dict or
from a YAML data file (see `callcenter/ivr/demo_portal.yaml`). The production adapter talks
to the regional system and implements the same `Portal` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


@dataclass(frozen=True)
class ApplicationStatus:
    number: str
    status: str  # stable code: received, in_progress, ready, rejected
    text: str  # what the IVR says to the citizen, in Russian


@dataclass(frozen=True)
class Slot:
    id: str
    service: str
    starts_at: datetime
    label: str  # spoken form, e.g. "24 ноября в 10:30"


@dataclass(frozen=True)
class Booking:
    reference: str
    slot: Slot
    phone: str


class Portal(Protocol):
    async def application_status(self, number: str) -> ApplicationStatus | None: ...

    async def free_slots(self, service: str) -> list[Slot]: ...

    async def book(self, slot_id: str, phone: str) -> Booking | None:
        """Book a free slot; None when it is unknown or already taken."""
        ...


def spoken_label(starts_at: datetime) -> str:
    return f"{starts_at.day} {_MONTHS[starts_at.month - 1]} в {starts_at:%H:%M}"


class InMemoryPortal:
    """Applications and slots held in memory; booking takes a slot away from the free list."""

    def __init__(
        self,
        *,
        applications: Iterable[ApplicationStatus],
        slots: Iterable[Slot],
        clock: Callable[[], datetime],
    ) -> None:
        self._applications = {a.number: a for a in applications}
        self._slots = {s.id: s for s in slots}
        self._booked: dict[str, Booking] = {}
        self._clock = clock

    async def application_status(self, number: str) -> ApplicationStatus | None:
        return self._applications.get(number.strip())

    async def free_slots(self, service: str) -> list[Slot]:
        now = self._clock()
        free = [
            s
            for s in self._slots.values()
            if s.service == service and s.id not in self._booked and s.starts_at > now
        ]
        return sorted(free, key=lambda s: s.starts_at)

    async def book(self, slot_id: str, phone: str) -> Booking | None:
        slot = self._slots.get(slot_id)
        if slot is None or slot_id in self._booked or slot.starts_at <= self._clock():
            return None
        booking = Booking(reference=f"{len(self._booked) + 1:04d}", slot=slot, phone=phone)
        self._booked[slot_id] = booking
        return booking

    @property
    def slots(self) -> list[Slot]:
        return list(self._slots.values())

    @property
    def applications(self) -> list[ApplicationStatus]:
        return list(self._applications.values())

    @property
    def bookings(self) -> list[Booking]:
        return list(self._booked.values())


def portal_from_data(data: Mapping[str, Any], clock: Callable[[], datetime]) -> InMemoryPortal:
    """Build an in-memory portal from `{applications: [...], slots: [...]}`."""
    applications = [
        ApplicationStatus(number=str(a["number"]), status=a["status"], text=a["text"])
        for a in data.get("applications", [])
    ]
    slots = [_slot(s) for s in data.get("slots", [])]
    return InMemoryPortal(applications=applications, slots=slots, clock=clock)


def load_portal_file(path: Path, clock: Callable[[], datetime]) -> InMemoryPortal:
    return portal_from_data(yaml.safe_load(path.read_text(encoding="utf-8")), clock)


def demo_portal_file() -> Path:
    return Path(__file__).with_name("demo_portal.yaml")


def _slot(raw: Mapping[str, Any]) -> Slot:
    starts_at = raw["starts_at"]
    if isinstance(starts_at, str):
        starts_at = datetime.fromisoformat(starts_at)
    slot = Slot(id=str(raw["id"]), service=raw["service"], starts_at=starts_at, label="")
    return replace(slot, label=raw.get("label") or spoken_label(starts_at))
