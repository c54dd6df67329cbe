"""The discrete-event runner: a day of calls in virtual time through a policy.

The policy is the engine (or a baseline with the same interface); this module plays Asterisk
and the callers: it keeps the app_queue model, operators and callers, feeds the policy the facts
an adapter would, and carries out its commands. Outcomes are counted from what happened here,
not from what the policy reports, so a policy cannot flatter itself.
"""

from __future__ import annotations

import gc
import heapq
import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from queue_engine import messages as m
from queue_engine.engine import Output
from queue_engine.model.calls import CallOutcome
from queue_engine.model.operators import OperatorState
from queue_engine.prediction import WaitStats
from queue_engine.simulation.appqueue import AppQueue
from queue_engine.simulation.state import (
    SimCall,
    SimCallback,
    SimOperator,
    SimPartner,
    SimSettings,
    Tally,
)
from queue_engine.simulation.trace import Arrival, PartnerSpec, Shift, operators_at

DRAIN_S = 86_400.0
ARRIVE, ABANDON, END, WRAP, DECIDE, CB_RESULT, IVR, SHIFT, TICK, PARTNER_FREE, REPORT = range(11)


class Policy(Protocol):
    def handle(self, message: m.Message, now: float) -> list[Output]: ...

    def tick(self, now: float) -> list[Output]: ...

    def next_wakeup(self, now: float) -> float | None: ...


