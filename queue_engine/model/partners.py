"""Partner centers as last heard from: predicted wait, free operators, accepting, hop limit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    predicted_wait_s: float
    free_operators: int
    accepting: bool
    last_heard: float
    max_hops: int = 1

    def usable(self, now: float, hops: int, stale_after_s: float) -> bool:
        fresh = now - self.last_heard <= stale_after_s
        return self.accepting and fresh and hops < self.max_hops
