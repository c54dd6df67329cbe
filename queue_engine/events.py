"""Events: facts the engine records (for statistics, dashboards and the audit trail).

Like messages and commands, these are slotted but not frozen: several are built per simulated call
in the simulator and a frozen dataclass costs about three times as much to build. Treat
them as values all the same: nothing changes one after it is made, and none is hashed.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_engine.model.calls import CallOutcome
from queue_engine.model.schedule import Mode


@dataclass(slots=True)
class CallQueued:
    """A caller joined a queue; the prediction made for them at that moment."""

    call_id: str
    queue: str
    priority: int
    predicted_wait_s: float


@dataclass(slots=True)
class GuardTriggered:
    """The guard acted for a waiting caller (before the limit)."""

    call_id: str
    waited_s: float
    predicted_wait_s: float
    action: str  # "overflow" or "callback_offer"


@dataclass(slots=True)
class OverflowFailed:
    """A partner refused a caller we offered it (or did not answer); the caller stays with us."""

    call_id: str
    partner: str
    reason: str


@dataclass(slots=True)
class SlaBreached:
    """A caller reached the limit neither connected nor offered a way out."""

    call_id: str
    queue: str
    waited_s: float
    reason: str


@dataclass(slots=True)
class CallCompleted:
    """The call reached its single terminal outcome (`queue`: where it waited, if it did)."""

    call_id: str
    outcome: CallOutcome
    wait_s: float
    queue: str = ""


@dataclass(slots=True)
class CallbackRequested:
    """A callback was booked, with the promised deadline."""

    callback_id: str
    call_id: str
    number: str
    deadline: float


@dataclass(slots=True)
class CallbackRejected:
    """A callback number was refused; ``code`` says why."""

    call_id: str
    code: str


@dataclass(slots=True)
class CallbackAttempted:
    """One dialling attempt finished with ``result`` (once per attempt). ``operator_id`` is who
    dialled it (operator-first) or, answered citizen-first, who took the citizen."""

    callback_id: str
    attempt: int
    result: str
    operator_id: str = ""


@dataclass(slots=True)
class CallbackCompleted:
    """A callback request is closed: served (on time or late) or unreached."""

    callback_id: str
    outcome: str
    on_time: bool
    late_reason: str = ""


@dataclass(slots=True)
class ModeChanged:
    """The mode changed by a supervisor's action."""

    mode: Mode
    by: str = ""


@dataclass(slots=True)
class QueueLimitUpdated:
    """A queue's wait limit was changed."""

    queue: str
    limit_s: float
    by: str = ""


Event = (
    CallQueued
    | GuardTriggered
    | OverflowFailed
    | SlaBreached
    | CallCompleted
    | CallbackRequested
    | CallbackRejected
    | CallbackAttempted
    | CallbackCompleted
    | ModeChanged
    | QueueLimitUpdated
)
