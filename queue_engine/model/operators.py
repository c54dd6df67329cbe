"""Operators, their states, and a board that keeps per-queue counts current."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OperatorState(StrEnum):
    AVAILABLE = "available"
    RINGING = "ringing"
    TALKING = "talking"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    OFFLINE = "offline"


# States in which an operator counts as working the queue (serving or ready to).
WORKING = frozenset(
    {OperatorState.AVAILABLE, OperatorState.RINGING, OperatorState.TALKING, OperatorState.WRAP_UP}
)

_FREE = frozenset({OperatorState.AVAILABLE, OperatorState.RINGING})


@dataclass(slots=True)
class Operator:
    operator_id: str
    queues: frozenset[str]
    state: OperatorState = OperatorState.OFFLINE
    since: float = 0.0
    pause_reason: str = ""
    # The callback this operator is reserved for, if any (the engine paused them for it).
    reserved_for: str = ""
    busy_since: float | None = None


@dataclass
class OperatorBoard:
    """All operators plus counts per queue, updated on each change instead of recounted."""

    operators: dict[str, Operator] = field(default_factory=dict)
    working: dict[str, int] = field(default_factory=dict)
    free: dict[str, int] = field(default_factory=dict)

    def get(self, operator_id: str) -> Operator | None:
        return self.operators.get(operator_id)

    def set_state(
        self, op: Operator, state: OperatorState, now: float, reason: str = ""
    ) -> OperatorState:
        """Move ``op`` to ``state``; return the previous state."""
        old = op.state
        # Most changes (talking -> wrap-up) move no counter; skip the recount then.
        unchanged = (old in WORKING) == (state in WORKING) and (old in _FREE) == (state in _FREE)
        if unchanged:
            op.state, op.since, op.pause_reason = state, now, reason
            return old
        self._count(op, -1)
        op.state, op.since, op.pause_reason = state, now, reason
        self._count(op, +1)
        return old

    def add(self, op: Operator) -> None:
        self.operators[op.operator_id] = op
        self._count(op, +1)

    def set_queues(self, op: Operator, queues: frozenset[str]) -> None:
        self._count(op, -1)
        op.queues = queues
        self._count(op, +1)

    def _count(self, op: Operator, sign: int) -> None:
        # A ringing operator is about to take the caller at the head of the line: for the wait
        # of the callers behind, they count as free (live, Asterisk rings before it connects).
        is_free = op.state in _FREE and not op.reserved_for
        # A reserved operator still counts as working: the callback ends and they come back.
        is_working = op.state in WORKING
        for q in op.queues:
            if is_working:
                self.working[q] = self.working.get(q, 0) + sign
            if is_free:
                self.free[q] = self.free.get(q, 0) + sign

    def reserve(self, op: Operator, callback_id: str) -> None:
        self._count(op, -1)
        op.reserved_for = callback_id
        self._count(op, +1)

    def release(self, op: Operator) -> None:
        self._count(op, -1)
        op.reserved_for = ""
        self._count(op, +1)

    def first_free(self, queues: frozenset[str] | None = None) -> Operator | None:
        """The longest-idle available, unreserved operator (optionally serving ``queues``)."""
        best: Operator | None = None
        for op in self.operators.values():
            if op.state is not OperatorState.AVAILABLE or op.reserved_for:
                continue
            if queues is not None and not (op.queues & queues):
                continue
            if best is None or op.since < best.since:
                best = op
        return best
