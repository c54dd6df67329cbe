"""The operator workplace's ports on the live system: AMI for state, the engine for callbacks.

`OperatorBridge` also feeds the workplace: when the engine sees a call answered it pops the
caller's card on that operator's page (a callback's when the citizen answers the operator who
dialled them, or, citizen-first, when an operator takes the citizen from the queue); when the
call ends the member is paused with the reason `wrapup` so Asterisk offers no new call until the
operator has filled in the wrap-up.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from callcenter.runtime import dialplan as dp
from callcenter.runtime.engine_runner import Batch
from callcenter.runtime.live_runtime import LiveRuntime
from callcenter.runtime.operators import WRAP_UP_REASON
from callcenter.store.records import InvalidRecord, NewCallback
from callcenter.web.errors import ApiError
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_model import Arrival, OperatorRef, ScreenPop
from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.operators import OperatorState

log = logging.getLogger(__name__)


class AmiOperatorControls:
    def __init__(self, runtime: LiveRuntime) -> None:
        self._rt = runtime

    async def go_ready(self, operator: OperatorRef) -> None:
        queues = self._rt.bridge.operators.queues_of(operator.interface)
        for queue in () if queues else tuple(self._rt.engine.state.queues):
            await self._ok(
                self._rt.ami.queue_add(
                    queue=queue, interface=operator.interface, member_name=operator.name
                )
            )
        await self._ok(self._rt.ami.queue_pause(interface=operator.interface, paused=False))

    async def pause(self, operator: OperatorRef, reason: str) -> None:
        await self._ok(
            self._rt.ami.queue_pause(interface=operator.interface, paused=True, reason=reason)
        )

    async def wrap_up_done(self, operator: OperatorRef) -> None:
        await self._ok(self._rt.ami.queue_pause(interface=operator.interface, paused=False))

    async def sign_out(self, operator: OperatorRef) -> None:
        for queue in self._rt.bridge.operators.queues_of(operator.interface):
            await self._ok(self._rt.ami.queue_remove(queue=queue, interface=operator.interface))

    async def _ok(self, action: object) -> None:
        result = await action  # type: ignore[misc]
        if not result.ok:
            raise ApiError("pbx_refused", f"Asterisk отклонил действие: {result.message}")


class RuntimeCallActions:
    def __init__(self, runtime: LiveRuntime) -> None:
        self._rt = runtime

    async def request_callback(self, phone: str, topic: str, due: float) -> str:
        now = self._rt.clock.now()
        callback_id = f"cb-op-{uuid.uuid4().hex[:12]}"
        new = NewCallback(number=phone, requested_at=now, deadline=max(due, now + 60),
                          topic=topic, not_before=now, id=callback_id)  # fmt: skip
        try:
            stored = await self._rt.store.callbacks.create(new)
        except InvalidRecord as exc:
            raise ApiError("invalid_callback_number", str(exc)) from exc
        self._rt.runner.feed(
            m.CallbackRestored(
                stored.id, stored.id, stored.number, topic, now, stored.deadline, now
            )
        )
        return stored.id

    async def transfer(self, call_id: str, number: str, note: str) -> None:
        channel = self._rt.channels.channel(call_id)
        if channel is None:
            raise ApiError("call_not_found", "Вызов уже завершён")
        await self._rt.ami.setvar(variable=dp.TRANSFER_NUMBER, value=number, channel=channel)
        result = await self._rt.ami.redirect(
            channel=channel, context=dp.TRANSFER_CONTEXT, exten="s"
        )
        if not result.ok:
            raise ApiError("pbx_refused", f"Перевод не выполнен: {result.message}")


class OperatorBridge:
    """Engine steps -> screen pops and wrap-up pauses for the operators' pages."""

    def __init__(
        self,
        runtime: LiveRuntime,
        hub: OperatorHub,
        user_of: Callable[[str], str | None],
        *,
        wrapup_s: float = 60.0,
        expire_wrapup: Callable[[str, str], Coroutine[Any, Any, object]] | None = None,
    ) -> None:
        self._rt = runtime
        self._expire = expire_wrapup
        self._hub = hub
        self._user_of = user_of
        self._wrapup_s = wrapup_s
        self._talking: dict[str, str] = {}  # call id -> operator interface
        self._wrapping: dict[str, str] = {}  # operator interface -> call id being wrapped up
        self.arrivals: dict[str, Arrival] = {}  # call id -> how it came (set by the routes)
        self._dialling: dict[str, tuple[str, str, str]] = {}  # callback -> operator, number, topic

    def __call__(self, batch: Batch) -> None:
        msg = batch.message
        for output in batch.outputs:
            if isinstance(output, c.OriginateCallback):
                self._dialling[output.callback_id] = self._callback_leg(output)
        if isinstance(msg, m.CallbackAttemptFinished):
            self._callback_finished(msg, batch.at)
        elif isinstance(msg, m.CallbackConnected):
            self._callback_connected(msg, batch.at)
        elif isinstance(msg, m.CallAnswered):
            self._answered(msg, batch.at)
        elif isinstance(msg, m.CallEnded) and msg.call_id in self._talking:
            self._ended(msg.call_id)
        elif isinstance(msg, m.CallEnded | m.CallAbandoned):
            self.arrivals.pop(msg.call_id, None)  # never answered here

    def _answered(self, msg: m.CallAnswered, at: float) -> None:
        call = self._rt.engine.call(msg.call_id)
        user = self._user_of(msg.operator_id)
        if call is None or user is None:
            return
        self._talking[msg.call_id] = msg.operator_id
        number, name = self._rt.channels.callers.get(msg.call_id, (call.caller, ""))
        choices = self._rt.ivr_choices.pop(msg.call_id, ())
        arrival = self.arrivals.pop(msg.call_id, None) or Arrival(
            "overflow" if call.hops else "direct", ivr_choices=choices
        )
        pop = ScreenPop(
            call_id=msg.call_id,
            number=number or call.caller,
            answered_at=at,
            waited_s=round(at - call.joined_at, 1) if call.joined_at else 0.0,
            topic=call.topic or None,
            caller_name=name,
            queue=call.queue,
            arrival=arrival,
        )
        self._pop(user, pop)

    def _pop(self, user: str, pop: ScreenPop) -> None:
        """Show the call; a wrap-up still pending on the page is recorded as timed out first
        (the PBX offered a call, so its time is over), never silently replaced."""
        pending = self._hub.board.pending_wrapup(user)
        if pending is not None and pending.call_id != pop.call_id and self._expire is not None:
            self._rt.tasks.spawn(self._expire(user, pending.call_id), name="wrapup-expire")
        self._hub.pop(user, pop)

    def _callback_leg(self, cmd: c.OriginateCallback) -> tuple[str, str, str]:
        request = self._rt.engine.callbacks.desk.requests.get(cmd.callback_id)
        return cmd.operator_id, cmd.number, request.topic if request is not None else ""

    def _callback_finished(self, msg: m.CallbackAttemptFinished, at: float) -> None:
        """The citizen answered the callback: the operator, on the line already, gets the pop."""
        leg = self._dialling.pop(msg.callback_id, None)
        if leg is None or msg.result is not AttemptResult.ANSWERED:
            return
        interface, number, topic = leg
        self._callback_pop(msg.callback_id, interface, number, topic, at)

    def _callback_connected(self, msg: m.CallbackConnected, at: float) -> None:
        """Citizen-first: the operator took the citizen who answered and waited in the queue."""
        request = self._rt.engine.callbacks.desk.requests.get(msg.callback_id)
        if request is None:
            return
        waited = at - request.answered_at if request.answered_at is not None else 0.0
        self._callback_pop(
            msg.callback_id,
            msg.operator_id,
            request.number,
            request.topic,
            at,
            queue=request.queue,
            waited_s=round(max(0.0, waited), 1),
        )

    def _callback_pop(
        self,
        callback_id: str,
        interface: str,
        number: str,
        topic: str,
        at: float,
        *,
        queue: str = "",
        waited_s: float = 0.0,
    ) -> None:
        user = self._user_of(interface)
        if user is None:
            return
        self._talking[callback_id] = interface
        pop = ScreenPop(
            call_id=callback_id,
            number=number,
            answered_at=at,
            waited_s=waited_s,
            topic=topic or None,
            caller_name="",
            queue=queue,
            arrival=Arrival("callback", callback_id=callback_id),
        )
        self._pop(user, pop)

    def _ended(self, call_id: str) -> None:
        interface = self._talking.pop(call_id)
        user = self._user_of(interface)
        if user is not None:
            self._hub.call_ended(user, call_id)
        self._wrapping[interface] = call_id
        self._rt.tasks.spawn(self._wrap_up(interface, call_id), name="wrapup")

    async def _wrap_up(self, interface: str, call_id: str) -> None:
        """No new call until the wrap-up is filled in, or its time is over (then Asterisk may
        offer calls again even if the page was never completed)."""
        await self._rt.ami.queue_pause(interface=interface, paused=True, reason=WRAP_UP_REASON)
        await self._rt.clock.sleep(self._wrapup_s)
        if self._wrapping.get(interface) != call_id:
            return  # the operator wrapped up and took another call: its own timer decides
        del self._wrapping[interface]
        op = self._rt.engine.state.operators.get(interface)
        if op is not None and op.state is OperatorState.WRAP_UP:
            # Record the unfinished wrap-up before the next call can reach the operator's page.
            user = self._user_of(interface)
            if self._expire is not None and user is not None:
                try:
                    await self._expire(user, call_id)
                except Exception:  # the operator must not stay paused because a write failed
                    log.exception("recording the timed-out wrap-up of %s failed", interface)
            await self._rt.ami.queue_pause(interface=interface, paused=False)
