"""The engine: ``handle(message, now)`` and ``tick(now)`` return commands and events.

It keeps the live picture (calls, queues, operators, callbacks, partners, mode) and decides; it
never performs I/O and never reads the clock. Callback and guard decisions live in
``queue_engine.policies``; this module routes facts to them and keeps the books.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from queue_engine import messages as m
from queue_engine.commands import Command, RouteToIvr, RouteToQueue, SetCallerPriority
from queue_engine.config import EngineConfig
from queue_engine.engine_callbacks import CallbackService
from queue_engine.engine_guard import GuardService
from queue_engine.engine_state import EngineState
from queue_engine.events import CallCompleted, CallQueued, Event, ModeChanged
from queue_engine.model.calls import Call, CallOutcome, CallStage
from queue_engine.model.operators import Operator, OperatorState
from queue_engine.model.schedule import Mode, mode_span
from queue_engine.policies.entry import decide_entry

Output = Command | Event
_Handler = Callable[[Any, float], list[Output]]
_IDLE = (OperatorState.AVAILABLE, OperatorState.OFFLINE)


class Engine:
    """Pure decision core of the contact center. Time is a float of epoch (or virtual) seconds."""

    def __init__(self, *, config: EngineConfig) -> None:
        self.state = EngineState.build(config)
        self.callbacks = CallbackService(self.state)
        self.guard = GuardService(self.state)
        self._mode_cache: tuple[Mode, float, float] = (Mode.DAY, 0.0, 0.0)
        self._handlers: dict[type, _Handler] = {
            m.CallArrived: self._arrived,
            m.CallJoinedQueue: self._joined,
            m.CallAnswered: self._answered,
            m.CallAbandoned: self._abandoned,
            m.CallEnded: self._ended,
            m.IvrCompleted: self._ivr_completed,
            m.CallFailed: self._failed,
            m.OperatorStateChanged: self._operator,
            m.CallbackOfferAccepted: self._offer_accepted,
            m.CallbackOfferDeclined: self._offer_declined,
            m.CallbackAttemptFinished: self.callbacks.attempt_finished,
            m.CallbackConnected: self.callbacks.connected,
            m.CallbackRestored: self.callbacks.restore,
            m.CallbackLegFound: self.callbacks.leg_found,
            m.StaleReservationFound: self.callbacks.stale_reservation,
            m.CallAdopted: self._adopted,
            m.PartnerCapacityUpdated: self.guard.partner_update,
            m.OverflowAccepted: self.guard.overflow_accepted,
            m.OverflowRefused: self.guard.overflow_refused,
            m.EmergencySet: self._emergency,
            m.QueueLimitChanged: self.guard.limit_changed,
        }

    @property
    def config(self) -> EngineConfig:
        return self.state.config

    def handle(self, message: m.Message, now: float) -> list[Output]:
        """Apply one inbound fact at time ``now``; return what to do and what happened."""
        return self._handlers[type(message)](message, now)

    def tick(self, now: float) -> list[Output]:
        """Run the timers: the guard for waiting callers and the callback reservations."""
        out = self.guard.check_all(now)
        out.extend(self.callbacks.dispatch(now))
        return out

    def next_wakeup(self, now: float) -> float | None:
        """The earliest time ``tick`` has something to do (None: nothing is pending)."""
        wakeups = (self.guard.next_wakeup(now), self.callbacks.next_wakeup(now))
        times = [t for t in wakeups if t is not None]
        return max(now, min(times)) if times else None

    def mode(self, now: float) -> Mode:
        if self.state.emergency:
            return Mode.EMERGENCY
        mode, start, end = self._mode_cache
        if not start <= now < end:
            # Local-time arithmetic is costly; a mode holds for hours, so reuse it.
            self._mode_cache = mode, start, end = mode_span(self.config.schedule, now)
        return mode

    def limit_s(self, queue: str) -> float:
        """The queue's wait limit now: the configured one, or the supervisor's change to it."""
        return self.state.queue(queue).config.limit_s

    def call(self, call_id: str) -> Call | None:
        return self.state.calls.get(call_id)

    # -- calls ------------------------------------------------------------------------------

    def _arrived(self, msg: m.CallArrived, now: float) -> list[Output]:
        arrived = now if msg.arrived_at is None else msg.arrived_at
        call = Call(msg.call_id, msg.caller, msg.topic, arrived, hops=msg.hops, origin=msg.origin)
        self.state.calls[call.call_id] = call
        commands: list[Output] = list(
            decide_entry(self.config, self.mode(now), call.call_id, call.topic, call.hops)
        )
        for cmd in commands:
            if isinstance(cmd, RouteToIvr):
                call.stage = CallStage.IVR
            elif isinstance(cmd, RouteToQueue):
                call.queue, call.priority = cmd.queue, cmd.priority
        return commands

    def _joined(self, msg: m.CallJoinedQueue, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        if call.stage is CallStage.QUEUED and call.queue == msg.queue:
            # Back from the callback offer: the caller kept their place and their waiting time.
            if msg.priority > call.priority:
                self.state.queue(call.queue).reprioritise(call, msg.priority)
            return []
        queue = self.state.queue(msg.queue)
        call.queue, call.priority, call.stage, call.joined_at = (
            msg.queue,
            msg.priority,
            CallStage.QUEUED,
            now,
        )
        self.state.seq += 1
        call.seq = self.state.seq
        position = queue.join(call)
        if position <= self.state.operators.free.get(msg.queue, 0):
            # An operator is free for this caller: nothing to predict, nothing for the guard.
            return [CallQueued(call.call_id, msg.queue, msg.priority, 0.0)]
        predicted = self.state.predict(queue, position)
        out: list[Output] = [CallQueued(call.call_id, msg.queue, msg.priority, predicted)]
        out.extend(self.guard.check_call(call, predicted, now))
        return out

    def _adopted(self, msg: m.CallAdopted, now: float) -> list[Output]:
        """Take over a call as Asterisk has it now; no entry decision is made for it again."""
        if msg.call_id in self.state.calls or (msg.queue and msg.queue not in self.state.queues):
            return []
        call = Call(msg.call_id, msg.caller, "", msg.arrived_at)
        self.state.calls[call.call_id] = call
        if msg.operator_id:
            call.stage, call.operator_id = CallStage.TALKING, msg.operator_id
            call.answered_at, call.outcome = msg.answered_at, CallOutcome.ANSWERED
            return []
        if not msg.queue:
            return []
        call.queue, call.priority, call.stage = msg.queue, msg.priority, CallStage.QUEUED
        call.joined_at = msg.joined_at
        if msg.offered:
            call.way_out_at = now
        self.state.seq += 1
        call.seq = self.state.seq
        queue = self.state.queue(msg.queue)
        position = queue.join(call)
        # The caller has been waiting all along: the guard judges the real wait.
        return self.guard.check_call(call, self.state.predict(queue, position), now)

    def _answered(self, msg: m.CallAnswered, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        waited = call.waited(now)
        if call.stage is CallStage.QUEUED:
            self.state.queue(call.queue).leave(call)
            self.state.stats(call.queue).record_departure(waited, served=True)
        call.stage, call.answered_at, call.operator_id = CallStage.TALKING, now, msg.operator_id
        return self._finish(call, CallOutcome.ANSWERED, waited)

    def _abandoned(self, msg: m.CallAbandoned, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        waited = self.state.leave_queue(call, now)
        return self._finish(call, CallOutcome.ABANDONED, waited)

    def _ended(self, msg: m.CallEnded, now: float) -> list[Output]:
        if msg.call_id in self.callbacks.desk.requests:
            return self.callbacks.conversation_ended(msg.call_id, now)
        call = self.state.calls.pop(msg.call_id, None)
        if call is not None and call.outcome is None:
            waited = self.state.leave_queue(call, now)
            return self._finish(call, CallOutcome.ABANDONED, waited)
        return []

    def _ivr_completed(self, msg: m.IvrCompleted, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        return self._finish(call, CallOutcome.IVR_SERVED, 0.0)

    def _failed(self, msg: m.CallFailed, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        waited = self.state.leave_queue(call, now)
        return self._finish(call, CallOutcome.FAILED, waited)

    def _finish(self, call: Call, outcome: CallOutcome, waited: float) -> list[Output]:
        call.outcome = outcome
        if outcome is not CallOutcome.ANSWERED:
            call.stage = CallStage.DONE
            self.state.calls.pop(call.call_id, None)
        return [CallCompleted(call.call_id, outcome, waited, call.queue)]

    # -- callback offers ---------------------------------------------------------------------

    def _offer_accepted(self, msg: m.CallbackOfferAccepted, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None:
            return []
        out, booked = self.callbacks.book(call, msg.number, now, self.mode(now))
        if not booked:
            return out + self._offer_declined(m.CallbackOfferDeclined(msg.call_id), now)
        waited = self.state.leave_queue(call, now)
        out.extend(self._finish(call, CallOutcome.CALLBACK_REQUESTED, waited))
        out.extend(self.callbacks.dispatch(now))
        return out

    def _offer_declined(self, msg: m.CallbackOfferDeclined, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or call.outcome is not None or call.stage is not CallStage.QUEUED:
            return []
        call.offer_pending = False
        bonus = self.config.queue(call.queue).declined_priority_bonus
        self.state.queue(call.queue).reprioritise(call, call.priority + bonus)
        return [SetCallerPriority(call.call_id, call.priority)]

    # -- operators and supervisor ------------------------------------------------------------

    def _operator(self, msg: m.OperatorStateChanged, now: float) -> list[Output]:
        board = self.state.operators
        op = board.operators.get(msg.operator_id)
        if op is None:
            op = Operator(msg.operator_id, frozenset(msg.queues), since=now)
            board.add(op)
        elif msg.queues and frozenset(msg.queues) != op.queues:
            board.set_queues(op, frozenset(msg.queues))
        state = msg.state
        if state is OperatorState.TALKING:
            if op.busy_since is None:
                op.busy_since = now
        elif op.busy_since is not None and state in _IDLE:
            for q in op.queues:
                self.state.stats(q).record_handle(now - op.busy_since)
            op.busy_since = None
        board.set_state(op, state, now, msg.reason)
        if state is OperatorState.AVAILABLE and self.callbacks.desk.has_work():
            return self.callbacks.dispatch(now)
        return []

    def _emergency(self, msg: m.EmergencySet, now: float) -> list[Output]:
        self.state.emergency = msg.active
        return [ModeChanged(self.mode(now), msg.by)]
