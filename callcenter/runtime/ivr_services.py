"""`IvrServices` for one call: the knowledge base, the portal, the engine's callbacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from callcenter.ivr.portal import Booking, Portal, Slot
from callcenter.ivr.services import FaqAnswer
from callcenter.runtime.engine_runner import EngineRunner
from callcenter.scripting import KnowledgeBase, KnowledgeBaseError
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.model.operators import OperatorState

Speak = Callable[[str], Awaitable[str]]


class CallIvrServices:
    def __init__(
        self,
        *,
        call_id: str,
        runner: EngineRunner,
        knowledge: KnowledgeBase | None,
        portal: Portal,
        speak: Speak | None = None,
        stored: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._call_id = call_id
        # Awaited before the caller hears the request confirmed: it is in the database by then.
        self._stored = stored
        self._runner = runner
        self._kb = knowledge
        self._portal = portal
        self._speak = speak

    async def faq_answer(self, faq_id: str) -> FaqAnswer | None:
        if self._kb is None:
            return None
        try:
            entry = self._kb.faq(faq_id)
        except KnowledgeBaseError:
            return None
        # Played through `speak`: audio named by the text, built ahead by `prompts build`.
        return FaqAnswer(text=entry.answer, prompt_id=None)

    async def application_status(self, number: str) -> str | None:
        status = await self._portal.application_status(number)
        return None if status is None else status.text

    async def free_slots(self, service: str) -> Sequence[Slot]:
        return await self._portal.free_slots(service)

    async def book(self, slot: Slot, phone: str) -> Booking | None:
        return await self._portal.book(slot.id, phone)

    async def request_callback(self, phone: str, topic: str, not_before: datetime | None) -> str:
        """The engine files the request (night requests are served from 06:00)."""
        message = m.CallbackOfferAccepted(self._call_id, phone)
        outputs = self._runner.feed(message, claimed=self._call_id)
        for output in outputs:
            if isinstance(output, e.CallbackRequested):
                if self._stored is not None:
                    await self._stored(output.callback_id)
                return output.callback_id
        rejected = [o.code for o in outputs if isinstance(o, e.CallbackRejected)]
        raise ValueError(rejected[0] if rejected else "callback_not_booked")

    async def operator_on_duty(self) -> bool:
        operators = self._runner.engine.state.operators.operators.values()
        return any(op.state is not OperatorState.OFFLINE for op in operators)

    async def speak(self, text: str) -> str:
        if self._speak is None:
            return "cc-dynamic-text"
        return await self._speak(text)
