"""Fakes of our own IVR ports: a scripted caller on an `IvrChannel`, and `IvrServices`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from callcenter.ivr.channel import ChannelHungUp, Recording
from callcenter.ivr.portal import Booking, Slot
from callcenter.ivr.services import FaqAnswer


@dataclass
class ScriptedChannel:
    """A caller who answers each `get_data` with the next scripted digits ("" = silence).

    `barge_in` maps a sound name to the key pressed while it plays (only if it is an escape
    digit). `recordings` are what `record_file` gives (a path, or a `Recording`), in order.
    When the caller's script runs out, the caller hangs up, as a real one would.
    """

    digits: list[str] = field(default_factory=list)
    barge_in: dict[str, str] = field(default_factory=dict)
    recordings: list[str | Recording] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)

    async def stream_file(self, name: str, escape_digits: str = "") -> str:
        self.log.append(("play", name))
        key = self.barge_in.get(name, "")
        return key if key and key in escape_digits else ""

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        self.log.append(("get_data", prompt))
        if not self.digits:
            raise ChannelHungUp("caller hung up")
        return self.digits.pop(0)[:max_digits]

    async def record_file(
        self, name: str, fmt: str, escape_digits: str, timeout_ms: int, silence_s: int
    ) -> Recording:
        self.log.append(("record", f"{name}.{fmt}"))
        if not self.recordings:
            raise ChannelHungUp("caller hung up")
        made = self.recordings.pop(0)
        return made if isinstance(made, Recording) else Recording(made)

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value

    async def get_variable(self, name: str) -> str | None:
        return self.variables.get(name)

    @property
    def played(self) -> list[str]:
        return [name for kind, name in self.log if kind == "play"]


@dataclass
class FakeServices:
    faq: dict[str, FaqAnswer] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    slots: list[Slot] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    on_duty: bool = True
    callbacks: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)

    async def faq_answer(self, faq_id: str) -> FaqAnswer | None:
        return self.faq.get(faq_id)

    async def application_status(self, number: str) -> str | None:
        return self.statuses.get(number)

    async def free_slots(self, service: str) -> Sequence[Slot]:
        booked = {b.slot.id for b in self.bookings}
        return [s for s in self.slots if s.service == service and s.id not in booked]

    async def book(self, slot: Slot, phone: str) -> Booking | None:
        if slot.id in self.taken:
            self.taken.discard(slot.id)
            self.slots.remove(slot)  # someone else got it
            return None
        booking = Booking(reference=f"R{len(self.bookings) + 1}", slot=slot, phone=phone)
        self.bookings.append(booking)
        return booking

    async def request_callback(self, phone: str, topic: str, not_before: datetime | None) -> str:
        self.callbacks.append((phone, topic, not_before))
        return f"cb-{len(self.callbacks)}"

    async def operator_on_duty(self) -> bool:
        return self.on_duty

    async def speak(self, text: str) -> str:
        self.spoken.append(text)
        return f"tts_{len(self.spoken)}"
