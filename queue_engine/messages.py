"""Inbound messages: the facts the adapter (or the simulator) reports to the engine.

Live, `callcenter.pbx` translates AMI/AGI events into these; in the simulator the runner makes
them. Identifiers are plain strings: a call is the Asterisk Uniqueid, an operator is the queue
member interface (``PJSIP/101``) or an operator id.

Like commands and events, these are slotted but not frozen: several are built per simulated call
in the simulator and a frozen dataclass costs about three times as much to build. Treat
them as values all the same: nothing changes one after it is made, and none is hashed.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.operators import OperatorState


@dataclass(slots=True)
class CallArrived:
    """A new inbound call reached the entry point."""

    call_id: str
    caller: str
    topic: str = ""
    # Set for a call overflowed to us by a partner: how many centers it has crossed, and whence.
    hops: int = 0
    origin: str = ""
    # When the call reached the entry point, if that was before this message (the day menu
    # plays first and the engine is told once the caller has chosen a topic); None: now.
    arrived_at: float | None = None


@dataclass(slots=True)
class CallJoinedQueue:
    """The call is now waiting in ``queue`` (live: QueueCallerJoin)."""

    call_id: str
    queue: str
    priority: int = 0


@dataclass(slots=True)
class CallAnswered:
    """An operator answered the call (live: AgentConnect)."""

    call_id: str
    operator_id: str


@dataclass(slots=True)
class CallAbandoned:
    """The caller hung up before reaching an operator."""

    call_id: str


@dataclass(slots=True)
class CallEnded:
    """An answered call finished (either side hung up)."""

    call_id: str


@dataclass(slots=True)
class IvrCompleted:
    """The caller finished self-service and hung up."""

    call_id: str


@dataclass(slots=True)
class CallFailed:
    """A technical failure ended the call."""

    call_id: str
    reason: str


@dataclass(slots=True)
class OperatorStateChanged:
    """An operator's state changed; ``queues`` when known (login)."""

    operator_id: str
    state: OperatorState
    queues: tuple[str, ...] = ()
    reason: str = ""


@dataclass(slots=True)
class CallbackOfferAccepted:
    """The caller accepted the callback and confirmed ``number``."""

    call_id: str
    number: str


@dataclass(slots=True)
class CallbackOfferDeclined:
    """The caller declined the callback and stays in the queue."""

    call_id: str


@dataclass(slots=True)
class CallbackAttemptFinished:
    """A callback dialling attempt ended with ``result``."""

    callback_id: str
    result: AttemptResult


@dataclass(slots=True)
class CallbackConnected:
    """Citizen-first: operator ``operator_id`` took the citizen who answered the callback."""

    callback_id: str
    operator_id: str


@dataclass(slots=True)
class CallbackRestored:
    """A stored callback request the engine learns again after a restart (or from another
    engine node). ``queue`` is the queue of the call that asked for it: a citizen-first callback
    joins it ("" or a queue not served: the first queue)."""

    callback_id: str
    call_id: str
    number: str
    topic: str
    requested_at: float
    deadline: float
    not_before: float
    attempts: int = 0
    queue: str = ""


@dataclass(slots=True)
class CallAdopted:
    """A call found in Asterisk's live picture that the engine does not know (it arrived, or
    the engine restarted, while the engine was away): taken over as it is now, waiting in
    ``queue`` since ``joined_at`` or talking with ``operator_id``."""

    call_id: str
    caller: str
    arrived_at: float
    queue: str = ""
    joined_at: float = 0.0
    priority: int = 0
    operator_id: str = ""
    answered_at: float | None = None
    # Already offered a way out before the engine lost sight of the call: not offered again.
    offered: bool = False


@dataclass(slots=True)
class CallbackLegFound:
    """A dialling attempt of a callback is still up in Asterisk (found on resync after a
    restart): the engine follows it instead of dialling the request again. ``answered_at`` is
    None while the citizen's phone still rings. A ``citizen_first`` leg is the citizen's own
    channel; its ``operator_id`` is empty until an operator has taken it from the queue."""

    callback_id: str
    operator_id: str
    attempt: int
    answered_at: float | None = None
    citizen_first: bool = False


@dataclass(slots=True)
class StaleReservationFound:
    """An operator is paused for a callback the engine does not hold them for: the attempt ended
    while the engine was away (found on resync). The pause is lifted."""

    operator_id: str


@dataclass(slots=True)
class PartnerCapacityUpdated:
    """A partner center published its live capacity."""

    partner: str
    predicted_wait_s: float
    free_operators: int
    accepting: bool
    max_hops: int = 1
    priority: int = 0
    topic_waits: tuple[tuple[str, float], ...] = ()


@dataclass(slots=True)
class OverflowAccepted:
    """The partner took the call we offered it: the caller leaves our queue for the trunk."""

    call_id: str


@dataclass(slots=True)
class OverflowRefused:
    """The partner refused the handoff or could not be reached: the caller needs another way."""

    call_id: str
    reason: str = ""


@dataclass(slots=True)
class EmergencySet:
    """A supervisor turned the emergency mode on or off."""

    active: bool
    by: str = ""


@dataclass(slots=True)
class QueueLimitChanged:
    """A supervisor changed a queue's wait limit."""

    queue: str
    limit_s: float
    by: str = ""


Message = (
    CallArrived
    | CallJoinedQueue
    | CallAnswered
    | CallAbandoned
    | CallEnded
    | IvrCompleted
    | CallFailed
    | OperatorStateChanged
    | CallbackOfferAccepted
    | CallbackOfferDeclined
    | CallbackAttemptFinished
    | CallbackConnected
    | CallbackRestored
    | CallAdopted
    | CallbackLegFound
    | StaleReservationFound
    | PartnerCapacityUpdated
    | OverflowAccepted
    | OverflowRefused
    | EmergencySet
    | QueueLimitChanged
)
