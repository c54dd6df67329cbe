"""The simulator's hands: carry out policy commands and play the timed events of the day."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.engine import Output
from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.calls import CallOutcome
from queue_engine.model.operators import OperatorState
from queue_engine.simulation import observe
from queue_engine.simulation import runner as r
from queue_engine.simulation.state import SimCall, SimOperator

if TYPE_CHECKING:
    from queue_engine.simulation.runner import Simulator


class Executor:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        # callback id -> (the operator held for it, or "" citizen-first; answered?)
        self._dialling: dict[str, tuple[str, bool]] = {}
        # Citizen-first attempts ringing: callback id -> the priority they join the queue at.
        self._citizen_priority: dict[str, int] = {}
        self._commands: dict[type, Callable[[Any], None]] = {
            c.RouteToQueue: self._route_to_queue,
            c.RouteToIvr: self._route_to_ivr,
            c.PlayAnnouncement: self._announce,
            c.OfferCallback: self._offer,
            c.SetCallerPriority: self._set_priority,
            c.OverflowCall: self._overflow,
            c.ReleaseCaller: self._release_caller,
            c.ReserveOperator: self._reserve,
            c.ReleaseOperator: self._release_operator,
            c.OriginateCallback: self._originate,
            c.DialCitizen: self._dial_citizen,
            **observe.handlers(sim),
        }

    def event_handlers(self) -> list[Callable[[Any], None]]:
        sim = self.sim
        return [
            self._arrive,
            self._abandon,
            self._end,
            self._wrap,
            self._decide,
            self._callback_result,
            self._ivr_done,
            sim.shift_to,
            sim.on_tick,
            self._partner_free,
            self._partner_report,
        ]

    def apply(self, outputs: list[Output]) -> None:
        table = self._commands
        for out in outputs:
            handler = table.get(type(out))
            if handler is not None:
                handler(out)

    # -- timed events -------------------------------------------------------------------------

    def _arrive(self, index: int) -> None:
        sim = self.sim
        a = sim.arrivals[index]
        call_id = f"c{index}"
        # Plausible mobile numbers, unique per call: the engine validates them like real ones.
        caller = f"+7916{index % 10_000_000:07d}"
        sim.calls[call_id] = SimCall(
            call_id, a.service, a.patience, a.topic, caller, arrival=sim.now
        )
        sim.send(m.CallArrived(call_id, caller, a.topic))

    def _abandon(self, call_id: str) -> None:
        call = self.sim.calls[call_id]
        if call.outcome is None and call.joined_at is not None and call.left_at is None:
            self._leave_queue(call, served=False)
            self.sim.set_outcome(call, CallOutcome.ABANDONED)
            self.sim.send(m.CallAbandoned(call_id))

    def _end(self, op_id: str) -> None:
        sim = self.sim
        op = sim.ops[op_id]
        job, op.job = op.job, ""
        op.state = "wrap_up"
        sim.send(m.OperatorStateChanged(op_id, OperatorState.WRAP_UP))
        sim.send(m.CallEnded(job))
        sim.push(sim.now + sim.settings.wrapup_s, r.WRAP, op_id)

    def _wrap(self, op_id: str) -> None:
        sim = self.sim
        op = sim.ops[op_id]
        started = sim.busy_since.pop(op_id, None)
        if started is not None:
            sim.observer.record_handle(sim.now - started)
        if op.leaving and not op.reserved:
            self.log_out(op)
            return
        op.state = "available"
        sim.send(m.OperatorStateChanged(op_id, OperatorState.AVAILABLE))
        if not op.reserved and op.state == "available":
            sim.queue.member_free(op_id)

    def _decide(self, call_id: str) -> None:
        sim = self.sim
        call = sim.calls[call_id]
        if call.outcome is not None:
            return
        if sim.rng.random() < sim.settings.accept_probability:
            sim.send(m.CallbackOfferAccepted(call_id, call.caller))
        else:
            sim.send(m.CallbackOfferDeclined(call_id))

    def _callback_result(self, callback_id: str) -> None:
        sim = self.sim
        cb = sim.callbacks[callback_id]
        op_id, answered = self._dialling.pop(callback_id)
        priority = self._citizen_priority.pop(callback_id, None)
        if answered and priority is not None:
            # Citizen-first: they wait at the head of the line for the next free operator.
            sim.queue.join(callback_id, priority, sim.now)
            sim.send(m.CallbackAttemptFinished(callback_id, AttemptResult.ANSWERED))
        elif answered:
            cb.served_at = sim.now if cb.served_at is None else cb.served_at
            op = sim.ops[op_id]
            op.state, op.job = "talking", callback_id
            sim.busy_since[op_id] = sim.now
            sim.send(m.OperatorStateChanged(op_id, OperatorState.TALKING))
            sim.send(m.CallbackAttemptFinished(callback_id, AttemptResult.ANSWERED))
            sim.push(sim.now + cb.service, r.END, op_id)
        else:
            sim.send(m.CallbackAttemptFinished(callback_id, AttemptResult.NO_ANSWER))

    def _ivr_done(self, call_id: str) -> None:
        sim = self.sim
        call = sim.calls[call_id]
        if sim.rng.random() < sim.settings.ivr_callback_probability:
            sim.send(m.CallbackOfferAccepted(call_id, call.caller))
        if call.outcome is None:
            sim.set_outcome(call, CallOutcome.IVR_SERVED)
            sim.send(m.IvrCompleted(call_id))

    def _partner_free(self, name: str) -> None:
        self.sim.partners[name].busy -= 1
        self._partner_report(name, reschedule=False)

    def _partner_report(self, name: str, reschedule: bool = True) -> None:
        sim = self.sim
        p = sim.partners[name]
        free = p.slots - p.busy
        sim.send(
            m.PartnerCapacityUpdated(name, 0.0 if free > 0 else 120.0, free, free > 0, p.max_hops)
        )
        if reschedule and sim.now < sim.horizon:
            sim.push(sim.now + sim.settings.partner_report_s, r.REPORT, name)

    # -- commands ----------------------------------------------------------------------------

    def _route_to_queue(self, cmd: c.RouteToQueue) -> None:
        sim = self.sim
        call = sim.calls[cmd.call_id]
        position = sim.queue.join(cmd.call_id, cmd.priority, sim.now)
        call.joined_at = sim.now
        ahead, free, working = position - 1, len(sim.queue.idle), sim.working()
        # Made before the policy hears of the caller: its reply may already move the queue.
        call.classic = sim.observer.predict_classic(ahead, free, working)
        if not sim.policy_predicts:
            call.predicted = sim.observer.predict(ahead, free, working)
        if call.patience is not None:
            # Scheduled after distribution, and only if still waiting: most callers are
            # answered on the spot and need no abandonment event at all.
            sim.patient.append(call)
        sim.send(m.CallJoinedQueue(cmd.call_id, cmd.queue, cmd.priority))

    def _route_to_ivr(self, cmd: c.RouteToIvr) -> None:
        self.sim.push(self.sim.now + self.sim.settings.ivr_s, r.IVR, cmd.call_id)

    def _announce(self, cmd: c.PlayAnnouncement) -> None:
        self.sim.tally.announcements += 1

    def _offer(self, cmd: c.OfferCallback) -> None:
        call = self.sim.calls[cmd.call_id]
        if call.way_out_at is None:
            call.way_out_at = self.sim.now
        self.sim.push(self.sim.now + self.sim.settings.decide_s, r.DECIDE, cmd.call_id)

    def _set_priority(self, cmd: c.SetCallerPriority) -> None:
        self.sim.queue.set_priority(cmd.call_id, cmd.priority)

    def _overflow(self, cmd: c.OverflowCall) -> None:
        sim = self.sim
        call = sim.calls[cmd.call_id]
        call.way_out_at = call.way_out_at if call.way_out_at is not None else sim.now
        self._leave_queue(call, served=False)
        sim.set_outcome(call, CallOutcome.OVERFLOWED)
        partner = sim.partners[cmd.partner]
        partner.busy += 1
        sim.push(sim.now + call.service, r.PARTNER_FREE, cmd.partner)
        # The simulated partner takes every call it is offered while it has room.
        sim.send(m.OverflowAccepted(cmd.call_id))
        self._partner_report(cmd.partner, reschedule=False)

    def _release_caller(self, cmd: c.ReleaseCaller) -> None:
        call = self.sim.calls[cmd.call_id]
        if call.joined_at is not None:
            self._leave_queue(call, served=False)
        self.sim.set_outcome(call, CallOutcome.CALLBACK_REQUESTED)

    def _reserve(self, cmd: c.ReserveOperator) -> None:
        op = self.sim.ops[cmd.operator_id]
        op.reserved = True
        self.sim.reserved_count += 1
        self.sim.queue.member_busy(op.op_id)

    def _release_operator(self, cmd: c.ReleaseOperator) -> None:
        op = self.sim.ops[cmd.operator_id]
        op.reserved = False
        self.sim.reserved_count -= 1
        if op.state == "available":
            if op.leaving:
                self.log_out(op)
            else:
                self.sim.queue.member_free(op.op_id)

    def _originate(self, cmd: c.OriginateCallback) -> None:
        sim = self.sim
        settings = sim.settings
        answered = sim.rng.random() < settings.callback_answer_probability
        self._dialling[cmd.callback_id] = (cmd.operator_id, answered)
        delay = settings.callback_answer_s if answered else settings.callback_no_answer_s
        sim.push(sim.now + delay, r.CB_RESULT, cmd.callback_id)

    def _dial_citizen(self, cmd: c.DialCitizen) -> None:
        self._citizen_priority[cmd.callback_id] = cmd.priority
        self._originate(c.OriginateCallback(cmd.callback_id, cmd.number, "", cmd.attempt))

    def _connect_callback(self, callback_id: str, op_id: str) -> None:
        sim = self.sim
        cb = sim.callbacks[callback_id]
        cb.served_at = sim.now if cb.served_at is None else cb.served_at
        op = sim.ops[op_id]
        op.state, op.job = "talking", callback_id
        sim.busy_since[op_id] = sim.now
        sim.send(m.OperatorStateChanged(op_id, OperatorState.TALKING))
        sim.send(m.CallbackConnected(callback_id, op_id))
        sim.push(sim.now + cb.service, r.END, op_id)

    # -- helpers -----------------------------------------------------------------------------

    def _leave_queue(self, call: SimCall, served: bool) -> None:
        sim = self.sim
        if call.left_at is not None or call.joined_at is None:
            return
        sim.queue.leave(call.call_id)
        call.left_at = sim.now
        waited = sim.now - call.joined_at
        sim.tally.queue_waits.append(waited)
        sim.observer.record_departure(waited, served)
        first_help = min(
            call.left_at, call.way_out_at if call.way_out_at is not None else call.left_at
        )
        if first_help - call.joined_at > sim.limit_s:
            sim.tally.breaches += 1

    def log_out(self, op: SimOperator) -> None:
        sim = self.sim
        op.state = "offline"
        sim.queue.member_busy(op.op_id)
        del sim.ops[op.op_id]
        sim.send(m.OperatorStateChanged(op.op_id, OperatorState.OFFLINE))

    def distribute(self) -> None:
        sim = self.sim
        while True:
            pair = sim.queue.next_pair()
            if pair is None:
                return
            entry, op_id = pair
            if entry.call_id in sim.callbacks:
                self._connect_callback(entry.call_id, op_id)
                continue
            call = sim.calls[entry.call_id]
            self._leave_queue(call, served=True)
            assert call.joined_at is not None
            waited = sim.now - call.joined_at
            sim.tally.answered_waits.append(waited)
            if call.predicted is not None and call.classic is not None:
                ql, les = call.classic
                errors = (abs(call.predicted - waited), abs(ql - waited), abs(les - waited), waited)
                sim.tally.errors.append(errors)
            sim.set_outcome(call, CallOutcome.ANSWERED)
            op = sim.ops[op_id]
            op.state, op.job = "talking", call.call_id
            sim.busy_since[op_id] = sim.now
            sim.send(m.CallAnswered(call.call_id, op_id))
            sim.send(m.OperatorStateChanged(op_id, OperatorState.TALKING))
            sim.push(sim.now + call.service, r.END, op_id)

    def finish(self) -> None:
        """Close the books: callers still waiting when nothing else can happen have failed."""
        sim = self.sim
        for entry in list(sim.queue.waiting):
            if entry.call_id in sim.callbacks:  # a citizen called back whom nobody took
                sim.queue.leave(entry.call_id)
        for call in sim.calls.values():
            if call.outcome is None:
                self._leave_queue(call, served=False)
                sim.set_outcome(call, CallOutcome.FAILED)
                sim.send(m.CallFailed(call.call_id, "end_of_simulation"))
