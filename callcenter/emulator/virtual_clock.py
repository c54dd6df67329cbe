"""Virtual time for runs that must repeat exactly: time stands still while any task can run,
and jumps to the earliest pending sleep once the event loop has nothing else to do.

A run of the emulator with this clock and a seed gives the same events, the same queue_log
(times included) and the same ground truth every time, as fast as the machine goes. It suits
runs without outside I/O (no AMI client or engine driving the calls): a reply that arrives
over a socket takes no virtual time, so with I/O the order would depend on the machine.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools


class VirtualClock:
    def __init__(self, *, start: float) -> None:
        self._now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # equal wake-up times: first asked, first woken
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        wake: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._timers, (self._now + max(0.0, seconds), next(self._order), wake))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive(), name="virtual-clock")
        await wake

    async def _drive(self) -> None:
        """Wake sleepers one at a time, in time order, whenever nothing else is runnable."""
        loop = asyncio.get_running_loop()
        while self._timers:
            await asyncio.sleep(0)
            if _runnable(loop):
                continue
            when, _, wake = heapq.heappop(self._timers)
            if wake.done():  # the sleeper was cancelled
                continue
            self._now = max(self._now, when)
            wake.set_result(None)


def _runnable(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether callbacks other than ours wait to run at this instant (CPython's ready queue;
    a loop without one is treated as idle, i.e. time advances after every step)."""
    return bool(getattr(loop, "_ready", ()))
