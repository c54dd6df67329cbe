"""Engine service for callbacks: booking, EDF dispatch with reservations, attempts, outcomes."""

from __future__ import annotations

from queue_engine import messages as m
from queue_engine.commands import (
    Command,
    OriginateCallback,
    ReleaseCaller,
    ReleaseOperator,
    ReserveOperator,
)
from queue_engine.engine_state import EngineState
from queue_engine.errors import InvalidCallbackNumber
from queue_engine.events import (
    CallbackAttempted,
    CallbackCompleted,
    CallbackRejected,
    CallbackRequested,
    Event,
)
from queue_engine.model.callbacks import AttemptResult, CallbackOutcome, CallbackRequest
from queue_engine.model.calls import Call, CallStage
from queue_engine.model.operators import Operator
from queue_engine.model.schedule import Mode, next_day_start
from queue_engine.policies.callbacks import CallbackDesk
from queue_engine.policies.phone import validate_number

Output = Command | Event
CONFIRM_PROMPT = "callback_confirmed"


class CallbackService:
    def __init__(self, state: EngineState) -> None:
        self.state = state
        self.desk = CallbackDesk(state.config.callbacks)

    def book(self, call: Call, number: str, now: float, mode: Mode) -> tuple[list[Output], bool]:
        """Validate the number and file the request; (outputs, booked)."""
        config = self.state.config
        try:
            e164 = validate_number(number, config.phone)
        except InvalidCallbackNumber as exc:
            return [CallbackRejected(call.call_id, exc.code)], False
        start = now
        if mode is Mode.AUTOMATIC:
            # Night requests are served from 06:00, in the order they were made.
            start = next_day_start(config.schedule, now)
        request = CallbackRequest(
            callback_id=f"cb-{call.call_id}",
            call_id=call.call_id,
            number=e164,
            topic=call.topic,
            requested_at=now,
            deadline=start + config.callbacks.deadline_s,
            not_before=start,
        )
        self.desk.add(request)
        out: list[Output] = [
            CallbackRequested(request.callback_id, call.call_id, e164, request.deadline)
        ]
        if call.stage in (CallStage.QUEUED, CallStage.IVR):
            out.append(ReleaseCaller(call.call_id, CONFIRM_PROMPT))
        return out, True

    def restore(self, msg: m.CallbackRestored, now: float) -> list[Output]:
        """File a stored request again (after a restart); a known one is left as it is."""
        if msg.callback_id in self.desk.requests:
            return []
        self.desk.add(
            CallbackRequest(
                callback_id=msg.callback_id,
                call_id=msg.call_id,
                number=msg.number,
                topic=msg.topic,
                requested_at=msg.requested_at,
                deadline=msg.deadline,
                not_before=msg.not_before,
                attempts=msg.attempts,
            )
        )
        return self.dispatch(now)

    def leg_found(self, msg: m.CallbackLegFound, now: float) -> list[Output]:
        """Follow an attempt that is still up (found after a restart) instead of redialling."""
        request = self.desk.requests.get(msg.callback_id)
        if request is None or request.dialling or request.outcome is not None:
            return []
        self.desk.withdraw(request)
        request.dialling, request.operator_id = True, msg.operator_id
        request.attempts = max(request.attempts, msg.attempt)
        request.served_at = msg.answered_at
        if not msg.operator_id:  # dialled for someone who is no queue member: nobody to hold
            return []
        board = self.state.operators
        op = board.get(msg.operator_id)
        if op is None:  # the resync names the operator's memberships right after
            op = Operator(msg.operator_id, frozenset(), since=now)
            board.add(op)
        board.reserve(op, request.callback_id)
        return []

    def stale_reservation(self, msg: m.StaleReservationFound, now: float) -> list[Output]:
        op = self.state.operators.get(msg.operator_id)
        if op is None or op.reserved_for:
            return []  # unknown, or held for a request being dialled: nothing stale
        return [ReleaseOperator(op.operator_id)]

    def dispatch(self, now: float) -> list[Output]:
        """Give free operators to ready callbacks: due ones always, others only if idle."""
        out: list[Output] = []
        board = self.state.operators
        while True:
            request = self.desk.head(now)
            if request is None:
                break
            if not self.desk.is_due(request, now) and self._callers_waiting():
                break
            op = board.first_free()
            if op is None:
                break
            self.desk.take(now)
            board.reserve(op, request.callback_id)
            request.operator_id = op.operator_id
            request.attempts += 1
            out.append(ReserveOperator(op.operator_id, request.callback_id))
            out.append(
                OriginateCallback(
                    request.callback_id, request.number, op.operator_id, request.attempts
                )
            )
        return out

    def _callers_waiting(self) -> bool:
        return any(q.waiting for q in self.state.queues.values())

    def attempt_finished(self, msg: m.CallbackAttemptFinished, now: float) -> list[Output]:
        request = self.desk.requests.get(msg.callback_id)
        if request is None or request.outcome is not None or not request.dialling:
            return []
        out: list[Output] = [CallbackAttempted(request.callback_id, request.attempts, msg.result)]
        if msg.result is AttemptResult.ANSWERED:
            request.served_at = now
            return out
        out.extend(self._release(request))
        if not self.desk.retry(request, now):
            out.append(self._complete(request, CallbackOutcome.UNREACHED, now))
        out.extend(self.dispatch(now))
        return out

    def conversation_ended(self, callback_id: str, now: float) -> list[Output]:
        request = self.desk.requests[callback_id]
        if request.outcome is not None or request.served_at is None:
            return []
        out = self._release(request)
        out.append(self._complete(request, CallbackOutcome.SERVED, now))
        return out

    def _release(self, request: CallbackRequest) -> list[Output]:
        op = self.state.operators.get(request.operator_id)
        if op is None or op.reserved_for != request.callback_id:
            return []
        self.state.operators.release(op)
        return [ReleaseOperator(op.operator_id)]

    def _complete(self, request: CallbackRequest, outcome: CallbackOutcome, now: float) -> Event:
        request.outcome, request.dialling = outcome, False
        del self.desk.requests[request.callback_id]
        if outcome is CallbackOutcome.UNREACHED:
            return CallbackCompleted(request.callback_id, outcome.value, False, "unreached")
        on_time = request.served_at is not None and request.served_at <= request.deadline
        reason = "" if on_time else ("retries" if request.attempts > 1 else "no_operator_in_time")
        return CallbackCompleted(request.callback_id, outcome.value, on_time, reason)

    def next_wakeup(self, now: float) -> float | None:
        wake = self.desk.next_wakeup(now)
        if self.desk.head(now) is not None and self._callers_waiting():
            # A ready request held back for the callers waiting: look again when they may be gone.
            step = now + self.state.config.reevaluate_s
            wake = step if wake is None else min(wake, step)
        return wake