class Simulator:
    """One run. Build, then ``run()``; the results stay on the instance for the report."""

    def __init__(
        self,
        *,
        policy: Policy,
        arrivals: list[Arrival],
        shifts: list[Shift],
        settings: SimSettings,
        limit_s: float = 40.0,
        partners: Sequence[PartnerSpec] = (),
        handle_s: float = 180.0,
        reevaluate_s: float = 2.0,
    ) -> None:
        self.policy, self.arrivals, self.shifts = policy, arrivals, shifts
        self.settings, self.limit_s, self.reevaluate_s = settings, limit_s, reevaluate_s
        self.rng = random.Random(settings.seed)
        self.origin = settings.day_origin
        self.queue = AppQueue()
        self.calls: dict[str, SimCall] = {}
        self.ops: dict[str, SimOperator] = {}
        self.callbacks: dict[str, SimCallback] = {}
        self.partners = {p.name: SimPartner(p.name, p.slots, p.max_hops) for p in partners}
        self.observer = WaitStats(handle_s)
        # Set when the policy reports its own predictions (CallQueued); until then the
        # simulator runs the engine's predictor on its own observations in its place.
        self.policy_predicts = False
        self.tally = Tally()
        self.busy_since: dict[str, float] = {}
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self._tick_at: float | None = None
        self._op_counter = 0
        self.reserved_count = 0
        # Callback requests the policy has not closed yet: with these or waiting callers the
        # policy may need its timers, without them it cannot.
        self.open_callbacks = 0
        self.patient: list[SimCall] = []
        last = max((a.arrival for a in arrivals), default=0.0)
        self.horizon = self.origin + last + 3600.0
        self.now = self.origin
        from queue_engine.simulation.executor import Executor

        self.exec = Executor(self)
        self._on = self.exec.event_handlers()

    def push(self, t: float, kind: int, arg: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, arg))

    def send(self, message: m.Message) -> None:
        outputs = self.policy.handle(message, self.now)
        if outputs:  # most facts need no answer; skip the dispatch then
            self.exec.apply(outputs)

    def run(self, progress: Callable[[float], None] | None = None) -> Simulator:
        # A run makes no reference cycles call by call (everything it drops is freed by
        # reference counting), while the cycle collector would rescan the growing records of
        # the day again and again: a third of the run time. It is paused for the run only.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(progress)
        finally:
            if was_enabled:
                gc.enable()

    def _run(self, progress: Callable[[float], None] | None) -> Simulator:
        changes = sorted({s.start for s in self.shifts} | {s.end for s in self.shifts} | {0.0})
        for t in changes:
            # A shift open to the end (a plain operator count) has nothing to change later.
            if self.origin + t <= self.horizon + DRAIN_S:
                self.push(self.origin + t, SHIFT, operators_at(self.shifts, t))
        for name in self.partners:
            self.push(self.origin, REPORT, name)
        # Arrivals are merged from a sorted list rather than pushed on the heap: the heap then
        # holds only what is in progress, and an arrival still goes before anything else due
        # at the same instant.
        times = [self.origin + a.arrival for a in self.arrivals]
        order = sorted(range(len(times)), key=times.__getitem__)
        next_arrival, total = 0, len(order)
        last_report = 0.0
        heap, on = self._heap, self._on
        while next_arrival < total or heap:
            if next_arrival < total and (not heap or times[order[next_arrival]] <= heap[0][0]):
                index = order[next_arrival]
                next_arrival += 1
                t, kind, arg = times[index], ARRIVE, index
            else:
                t, _, kind, arg = heapq.heappop(heap)
            self.now = t
            on[kind](arg)
            if self.queue.waiting and self.queue.idle:
                self.exec.distribute()
            if self.patient:
                self._schedule_abandons()
            if (self.queue.waiting or self.open_callbacks) and (
                self._tick_at is None or self._tick_at > t + self.reevaluate_s
            ):
                self._schedule_tick()
            if progress is not None and t - last_report >= 600.0:
                last_report = t
                progress(t - self.origin)
        self.exec.finish()
        return self

    def _schedule_abandons(self) -> None:
        for call in self.patient:
            if call.left_at is None and call.patience is not None and call.joined_at is not None:
                self.push(call.joined_at + call.patience, ABANDON, call.call_id)
        self.patient.clear()

    def _schedule_tick(self) -> None:
        """Arm a tick at the policy's next wakeup, if it has one and it is sooner.

        The policy asks for a look every few seconds while a caller waits without a way out or
        a callback is held back, and for its exact timers. Asking after every event would cost
        more than the rest of the simulation, so the runner asks only while no tick is armed
        within ``reevaluate_s`` (the policy's own re-check interval), and only while a caller
        waits or a callback is open: a new fact cannot need the policy sooner. A day after the
        last arrival the run stops whatever is still pending (callers then fail, callbacks
        count as not served).
        """
        wake = self.policy.next_wakeup(self.now)
        if wake is None or self.now >= self.horizon + DRAIN_S:
            return
        if self._tick_at is None or wake < self._tick_at:
            self._tick_at = wake
            self.push(wake, TICK, wake)

    def on_tick(self, token: float) -> None:
        if token != self._tick_at:
            return  # superseded by a sooner tick
        self._tick_at = None
        self.exec.apply(self.policy.tick(self.now))

    def shift_to(self, target: int) -> None:
        active = [op for op in self.ops.values() if not op.leaving]
        for op in self.ops.values():
            if op.leaving and len(active) < target:
                op.leaving = False
                active.append(op)
        while len(active) < target:
            self._op_counter += 1
            op = SimOperator(f"PJSIP/{1000 + self._op_counter}")
            self.ops[op.op_id] = op
            active.append(op)
            self.send(
                m.OperatorStateChanged(op.op_id, OperatorState.AVAILABLE, (self.settings.queue,))
            )
            self.queue.member_free(op.op_id)
        surplus = len(active) - target
        for op in sorted(active, key=lambda o: o.state != "available" or o.reserved):
            if surplus <= 0:
                break
            surplus -= 1
            if op.state == "available" and not op.reserved:
                self.exec.log_out(op)
            else:
                op.leaving = True

    def working(self) -> int:
        return len(self.ops)

    def set_outcome(self, call: SimCall, outcome: CallOutcome) -> None:
        if call.outcome is not None:
            self.tally.outcome_conflicts.append(f"{call.call_id}:{call.outcome}->{outcome}")
            return
        call.outcome = outcome
