"""Poisson arrivals of scripted citizens, driven by the injected clock and a seeded generator."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

from callcenter.clock import Clock
from callcenter.emulator.callers import CallerScript

_NAMES = ("Иванов Пётр", "Смирнова Анна", "Кузнецов Илья", "Попова Мария", "Гражданин")


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
        rate_per_hour: float,
        duration_s: float,
        patience_mean_s: float = 120.0,
        talk_s: float | None = None,
    ) -> None:
        self._task = asyncio.create_task(
            self._run(rate_per_hour, duration_s, patience_mean_s, talk_s)
        )

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
        number = f"+7999{self.rng.randrange(10**7):07d}"
        patience = self.rng.expovariate(1 / patience_mean_s) if patience_mean_s > 0 else None
        return CallerScript(
            number=number,
            name=self.rng.choice(_NAMES),
            patience_s=patience,
            talk_s=talk_s,
            digits={"day_topics": self.rng.choice("123450")},
            accept_callback=self.rng.random() < self.accept_share,
        )

    async def _run(self, rate: float, duration: float, patience: float, talk: float | None) -> None:
        end = self.clock.now() + duration
        while rate > 0:
            await self.clock.sleep(self.rng.expovariate(rate / 3600))
            if self.clock.now() >= end:
                return
            self.place(self.script(patience, talk))
            self.placed += 1
