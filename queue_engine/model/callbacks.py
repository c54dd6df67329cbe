"""Callback requests: number, topic, deadline, attempts and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AttemptResult(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    # Citizen-first: the citizen answered, then hung up before an operator took them.
    HUNG_UP = "hung_up"


class CallbackOutcome(StrEnum):
    SERVED = "served"
    UNREACHED = "unreached"


@dataclass(slots=True)
class CallbackRequest:
    callback_id: str
    call_id: str
    number: str
    topic: str
    requested_at: float
    deadline: float
    # Not dialled before this time (06:00 for night requests, retry delay after a failed attempt).
    not_before: float
    attempts: int = 0
    dialling: bool = False
    operator_id: str = ""
    # The queue a citizen-first callback joins when the citizen answers (the call's queue).
    queue: str = ""
    # Dialled citizen-first (the citizen joins the queue when they answer; no operator held).
    citizen_first: bool = False
    # Citizen-first: when the citizen of the current attempt answered (then waits for an operator).
    answered_at: float | None = None
    outcome: CallbackOutcome | None = None
    served_at: float | None = None

    def sort_key(self) -> tuple[float, float, str]:
        return (self.deadline, self.requested_at, self.callback_id)
