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
    # Higher is preferred when predicted waits are about equal (the partners file's priority).
    priority: int = 0
    # The partner's predicted wait per topic, where it publishes one: (topic, seconds).
    topic_waits: tuple[tuple[str, float], ...] = ()

    def usable(self, now: float, hops: int, stale_after_s: float) -> bool:
        fresh = now - self.last_heard <= stale_after_s
        return self.accepting and fresh and hops < self.max_hops

    def wait_for(self, topic: str) -> float:
        """Predicted wait for a caller with ``topic``; the overall figure when it gives none."""
        for name, wait in self.topic_waits:
            if name == topic:
                return wait
        return self.predicted_wait_s
