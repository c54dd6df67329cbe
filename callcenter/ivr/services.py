"""What the IVR runner needs from the rest of the system, as one port (`IvrServices`).

The wiring implements it over the FAQ knowledge base, the portal adapter, the callback queue,
the operator roster and the runtime prompt synthesiser; tests pass a fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.ivr.portal import Booking, Slot


@dataclass(frozen=True)
class FaqAnswer:
    text: str
    # A recorded prompt to play; None: the text is spoken (`speak`, audio cached by its text).
    prompt_id: str | None = None


class IvrServices(Protocol):
    async def faq_answer(self, faq_id: str) -> FaqAnswer | None: ...

    async def application_status(self, number: str) -> str | None:
        """The status as Russian text to say, or None when the number is unknown."""
        ...

    async def free_slots(self, service: str) -> Sequence[Slot]: ...

    async def book(self, slot: Slot, phone: str) -> Booking | None:
        """None when the slot was taken meanwhile."""
        ...

    async def request_callback(self, phone: str, topic: str, not_before: datetime | None) -> str:
        """Store a callback request; returns its id."""
        ...

    async def operator_on_duty(self) -> bool: ...

    async def speak(self, text: str) -> str:
        """Synthesise dynamic text (a status, a slot) and return its sound name for playback."""
        ...
