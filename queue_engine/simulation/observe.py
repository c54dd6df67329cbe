"""What the simulator notes from the policy's events (the policy's own account of the day)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from queue_engine import events as e
from queue_engine.simulation.state import SimCallback

if TYPE_CHECKING:
    from queue_engine.simulation.runner import Simulator


def handlers(sim: Simulator) -> dict[type, Callable[[Any], None]]:
    tally = sim.tally

    def callback_requested(ev: e.CallbackRequested) -> None:
        call = sim.calls[ev.call_id]
        sim.callbacks[ev.callback_id] = SimCallback(
            ev.callback_id, ev.call_id, call.service, sim.now, ev.deadline
        )
        sim.open_callbacks += 1

    def callback_completed(ev: e.CallbackCompleted) -> None:
        sim.open_callbacks -= 1
        if ev.outcome == "unreached":
            sim.callbacks[ev.callback_id].unreached = True

    def breach(ev: e.SlaBreached) -> None:
        tally.engine_breaches[ev.reason] = tally.engine_breaches.get(ev.reason, 0) + 1

    def guard(ev: e.GuardTriggered) -> None:
        tally.guard_actions[ev.action] = tally.guard_actions.get(ev.action, 0) + 1

    def queued(ev: e.CallQueued) -> None:
        sim.calls[ev.call_id].predicted = ev.predicted_wait_s
        sim.policy_predicts = True

    def outcome(ev: e.CallCompleted) -> None:
        tally.engine_outcomes[ev.call_id] = ev.outcome.value

    return {
        e.CallbackRequested: callback_requested,
        e.CallbackCompleted: callback_completed,
        e.SlaBreached: breach,
        e.GuardTriggered: guard,
        e.CallCompleted: outcome,
        e.CallQueued: queued,
    }
