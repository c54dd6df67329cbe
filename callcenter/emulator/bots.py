"""Operator bots: the softphones behind queue member interfaces (`PJSIP/101`...).

A bot answers after a ring delay (or never), then talks for a handle time drawn from a seeded
generator and hangs up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class OperatorBot:
    interface: str
    name: str
    answer_delay_s: float = 2.0
    handle_s: tuple[float, float] = (60.0, 180.0)
    answers: bool = True
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    busy: bool = False  # on a non-queue call (e.g. a callback)

    def answer_delay(self) -> float | None:
        """Seconds until the bot picks up, or None when it lets the phone ring."""
        return self.answer_delay_s if self.answers else None

    def handle_time(self) -> float:
        low, high = self.handle_s
        return self.rng.uniform(low, high)
