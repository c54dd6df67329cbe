"""A model of Asterisk app_queue's distribution, for the simulator and the Asterisk baselines.

Waiting callers are ordered by priority, then by arrival; a free member is given the caller at
the head; among free members the one idle longest is chosen (strategy ``leastrecent``). Members
paused (reserved for a callback, on a break) are skipped. Live, Asterisk does this itself and the
engine only observes.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(slots=True)
class Waiting:
    call_id: str
    priority: int
    seq: int
    joined_at: float

    def key(self) -> tuple[int, int]:
        return (-self.priority, self.seq)


def _key(w: Waiting) -> tuple[int, int]:
    return (-w.priority, w.seq)


@dataclass
class AppQueue:
    waiting: list[Waiting] = field(default_factory=list)
    by_call: dict[str, Waiting] = field(default_factory=dict)
    # Insertion order is idle order: the first key is the member idle longest.
    idle: dict[str, None] = field(default_factory=dict)
    _seq: int = 0

    def join(self, call_id: str, priority: int, now: float) -> int:
        """Add a caller; return the 1-based position."""
        self._seq += 1
        entry = Waiting(call_id, priority, self._seq, now)
        index = bisect.bisect_right(self.waiting, entry.key(), key=_key)
        self.waiting.insert(index, entry)
        self.by_call[call_id] = entry
        return index + 1

    def leave(self, call_id: str) -> Waiting | None:
        entry = self.by_call.pop(call_id, None)
        if entry is not None:
            index = bisect.bisect_left(self.waiting, entry.key(), key=_key)
            del self.waiting[index]
        return entry

    def set_priority(self, call_id: str, priority: int) -> None:
        entry = self.by_call.get(call_id)
        if entry is None:
            return
        self.leave(call_id)
        entry.priority = priority
        index = bisect.bisect_right(self.waiting, entry.key(), key=_key)
        self.waiting.insert(index, entry)
        self.by_call[call_id] = entry

    def member_free(self, member: str) -> None:
        self.idle[member] = None

    def member_busy(self, member: str) -> None:
        self.idle.pop(member, None)

    def next_pair(self) -> tuple[Waiting, str] | None:
        """The caller at the head and the longest-idle member, removed from both lines."""
        if not self.waiting or not self.idle:
            return None
        entry = self.waiting.pop(0)
        del self.by_call[entry.call_id]
        member = next(iter(self.idle))
        del self.idle[member]
        return entry, member
