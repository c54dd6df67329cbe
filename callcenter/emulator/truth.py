"""Ground truth: what really happened to each call, for tests and benchmarks to compare with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class CallTruth:
    uniqueid: str
    caller: str
    arrived_at: float
    joined_at: float | None = None
    left_queue_at: float | None = None  # first time out of the queue: answered, redirected, gone
    answered_at: float | None = None
    answered_by: str | None = None
    ended_at: float | None = None
    abandoned: bool = False
    outcome: str = "in-progress"
    # "outbound" for a call the engine originated (callback, notification): `caller` is then
    # the citizen called, `answered_by` who picked up first (the operator's phone, or the
    # citizen's number), `outcome` how the citizen's leg ended (answered, noanswer, busy...).
    direction: str = "inbound"
    # The operator who took the call from a queue, and when: for an inbound call the same as
    # `answered_by`/`answered_at`; for a citizen-first callback, after the citizen answered.
    operator: str | None = None
    connected_at: float | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Reached:
    """A citizen answered a call the center made to them (a callback, a notification) at `at`."""

    number: str
    at: float


class TruthBook:
    def __init__(self) -> None:
        self._calls: dict[str, CallTruth] = {}
        self.reached: list[Reached] = []

    def citizen_answered(self, number: str, now: float) -> None:
        self.reached.append(Reached(number, now))

    def arrived(self, uniqueid: str, caller: str, now: float, direction: str = "inbound") -> None:
        self._calls[uniqueid] = CallTruth(
            uniqueid=uniqueid, caller=caller, arrived_at=now, direction=direction
        )

    def update(self, uniqueid: str, **changes: Any) -> None:
        call = self._calls.get(uniqueid)
        if call is not None:
            self._calls[uniqueid] = replace(call, **changes)

    def get(self, uniqueid: str) -> CallTruth | None:
        return self._calls.get(uniqueid)

    def joined(self, uniqueid: str, now: float) -> None:
        call = self._calls.get(uniqueid)
        if call is not None and call.joined_at is None:
            self.update(uniqueid, joined_at=now)

    def connected(self, uniqueid: str, operator: str, now: float) -> None:
        """An operator took the call from a queue. An outbound call was answered already (by
        the citizen, who then waited for an operator): that answer stays on record."""
        call = self._calls.get(uniqueid)
        if call is None:
            return
        changes: dict[str, Any] = {"operator": operator, "connected_at": now, "outcome": "answered"}
        if call.direction != "outbound":
            changes.update(answered_at=now, answered_by=operator)
        self.update(uniqueid, **changes)

    def left_queue(self, uniqueid: str, now: float) -> None:
        call = self._calls.get(uniqueid)
        if call is not None and call.left_queue_at is None:
            self.update(uniqueid, left_queue_at=now)

    def ended(self, uniqueid: str, now: float, outcome: str | None = None) -> None:
        call = self._calls.get(uniqueid)
        if call is None or call.ended_at is not None:
            return
        final = outcome or ("answered" if call.answered_at is not None else "hangup")
        if call.outcome not in ("in-progress", "queued"):
            final = outcome or call.outcome
        self.update(uniqueid, ended_at=now, outcome=final)

    def all(self) -> list[CallTruth]:
        return list(self._calls.values())
