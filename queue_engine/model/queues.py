"""A queue's waiting line: callers ordered by priority, then by arrival (as app_queue does)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from queue_engine.config import QueueConfig
from queue_engine.model.calls import Call


def _order(call: Call) -> tuple[int, int]:
    return (-call.priority, call.seq)


@dataclass
class QueueState:
    config: QueueConfig
    waiting: list[Call] = field(default_factory=list)

    def join(self, call: Call) -> int:
        """Insert behind every caller of equal or higher priority; return the 1-based position."""
        index = bisect.bisect_right(self.waiting, _order(call), key=_order)
        self.waiting.insert(index, call)
        return index + 1

    def leave(self, call: Call) -> None:
        index = bisect.bisect_left(self.waiting, _order(call), key=_order)
        if index < len(self.waiting) and self.waiting[index] is call:
            del self.waiting[index]
        elif call in self.waiting:
            self.waiting.remove(call)

    def reprioritise(self, call: Call, priority: int) -> None:
        self.leave(call)
        call.priority = priority
        self.join(call)

    def position(self, call: Call) -> int:
        return self.waiting.index(call) + 1
