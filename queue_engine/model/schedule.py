"""The schedule: which mode the center is in at a given instant.

Automatic (night) mode covers ``night_start``–``night_end`` local time and whole holidays; a
supervisor's emergency override wins over both.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from queue_engine.config import ScheduleConfig


class Mode(StrEnum):
    DAY = "day"
    AUTOMATIC = "automatic"
    EMERGENCY = "emergency"


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(config: ScheduleConfig, now: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(now, _zone(config.tz))


def _in_night(config: ScheduleConfig, t: dt.time) -> bool:
    start, end = config.night_start, config.night_end
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # window crossing midnight, e.g. 22:00–06:00


def mode_at(config: ScheduleConfig, now: float, emergency: bool = False) -> Mode:
    if emergency:
        return Mode.EMERGENCY
    local = local_time(config, now)
    if local.date() in config.holidays or _in_night(config, local.time()):
        return Mode.AUTOMATIC
    return Mode.DAY


def mode_span(config: ScheduleConfig, now: float) -> tuple[Mode, float, float]:
    """The scheduled mode at ``now`` and the span [start, end) of epochs it is certain to hold.

    The span never crosses a local midnight or a night boundary, so callers may cache it.
    """
    zone = _zone(config.tz)
    local = dt.datetime.fromtimestamp(now, zone)
    day = local.date()
    cuts = sorted({dt.time(0, 0), config.night_start, config.night_end})
    points = [dt.datetime.combine(day, t, tzinfo=zone).timestamp() for t in cuts]
    points.append(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), zone).timestamp())
    start = max(p for p in points if p <= now) if any(p <= now for p in points) else now
    end = min(p for p in points if p > now)
    return mode_at(config, now), start, end


def next_day_start(config: ScheduleConfig, now: float) -> float:
    """Epoch of the next moment automatic mode ends (``now`` itself if it is already day)."""
    local = local_time(config, now)
    for days in range(0, 370):
        date = local.date() + dt.timedelta(days=days)
        if date in config.holidays:
            continue
        candidate = dt.datetime.combine(date, config.night_end, tzinfo=_zone(config.tz))
        if days == 0 and not _in_night(config, local.time()):
            return now
        if candidate.timestamp() >= now:
            return candidate.timestamp()
    return now


def midnight(config: ScheduleConfig, date: dt.date) -> float:
    """Epoch of local midnight starting ``date`` (the simulator's day origin)."""
    return dt.datetime.combine(date, dt.time(0, 0), tzinfo=_zone(config.tz)).timestamp()
