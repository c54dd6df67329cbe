"""Citizens arriving: Poisson arrivals (flat or by a time-of-day profile) or a replayed trace,
driven by the injected clock and a seeded generator, so a seed gives the same calls every run.

A profile is 24 rates, calls per hour for each hour of the local day; arrivals follow it as a
non-homogeneous Poisson process (thinning: draw at the peak rate, keep each arrival with
probability rate(t) / peak).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from callcenter.clock import Clock
from callcenter.emulator.callers import TOPIC_MENU, CallerScript, TraceCall

_NAMES = ("Иванов Пётр", "Смирнова Анна", "Кузнецов Илья", "Попова Мария", "Гражданин")


def arrival_offsets(
    rng: random.Random,
    *,
    profile: Sequence[float],
    start: float,
    duration_s: float,
    tz: tzinfo = UTC,
) -> list[float]:
    """Seconds after `start` (epoch) at which calls arrive, for a flat rate (one value) or a
    24-hour profile of calls per hour."""
    if len(profile) not in (1, 24) or any(r < 0 for r in profile):
        raise ValueError("profile: one rate or 24 hourly rates, calls per hour, not negative")
    peak = max(profile)
    offsets: list[float] = []
    t = 0.0
    while peak > 0:
        t += rng.expovariate(peak / 3600)
        if t >= duration_s:
            return offsets
        hour = datetime.fromtimestamp(start + t, tz).hour
        rate = profile[0] if len(profile) == 1 else profile[hour]
        if rng.random() * peak < rate:
            offsets.append(t)
    return offsets


class LoadGenerator:
    def __init__(
        self,
        *,
        clock: Clock,
        rng: random.Random,
        place: Callable[[CallerScript], str],
        accept_share: float = 0.5,
    ) -> None:
        self.clock, self.rng, self.place = clock, rng, place
        self.accept_share = accept_share
        self.placed = 0
        self._task: asyncio.Task[None] | None = None

    def start(
        self,
        *,
        rate_per_hour: float = 0.0,
        duration_s: float,
        patience_mean_s: float = 120.0,
        talk_s: float | None = None,
        profile: Sequence[float] | None = None,
        tz: tzinfo = UTC,
    ) -> None:
        """Poisson arrivals at `rate_per_hour`, or following `profile` when given."""
        offsets = arrival_offsets(
            self.rng,
            profile=profile or (rate_per_hour,),
            start=self.clock.now(),
            duration_s=duration_s,
            tz=tz,
        )
        scripts = [self.script(patience_mean_s, talk_s) for _ in offsets]
        self._task = asyncio.create_task(self._run(list(zip(offsets, scripts, strict=True))))

    def replay(self, calls: Sequence[TraceCall]) -> None:
        """Place the calls of a trace at their arrival times (numbers drawn from the seed)."""
        timed = [(c.arrival_s, c.script(self._number())) for c in calls]
        self._task = asyncio.create_task(self._run(timed))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait(self) -> None:
        if self._task is not None:
            await self._task

    def script(self, patience_mean_s: float, talk_s: float | None) -> CallerScript:
        """A citizen: picks a topic in the day menu, half of them take a callback when offered."""
        number = self._number()
        patience = self.rng.expovariate(1 / patience_mean_s) if patience_mean_s > 0 else None
        return CallerScript(
            number=number,
            name=self.rng.choice(_NAMES),
            patience_s=patience,
            talk_s=talk_s,
            digits={TOPIC_MENU: self.rng.choice("123450")},
            accept_callback=self.rng.random() < self.accept_share,
        )

    def _number(self) -> str:
        return f"+7999{self.rng.randrange(10**7):07d}"

    async def _run(self, timed: list[tuple[float, CallerScript]]) -> None:
        begin = self.clock.now()
        for offset, script in timed:
            await self.clock.sleep(begin + offset - self.clock.now())
            self.place(script)
            self.placed += 1
