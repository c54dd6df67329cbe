"""Bounded exponential backoff for reconnecting to Asterisk.

The delay doubles per failed attempt up to `maximum`; optional jitter spreads several engine
nodes apart. The random source is passed in, so tests get exact delays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.0  # fraction of the delay, e.g. 0.1 spreads it over +-10 %

    def __post_init__(self) -> None:
        if self.initial < 0 or self.factor < 1 or self.maximum < self.initial:
            raise ValueError(f"inconsistent backoff {self}")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay(self, attempt: int, rand: Callable[[], float]) -> float:
        """Seconds to wait before attempt number `attempt` (0 after a session that worked)."""
        base = min(self.maximum, self.initial * self.factor ** min(attempt, 64))
        if not self.jitter:
            return base
        return base * (1 + self.jitter * (2 * rand() - 1))
