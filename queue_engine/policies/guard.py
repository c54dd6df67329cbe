"""The 40-second guard: when to act for a waiting caller, and what counts as a breach.

The guard acts while there is still time: as soon as the time already waited plus the predicted
remaining wait reaches the hard timer (the limit less the action margin), and, as the safety net,
at the hard timer on the clock, whatever the prediction says. A breach is a caller still
in the queue at the limit who was neither connected nor offered a way out.
"""

from __future__ import annotations

from queue_engine.config import QueueConfig


def must_act(queue: QueueConfig, waited_s: float, predicted_s: float) -> bool:
    # Predicted to be still waiting when the hard timer fires: that timer would make the offer
    # then anyway, so it is made now, before the caller has waited for nothing.
    return waited_s + predicted_s >= queue.limit_s - queue.act_margin_s


def act_time(queue: QueueConfig, joined_at: float) -> float:
    """The hard timer: the latest instant the guard may act for a caller who joined then."""
    return joined_at + queue.limit_s - queue.act_margin_s


def is_breach(queue: QueueConfig, waited_s: float, offered_way_out: bool) -> bool:
    return waited_s >= queue.limit_s and not offered_way_out
