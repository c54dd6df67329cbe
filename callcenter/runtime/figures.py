"""Per-queue service figures for the dashboard: today (local day) and the last 15 minutes.

Service level counts calls answered within the queue's limit over calls offered (answered +
abandoned + overflowed + callback requested) — the way the 40-second promise is judged: a caller
given a way out in time still counts as offered, never as served within the limit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

WINDOW_S = 15 * 60


@dataclass
class _Counts:
    offered: int = 0
    answered: int = 0
    within: int = 0
    abandoned: int = 0
    answered_wait_s: float = 0.0


@dataclass
class QueueFigures:
    today: _Counts = field(default_factory=_Counts)
    recent: deque[tuple[float, bool]] = field(default_factory=deque)  # (at, within limit)

    def sl_today_pct(self) -> float | None:
        return _pct(self.today.within, self.today.offered)

    def sl_window_pct(self, now: float) -> float | None:
        while self.recent and self.recent[0][0] < now - WINDOW_S:
            self.recent.popleft()
        return _pct(sum(1 for _, ok in self.recent if ok), len(self.recent))

    def asa_s(self) -> float | None:
        if not self.today.answered:
            return None
        return round(self.today.answered_wait_s / self.today.answered, 1)


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


class Figures:
    def __init__(self, *, local_day: Callable[[float], date]) -> None:
        self._local_day = local_day
        self._day: date | None = None
        self.queues: dict[str, QueueFigures] = {}

    def queue(self, name: str) -> QueueFigures:
        return self.queues.setdefault(name, QueueFigures())

    def record(self, queue: str, outcome: str, wait_s: float, limit_s: float, at: float) -> None:
        """One call that waited in `queue` reached its outcome (ivr-only calls are not offered)."""
        self._roll(at)
        figures = self.queue(queue)
        within = outcome == "answered" and wait_s <= limit_s
        figures.today.offered += 1
        figures.today.within += within
        if outcome == "answered":
            figures.today.answered += 1
            figures.today.answered_wait_s += wait_s
        elif outcome == "abandoned":
            figures.today.abandoned += 1
        figures.recent.append((at, within))

    def _roll(self, at: float) -> None:
        day = self._local_day(at)
        if day != self._day:
            self._day = day
            for figures in self.queues.values():
                figures.today = _Counts()
