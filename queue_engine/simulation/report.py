"""The figures of one simulated day, as the CLI prints them."""

from __future__ import annotations

from typing import Any

from queue_engine.model.calls import CallOutcome
from queue_engine.simulation.runner import Simulator


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def callback_figures(sim: Simulator) -> tuple[int, int, dict[str, int]]:
    """(on time, late, late reasons): every request is one or the other, with its reason."""
    on_time, reasons = 0, dict[str, int]()
    for cb in sim.callbacks.values():
        if cb.served_at is not None and cb.served_at <= cb.deadline:
            on_time += 1
            continue
        if cb.served_at is not None:
            reason = "served_late"
        elif cb.unreached:
            reason = "unreached"
        else:
            reason = "not_served"
        reasons[reason] = reasons.get(reason, 0) + 1
    return on_time, sum(reasons.values()), reasons


def summarise(sim: Simulator, policy: str, wall_s: float) -> dict[str, Any]:
    counts = {o: 0 for o in CallOutcome}
    for call in sim.calls.values():
        if call.outcome is not None:
            counts[call.outcome] += 1
    tally = sim.tally
    calls = len(sim.calls)
    answered_waits = tally.answered_waits
    within = sum(1 for w in answered_waits if w <= sim.limit_s)
    seeking = calls - counts[CallOutcome.IVR_SERVED]
    # Standard ACD service level: over the callers who stayed in the queue to an end there;
    # callers who took a callback or an overflow are judged by the callback figures instead.
    stayed = (
        counts[CallOutcome.ANSWERED] + counts[CallOutcome.ABANDONED] + counts[CallOutcome.FAILED]
    )
    on_time, late, reasons = callback_figures(sim)
    errors = tally.errors
    waited = [err for err in errors if err[3] >= 1.0]
    return {
        "policy": policy,
        "calls": calls,
        "answered": counts[CallOutcome.ANSWERED],
        "answered_within_limit": within,
        "sl_pct": round(100.0 * within / stayed, 2) if stayed else 100.0,
        "sl_offered_pct": round(100.0 * within / seeking, 2) if seeking else 100.0,
        "asa_s": round(_mean(answered_waits), 2),
        "max_queue_wait_s": round(max(tally.queue_waits, default=0.0), 2),
        "abandoned": counts[CallOutcome.ABANDONED],
        "abandon_pct": round(100.0 * counts[CallOutcome.ABANDONED] / seeking, 2) if seeking else 0,
        "overflowed": counts[CallOutcome.OVERFLOWED],
        "callbacks_requested": counts[CallOutcome.CALLBACK_REQUESTED],
        "callbacks_on_time": on_time,
        "callbacks_late": late,
        "callbacks_late_reasons": reasons,
        "callbacks_on_time_pct": round(100.0 * on_time / (on_time + late), 2)
        if on_time + late
        else None,
        "ivr_served": counts[CallOutcome.IVR_SERVED],
        "failed": counts[CallOutcome.FAILED],
        "breaches": tally.breaches,
        "engine_breach_reasons": tally.engine_breaches,
        "guard_actions": tally.guard_actions,
        "ewt_samples": len(errors),
        "ewt_mae_s": round(_mean([err[0] for err in errors]), 2),
        "ewt_mae_ql_s": round(_mean([err[1] for err in errors]), 2),
        "ewt_mae_les_s": round(_mean([err[2] for err in errors]), 2),
        # The same, over the callers who actually waited at least a second.
        "ewt_waited_samples": len(waited),
        "ewt_mae_waited_s": round(_mean([err[0] for err in waited]), 2),
        "ewt_mae_waited_ql_s": round(_mean([err[1] for err in waited]), 2),
        "ewt_mae_waited_les_s": round(_mean([err[2] for err in waited]), 2),
        "outcome_conflicts": len(tally.outcome_conflicts),
        "wall_s": round(wall_s, 3),
        "sim_calls_per_s": round(calls / wall_s) if wall_s > 0 else None,
    }
