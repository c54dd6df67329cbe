"""Feeds the pure engine with messages and timer ticks and hands its outputs on.

The engine is synchronous and never reads the clock; this is the one place that passes it the
time. Outputs go to the sinks in the order the engine produced them. When an AGI route feeds a
message for the call it is serving, it `claims` that call: commands about that call are answered
inside the AGI session (variables for the dialplan) instead of through AMI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from callcenter.clock import Clock
from queue_engine.engine import Engine, Output
from queue_engine.messages import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Batch:
    """What one engine step produced, with the message (None for a timer tick) and its time."""

    outputs: tuple[Output, ...]
    at: float
    message: Message | None = None
    claimed: str | None = None


Sink = Callable[[Batch], None]


class EngineRunner:
    def __init__(self, *, engine: Engine, clock: Clock, max_tick_s: float = 1.0) -> None:
        self.engine = engine
        self.clock = clock
        self._sinks: list[Sink] = []
        self._max_tick_s = max_tick_s

    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def feed(self, message: Message, *, claimed: str | None = None) -> list[Output]:
        now = self.clock.now()
        outputs = self.engine.handle(message, now)
        self._emit(Batch(tuple(outputs), now, message, claimed))
        return outputs

    def tick(self) -> list[Output]:
        now = self.clock.now()
        outputs = self.engine.tick(now)
        if outputs:
            self._emit(Batch(tuple(outputs), now))
        return outputs

    async def run_timers(self) -> None:
        """Tick whenever the engine has something due, and at least every `max_tick_s`."""
        while True:
            self.tick()
            now = self.clock.now()
            wakeup = self.engine.next_wakeup(now)
            delay = self._max_tick_s if wakeup is None else min(wakeup - now, self._max_tick_s)
            await self.clock.sleep(max(delay, 0.01))

    def _emit(self, batch: Batch) -> None:
        for sink in self._sinks:
            try:
                sink(batch)
            except Exception:  # one broken sink must not stop the others or the engine
                log.exception("output sink %r failed", sink)
