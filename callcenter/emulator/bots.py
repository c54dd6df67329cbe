"""Operator bots: the softphones behind queue member interfaces (`PJSIP/101`...).

A bot answers after a ring delay (`answer_delay_s` plus up to `answer_jitter_s`), or lets the
phone ring when it does not answer (`answers=False`, or with probability 1 - `answer_p` per
ring); it talks for a handle time drawn from a seeded generator (uniform over `handle_s`, or
exponential around `handle_mean_s`) and hangs up. After a queue call it stays busy for its own
after-call work (`wrapup_s`, on top of the queue's wrapuptime). Every `break_every` calls it takes
a break of `break_s` seconds: the emulator pauses it in its queues with `break_reason` and
unpauses it after, as the operator's workplace does through AMI QueuePause. With `hold_s` it
puts each queue caller on hold halfway through the call for that long (within the handle time).
Its softphone can also unregister (`call_control.register`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
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
    answer_jitter_s: float = 0.0
    answer_p: float = 1.0
    handle_mean_s: float | None = None
    wrapup_s: float = 0.0
    busy_until: float = 0.0  # after-call work ends (epoch seconds)
    break_every: int = 0  # calls between breaks, 0 = never
    break_s: float = 0.0
    break_reason: str = "перерыв"
    on_break: Callable[[OperatorBot], None] | None = None  # the emulator pauses the bot
    calls: int = 0  # queue calls handled
    hold_s: float = 0.0  # mid-call, puts the citizen on hold this long (a queue call)

    def answer_delay(self) -> float | None:
        """Seconds until the bot picks up, or None when it lets the phone ring."""
        if not self.answers or (self.answer_p < 1.0 and self.rng.random() >= self.answer_p):
            return None
        jitter = self.rng.uniform(0.0, self.answer_jitter_s) if self.answer_jitter_s else 0.0
        return self.answer_delay_s + jitter

    def handle_time(self) -> float:
        if self.handle_mean_s is not None:
            return self.rng.expovariate(1 / self.handle_mean_s) if self.handle_mean_s else 0.0
        low, high = self.handle_s
        return self.rng.uniform(low, high)

    def call_ended(self, now: float) -> None:
        self.busy_until = now + self.wrapup_s
        self.calls += 1
        due = self.break_every > 0 and self.calls % self.break_every == 0
        if due and self.on_break is not None:
            self.on_break(self)

    def free(self, now: float) -> bool:
        return not self.busy and now >= self.busy_until
