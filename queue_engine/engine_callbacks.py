"""Engine service for callbacks: booking, EDF dispatch with reservations, attempts, outcomes."""

from __future__ import annotations

from queue_engine import messages as m
from queue_engine.commands import (
    Command,
    DialCitizen,
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
        # Citizen-first attempts per queue that are ringing or answered and waiting for an
        # operator: what the next free operators of that queue will be taken by.
        self.outstanding: dict[str, int] = {}

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
            queue=call.queue,
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
                queue=msg.queue,
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
        if msg.citizen_first:
            request.citizen_first, request.answered_at = True, msg.answered_at
            if msg.operator_id:
                request.served_at = msg.answered_at
            else:  # still ringing, or waiting in the queue for an operator
                self._count(request, +1)
            return []
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
        """Dial ready callbacks: due ones always, others only with operators nobody needs."""
        if self.state.config.callbacks.citizen_first:
            return self._dial_citizens(now)
        return self._reserve_and_dial(now)

    def _dial_citizens(self, now: float) -> list[Output]:
        out: list[Output] = []
        policy = self.state.config.callbacks
        while True:
            request = self.desk.head(now)
            if request is None or not self._may_dial(request, now):
                break
            self.desk.take(now)
            request.queue = self._queue_of(request)
            request.attempts += 1
            request.citizen_first, request.answered_at = True, None
            self._count(request, +1)
            out.append(
                DialCitizen(
                    request.callback_id,
                    request.number,
                    request.queue,
                    policy.priority,
                    request.attempts,
                )
            )
        return out

    def _may_dial(self, request: CallbackRequest, now: float) -> bool:
        """A due request is dialled while fewer citizens are pending than operators will come
        free by the time they answer; one not due yet only for an operator nobody needs. With
        nobody signed in (or before the engine knows its operators, after a restart) nobody
        is called: the citizen would wait for no one."""
        queue = self._queue_of(request)
        free, working = self.state.capacity(queue)
        if free + working == 0:
            return False
        pending = self.outstanding.get(queue, 0)
        if self.desk.is_due(request, now):
            answer_s = self.state.config.callbacks.answer_s
            coming_free = free + working * answer_s / self.state.stats(queue).handle_s
            return pending < max(1.0, coming_free)
        return pending < free and not self._callers_waiting()

    def _queue_of(self, request: CallbackRequest) -> str:
        if request.queue in self.state.queues:
            return request.queue
        return self.state.config.queues[0].name

    def _count(self, request: CallbackRequest, sign: int) -> None:
        queue = self._queue_of(request)
        self.outstanding[queue] = self.outstanding.get(queue, 0) + sign

    def connected(self, msg: m.CallbackConnected, now: float) -> list[Output]:
        """Citizen-first: an operator took the citizen waiting at the head of the queue."""
        request = self.desk.requests.get(msg.callback_id)
        if request is None or not request.dialling or request.served_at is not None:
            return []
        self._count(request, -1)
        request.operator_id, request.served_at = msg.operator_id, now
        # The attempt's one result: reached and served (a hang-up before now is HUNG_UP).
        attempted = CallbackAttempted(
            request.callback_id, request.attempts, AttemptResult.ANSWERED, msg.operator_id
        )
        return [attempted, *self.dispatch(now)]

    def _reserve_and_dial(self, now: float) -> list[Output]:
        """Operator-first: reserve a free operator, then dial the citizen from their phone."""
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
        if request.citizen_first:
            if request.answered_at is not None:
                return []  # the citizen is in the queue now: the leg's end is the attempt's end
            if msg.result is AttemptResult.ANSWERED:
                # Served (and recorded as answered) once an operator takes them, HUNG_UP if
                # they give up first: one result per attempt.
                request.answered_at = now
                return []
        attempted = CallbackAttempted(
            request.callback_id, request.attempts, msg.result, request.operator_id
        )
        if msg.result is AttemptResult.ANSWERED:
            request.served_at = now
            return [attempted]
        return [attempted, *self._failed(request, now)]

    def _failed(self, request: CallbackRequest, now: float) -> list[Output]:
        if request.citizen_first:
            self._count(request, -1)
        out = self._release(request)
        if not self.desk.retry(request, now):
            out.append(self._complete(request, CallbackOutcome.UNREACHED, now))
        out.extend(self.dispatch(now))
        return out

    def conversation_ended(self, callback_id: str, now: float) -> list[Output]:
        request = self.desk.requests[callback_id]
        if request.outcome is not None or not request.dialling:
            return []
        if request.served_at is None:
            if request.answered_at is None:
                return []  # operator-first: the attempt's result closes it
            # Citizen-first: they answered, then hung up before an operator took them.
            attempted = CallbackAttempted(callback_id, request.attempts, AttemptResult.HUNG_UP)
            return [attempted, *self._failed(request, now)]
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
