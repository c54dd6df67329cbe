"""The application's clocks: the only place that reads the wall clock.

`queue_engine` never reads time itself; the runtime passes `clock.now()` into it. Tests and the
demo use `ScaledClock`, virtual time that runs `speed` times faster than real time, so that a
morning peak fits in minutes and a ten-minute callback deadline in seconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (virtual for scaled clocks)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for `seconds` of this clock's time."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Virtual time starting at `start` (epoch seconds) and running `speed` times real time."""

    def __init__(self, *, start: float, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._start = start
        self._real_start = time.monotonic()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._real_start) * self.speed

    def set_speed(self, speed: float) -> None:
        """Run faster or slower from now on (a quiet night fast-forwarded); time stays continuous.

        A sleep already started keeps its wall duration, so anything that must notice the new
        speed at once should sleep in short steps (the engine ticks at least every few seconds).
        """
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start, self._real_start, self.speed = self.now(), time.monotonic(), speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)
