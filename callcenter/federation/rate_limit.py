"""Sending-side limits per partner: calls per minute (sliding window) and allowed hours.

Pure and time-injected: `now` is epoch seconds, the hours are read in the configured zone.
`refusal(partner, now)` answers before a handoff is offered; `record(partner, now)` counts one
that was sent. Partners without limits are always allowed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime, tzinfo

from callcenter.federation.config import PartnerLimits

WINDOW_S = 60.0


def hour_allowed(hours: tuple[tuple[int, int], ...], hour: int) -> bool:
    """`hours` are [start, end) pairs; a pair with start > end wraps past midnight."""
    for start, end in hours:
        inside = start <= hour < end if start < end else (hour >= start or hour < end)
        if inside:
            return True
    return False


class SlidingWindow:
    """At most `limit` events in any `window_s` seconds."""

    def __init__(self, limit: int, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.window_s:
            self._times.popleft()

    def allows(self, now: float) -> bool:
        self._trim(now)
        return len(self._times) < self.limit

    def record(self, now: float) -> None:
        self._trim(now)
        self._times.append(now)

    def count(self, now: float) -> int:
        self._trim(now)
        return len(self._times)


class PartnerRateLimiter:
    """Limits of every partner we send to."""

    def __init__(self, limits: Mapping[str, PartnerLimits], tz: tzinfo) -> None:
        self._limits = dict(limits)
        self._tz = tz
        self._windows = {
            pid: SlidingWindow(lim.calls_per_minute)
            for pid, lim in limits.items()
            if lim.calls_per_minute is not None
        }

    def refusal(self, partner_id: str, now: float) -> str | None:
        """None if a call may be sent now, else the reason (`outside_hours`, `rate_limited`)."""
        limits = self._limits.get(partner_id)
        if limits is None:
            return None
        hour = datetime.fromtimestamp(now, self._tz).hour
        if not hour_allowed(limits.hours, hour):
            return "outside_hours"
        window = self._windows.get(partner_id)
        if window is not None and not window.allows(now):
            return "rate_limited"
        return None

    def record(self, partner_id: str, now: float) -> None:
        window = self._windows.get(partner_id)
        if window is not None:
            window.record(now)
