"""The actions a menu node can run. Each returns the next node id, or None to end the run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time

from callcenter.ivr.context import RunContext, input_of
from callcenter.ivr.menus import Node
from callcenter.ivr.portal import Slot

Action = Callable[[RunContext, Node], Awaitable[str | None]]


def _param(node: Node, name: str, default: str | int | None = None) -> str | int | None:
    return (node.params or {}).get(name, default)


def _text(node: Node, name: str) -> str:
    return str(_param(node, name))


async def faq_answer(ctx: RunContext, node: Node) -> str | None:
    answer = await ctx.services.faq_answer(_text(node, "faq_id"))
    if answer is None:
        ctx.recorder.step(node.id, "faq:missing", "action")
        return ctx.fail(node)
    ctx.recorder.step(node.id, f"faq:{_text(node, 'faq_id')}", "action")
    if answer.prompt_id is not None:
        await ctx.play(answer.prompt_id)
    else:
        await ctx.play_text(answer.text)
    return node.next


async def application_status(ctx: RunContext, node: Node) -> str | None:
    max_digits = int(_param(node, "max_digits", 12) or 12)
    for _ in range(input_of(node).retries + 1):
        number = await ctx.ask_digits(node, _text(node, "ask_prompt"), max_digits)
        if not number:
            break
        status = await ctx.services.application_status(number)
        if status is not None:
            ctx.recorder.step(node.id, "status:found", "action")
            await ctx.play_text(status)
            return node.next
        ctx.recorder.step(node.id, "status:not_found", "action")
        await ctx.play(_text(node, "not_found_prompt"))
    return ctx.fail(node)


async def book_appointment(ctx: RunContext, node: Node) -> str | None:
    phone = await ctx.caller_phone()
    for _ in range(input_of(node).retries + 1):
        offers = list(await ctx.services.free_slots(_text(node, "service")))
        offers = offers[: int(_param(node, "max_offers", 3) or 3)]
        if not offers:
            ctx.recorder.step(node.id, "booking:no_slots", "action")
            await ctx.play(_text(node, "no_slots_prompt"))
            return node.next
        slot = await _choose_slot(ctx, node, offers)
        if slot is None:
            return ctx.fail(node)
        booking = await ctx.services.book(slot, phone)
        if booking is not None:
            ctx.recorder.step(node.id, f"booking:{slot.id}", "action")
            ctx.recorder.booking_reference = booking.reference
            text = _text(node, "confirm_text").format(slot=slot.label, reference=booking.reference)
            await ctx.play_text(text)
            return node.next
        ctx.recorder.step(node.id, f"booking:taken:{slot.id}", "action")
        taken = _param(node, "taken_prompt")
        if taken is not None:
            await ctx.play(str(taken))
    return ctx.fail(node)


async def _choose_slot(ctx: RunContext, node: Node, offers: Sequence[Slot]) -> Slot | None:
    keys = "".join(str(i) for i in range(1, len(offers) + 1))
    pressed = await ctx.play(_text(node, "choose_prompt"), keys)
    for index, slot in enumerate(offers, start=1):
        if pressed:
            break
        pressed = await ctx.play(await ctx.services.speak(f"{index}. {slot.label}."), keys)
    settings = input_of(node)
    for attempt in range(settings.retries + 1):
        if not pressed:
            pressed = await ctx.channel.get_data("", settings.timeout_ms, 1)
        if len(pressed) == 1 and pressed in keys:
            ctx.recorder.step(node.id, pressed, "dtmf")
            return offers[int(pressed) - 1]
        ctx.recorder.step(node.id, pressed, "invalid" if pressed else "timeout")
        pressed = ""
        if attempt < settings.retries and settings.retry_prompt:
            await ctx.play(settings.retry_prompt)
    return None


async def request_callback(ctx: RunContext, node: Node) -> str | None:
    phone = await ctx.caller_phone()
    ask = _param(node, "ask_number_prompt")
    if not phone and ask is not None:
        phone = await ctx.ask_digits(node, str(ask), 11)
    if not phone:
        ctx.recorder.step(node.id, "callback:no_number", "action")
        return ctx.fail(node)
    topic = str(_param(node, "topic", None) or ctx.recorder.topic or "general")
    not_before = _not_before(ctx.clock(), _param(node, "not_before"))
    ctx.recorder.callback_id = await ctx.services.request_callback(phone, topic, not_before)
    ctx.recorder.step(node.id, "callback:requested", "action")
    await ctx.play(_text(node, "confirm_prompt"))
    return node.next


def _not_before(now: datetime, hhmm: str | int | None) -> datetime | None:
    """Today's HH:MM in the clock's zone if still ahead (night requests wait for the morning)."""
    if hhmm is None:
        return None
    hour, minute = (int(part) for part in str(hhmm).split(":"))
    start = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
    return start if now < start else None


async def transfer_emergency(ctx: RunContext, node: Node) -> str | None:
    prompt = _param(node, "prompt")
    if prompt is not None:
        await ctx.play(str(prompt))
    ctx.recorder.step(node.id, "emergency", "action")
    ctx.recorder.outcome = "emergency_transfer"
    return None


async def to_operator(ctx: RunContext, node: Node) -> str | None:
    if not await ctx.services.operator_on_duty():
        ctx.recorder.step(node.id, "operator:none", "action")
        return _text(node, "otherwise")
    prompt = _param(node, "prompt")
    if prompt is not None:
        await ctx.play(str(prompt))
    ctx.recorder.step(node.id, "operator", "action")
    ctx.recorder.outcome = "to_operator"
    return None


async def set_topic(ctx: RunContext, node: Node) -> str | None:
    topic = _text(node, "topic")
    ctx.recorder.topic = topic
    ctx.recorder.step(node.id, f"topic:{topic}", "action")
    await ctx.channel.set_variable("IVR_TOPIC", topic)
    return node.next


ACTION_HANDLERS: dict[str, Action] = {
    "faq_answer": faq_answer,
    "application_status": application_status,
    "book_appointment": book_appointment,
    "request_callback": request_callback,
    "transfer_emergency": transfer_emergency,
    "to_operator": to_operator,
    "set_topic": set_topic,
}
