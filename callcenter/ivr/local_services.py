"""`IvrServices` assembled from local parts, for the demo and as a model for the wiring.

It adapts the `Portal` (status, slots, booking), a FAQ lookup, a callback sink, an on-duty
check and a speaker (`PromptSpeaker.speak`) to the runner's port. Each part is injected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from callcenter.ivr.portal import Booking, Portal, Slot
from callcenter.ivr.services import FaqAnswer

CallbackSink = Callable[[str, str, datetime | None], Awaitable[str]]


class LocalIvrServices:
    def __init__(
        self,
        *,
        portal: Portal,
        faq: Mapping[str, FaqAnswer],
        request_callback: CallbackSink,
        operator_on_duty: Callable[[], Awaitable[bool]],
        speak: Callable[[str], Awaitable[str]],
    ) -> None:
        self._portal = portal
        self._faq = faq
        self._callback = request_callback
        self._on_duty = operator_on_duty
        self._speak = speak

    async def faq_answer(self, faq_id: str) -> FaqAnswer | None:
        return self._faq.get(faq_id)

    async def application_status(self, number: str) -> str | None:
        status = await self._portal.application_status(number)
        return None if status is None else status.text

    async def free_slots(self, service: str) -> Sequence[Slot]:
        return await self._portal.free_slots(service)

    async def book(self, slot: Slot, phone: str) -> Booking | None:
        return await self._portal.book(slot.id, phone)

    async def request_callback(self, phone: str, topic: str, not_before: datetime | None) -> str:
        return await self._callback(phone, topic, not_before)

    async def operator_on_duty(self) -> bool:
        return await self._on_duty()

    async def speak(self, text: str) -> str:
        return await self._speak(text)
