"""Commands: what the engine decides; the adapter (or the simulator) carries them out.

Like messages and events, these are slotted but not frozen: several are built per simulated call
in the simulator and a frozen dataclass costs about three times as much to build. Treat
them as values all the same: nothing changes one after it is made, and none is hashed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class RouteToQueue:
    """Put the caller in ``queue`` with ``priority`` (live: the AGI answer / QUEUE_PRIO)."""

    call_id: str
    queue: str
    priority: int


@dataclass(slots=True)
class RouteToIvr:
    """Send the caller to the self-service menu ``menu``."""

    call_id: str
    menu: str


@dataclass(slots=True)
class PlayAnnouncement:
    """Play ``prompt`` to the caller before anything else."""

    call_id: str
    prompt: str


@dataclass(slots=True)
class OfferCallback:
    """Offer a callback; the caller keeps their place in the queue while deciding."""

    call_id: str
    number: str


@dataclass(slots=True)
class SetCallerPriority:
    """Change a waiting caller's priority (keeping their place among equals)."""

    call_id: str
    priority: int


@dataclass(slots=True)
class OverflowCall:
    """Transfer the caller to partner ``partner`` with the context; ``hops`` after it."""

    call_id: str
    partner: str
    hops: int
    topic: str


@dataclass(slots=True)
class ReleaseCaller:
    """Take the caller out of the queue and end the call after a prompt (callback booked)."""

    call_id: str
    prompt: str


@dataclass(slots=True)
class ReserveOperator:
    """Keep the operator from being given queue calls (live: QueuePause with a reason)."""

    operator_id: str
    callback_id: str


@dataclass(slots=True)
class ReleaseOperator:
    """End a reservation: the operator takes queue calls again (QueuePause off)."""

    operator_id: str


@dataclass(slots=True)
class OriginateCallback:
    """Dial the callback ``number`` for the reserved ``operator_id``."""

    callback_id: str
    number: str
    operator_id: str
    attempt: int


@dataclass(slots=True)
class DialCitizen:
    """Dial the callback ``number`` first; once the citizen answers they join ``queue`` at
    ``priority`` (above every caller) and take the next free operator (citizen-first)."""

    callback_id: str
    number: str
    queue: str
    priority: int
    attempt: int


Command = (
    RouteToQueue
    | RouteToIvr
    | PlayAnnouncement
    | OfferCallback
    | SetCallerPriority
    | OverflowCall
    | ReleaseCaller
    | ReserveOperator
    | ReleaseOperator
    | OriginateCallback
    | DialCitizen
)
