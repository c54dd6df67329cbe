"""In-memory implementations of the workplace ports, for tests and the demo.

`InMemoryWorkplaceStore` is also a `HistorySource`: the caller's history is what was seeded
(`seed_history`) plus everything saved through it. The production store is SQL (the lead's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from callcenter.scripting import OperatorGuide, OutdatedReport, ScriptPath
from callcenter.web.errors import Conflict
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_model import (
    Appeal,
    Appointment,
    CallAction,
    HistoryEntry,
    OperatorRef,
    Slot,
    WrapUp,
)
from callcenter.web.workplace_ports import Workplace

_ACTION_HISTORY = {"callback": "callback", "appointment": "appointment", "transfer": "transfer"}


class InMemoryWorkplaceStore:
    def __init__(self, *, number_prefix: str = "ОБ") -> None:
        self._prefix = number_prefix
        self.appeals: list[Appeal] = []
        self.script_paths: dict[str, tuple[str, ScriptPath]] = {}
        self.wrapups: list[WrapUp] = []
        self.outdated: list[OutdatedReport] = []
        self.actions: list[CallAction] = []
        self._seeded: dict[str, list[HistoryEntry]] = {}

    def seed_history(self, phone: str, entries: list[HistoryEntry]) -> None:
        self._seeded.setdefault(phone, []).extend(entries)

    async def save_appeal(self, appeal: Appeal) -> str:
        number = f"{self._prefix}-{len(self.appeals) + 1:06d}"
        self.appeals.append(replace(appeal, number=number))
        return number

    async def save_script_path(self, call_id: str, operator_id: str, path: ScriptPath) -> None:
        self.script_paths[call_id] = (operator_id, path)

    async def save_wrapup(self, wrapup: WrapUp) -> None:
        self.wrapups.append(wrapup)

    async def save_outdated_report(self, report: OutdatedReport) -> None:
        self.outdated.append(report)

    async def save_action(self, action: CallAction) -> None:
        self.actions.append(action)

    async def wrapups_of(self, operator_id: str, limit: int) -> list[WrapUp]:
        own = [w for w in self.wrapups if w.operator_id == operator_id]
        return sorted(own, key=lambda w: w.finished_at, reverse=True)[:limit]

    async def history(self, phone: str) -> list[HistoryEntry]:
        entries = list(self._seeded.get(phone, []))
        entries += [
            HistoryEntry(
                "appeal", a.created_at, f"{a.classification_title}: {a.text}", a.number, a.call_id
            )
            for a in self.appeals
            if a.phone == phone
        ]
        entries += [
            HistoryEntry(_ACTION_HISTORY[a.kind], a.at, a.summary, a.call_id)
            for a in self.actions
            if a.phone == phone
        ]
        entries += [
            HistoryEntry("call", w.finished_at, f"Звонок, результат: {w.result_code}", w.call_id)
            for w in self.wrapups
            if w.phone == phone
        ]
        entries += [
            HistoryEntry("report", r.reported_at.timestamp(), f"Устаревшие сведения: {r.note}",
                         r.call_id)
            for r in self.outdated
            if r.phone and r.phone == phone
        ]  # fmt: skip
        return entries


class InMemoryBooking:
    """Generated reception slots: working days, `first_hour`..`last_hour` every `minutes`."""

    def __init__(self, *, first_hour: int = 9, last_hour: int = 17, minutes: int = 30) -> None:
        self._first, self._last, self._minutes = first_hour, last_hour, minutes
        self.appointments: list[Appointment] = []

    def generated(self, agency_id: str, service_id: str, day: str) -> list[Slot]:
        start = datetime.combine(date.fromisoformat(day), datetime.min.time())
        if start.weekday() >= 5:
            return []
        count = (self._last - self._first) * 60 // self._minutes
        first = start + timedelta(hours=self._first)
        return [
            Slot(agency_id, service_id, (first + timedelta(minutes=i * self._minutes)).isoformat(
                timespec="minutes"), self._minutes)
            for i in range(count)
        ]  # fmt: skip

    async def free_slots(self, agency_id: str, service_id: str, day: str) -> list[Slot]:
        taken = {(a.slot.agency_id, a.slot.start) for a in self.appointments}
        slots = self.generated(agency_id, service_id, day)
        return [s for s in slots if (s.agency_id, s.start) not in taken]

    async def book(
        self, slot: Slot, *, phone: str, citizen_name: str, call_id: str, operator_id: str
    ) -> Appointment:
        free = await self.free_slots(slot.agency_id, slot.service_id, slot.start[:10])
        match = next((s for s in free if s.start == slot.start), None)
        if match is None:
            raise Conflict("slot_taken", "Это время уже занято или недоступно, выберите другое", {})
        appointment = Appointment(
            f"ЗП-{len(self.appointments) + 1:05d}", match, phone, citizen_name, call_id, operator_id
        )
        self.appointments.append(appointment)
        return appointment


@dataclass(frozen=True)
class ControlCall:
    action: str
    operator_id: str
    interface: str
    reason: str = ""


class RecordingOperatorControls:
    """Records every state change as the AMI adapter would receive it."""

    def __init__(self) -> None:
        self.calls: list[ControlCall] = []

    async def go_ready(self, operator: OperatorRef) -> None:
        self.calls.append(ControlCall("go_ready", operator.id, operator.interface))

    async def pause(self, operator: OperatorRef, reason: str) -> None:
        self.calls.append(ControlCall("pause", operator.id, operator.interface, reason))

    async def wrap_up_done(self, operator: OperatorRef) -> None:
        self.calls.append(ControlCall("wrap_up_done", operator.id, operator.interface))

    async def sign_out(self, operator: OperatorRef) -> None:
        self.calls.append(ControlCall("sign_out", operator.id, operator.interface))


class RecordingCallActions:
    def __init__(self) -> None:
        self.callbacks: list[tuple[str, str, float]] = []
        self.transfers: list[tuple[str, str, str]] = []

    async def request_callback(self, phone: str, topic: str, due: float) -> str:
        self.callbacks.append((phone, topic, due))
        return f"cb-{len(self.callbacks)}"

    async def transfer(self, call_id: str, number: str, note: str) -> None:
        self.transfers.append((call_id, number, note))


def in_memory_workplace(
    guide: OperatorGuide,
    *,
    clock: Callable[[], float],
    tz: tzinfo = UTC,
    wrapup_s: float = 60.0,
    store: InMemoryWorkplaceStore | None = None,
) -> Workplace:
    """A workplace whose ports are all in memory: the demo and tests (never production)."""
    store = store or InMemoryWorkplaceStore()
    return Workplace(
        guide=guide,
        hub=OperatorHub(clock=clock, start_script=guide.start_script, wrapup_s=wrapup_s),
        controls=RecordingOperatorControls(),
        store=store,
        history=store,
        booking=InMemoryBooking(),
        calls=RecordingCallActions(),
        clock=clock,
        tz=tz,
    )
