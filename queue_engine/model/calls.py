"""A call, from arrival to its single terminal outcome."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CallOutcome(StrEnum):
    """The one terminal outcome of an inbound call."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    OVERFLOWED = "overflowed"
    CALLBACK_REQUESTED = "callback_requested"
    IVR_SERVED = "ivr_served"
    FAILED = "failed"


class CallStage(StrEnum):
    ARRIVED = "arrived"
    IVR = "ivr"
    QUEUED = "queued"
    TALKING = "talking"
    DONE = "done"


@dataclass(slots=True)
class Call:
    """Mutable engine-side record of one inbound call (the engine is its only writer)."""

    call_id: str
    caller: str
    topic: str
    arrived_at: float
    hops: int = 0
    # The center where the caller dialled, for a call a partner sent us: never sent back there.
    origin: str = ""
    stage: CallStage = CallStage.ARRIVED
    queue: str = ""
    priority: int = 0
    seq: int = 0
    joined_at: float = 0.0
    answered_at: float | None = None
    operator_id: str = ""
    # Set once the guard has offered a way out (callback offer or overflow attempt).
    way_out_at: float | None = None
    offer_pending: bool = False
    # The partner a handoff was offered to, until it accepts or refuses.
    handoff_to: str = ""
    breached: bool = False
    outcome: CallOutcome | None = None

    def waited(self, now: float) -> float:
        return now - self.joined_at if self.stage is CallStage.QUEUED else 0.0
