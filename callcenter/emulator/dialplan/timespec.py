"""GotoIfTime's `times,weekdays,mdays,months` test, on local time from the injected clock."""

from __future__ import annotations

from datetime import datetime

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def matches(spec: list[str], when: datetime) -> bool:
    """`spec` = [times, weekdays, mdays, months]; missing or `*` fields match anything."""
    times, days, mdays, months = [*[s.strip() for s in spec], "*", "*", "*", "*"][:4]
    minute = when.hour * 60 + when.minute
    return (
        _in_times(times, minute)
        and _in_range(days, when.weekday(), _DAYS, cyclic=7)
        and _in_range(mdays, when.day, None, cyclic=0)
        and _in_range(months, when.month - 1, _MONTHS, cyclic=12)
    )


def _in_times(spec: str, minute: int) -> bool:
    if spec in ("", "*"):
        return True
    start_text, _, end_text = spec.partition("-")
    start = _minutes(start_text)
    end = _minutes(end_text) if end_text else start
    if start <= end:
        return start <= minute <= end
    return minute >= start or minute <= end  # over midnight, e.g. 22:00-06:00


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    try:
        return int(hours) * 60 + int(minutes or 0)
    except ValueError:
        raise ValueError(f"bad time {text!r} in GotoIfTime") from None


def _in_range(spec: str, value: int, names: tuple[str, ...] | None, *, cyclic: int) -> bool:
    if spec in ("", "*"):
        return True
    for part in spec.split("&"):
        first, _, last = part.partition("-")
        lo = _value(first, names)
        hi = _value(last, names) if last else lo
        if lo <= hi and lo <= value <= hi:
            return True
        if lo > hi and cyclic and (value >= lo or value <= hi):
            return True
    return False


def _value(text: str, names: tuple[str, ...] | None) -> int:
    text = text.strip().lower()
    if names is not None and text[:3] in names:
        return names.index(text[:3])
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"bad value {text!r} in GotoIfTime") from None
