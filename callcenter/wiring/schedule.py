"""The operators scheduled per half hour, for the staffing report: a CSV of shifts
`from,to,operators` (HH:MM local time; overlapping shifts add up), the same format
`callcenter simulate --operators` reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from pathlib import Path

from queue_engine.simulation.trace import Shift, operators_at, parse_shifts

HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]


def load_shifts(path: Path) -> list[Shift]:
    """Raises `InvalidConfig` naming the bad row."""
    with path.open(encoding="utf-8") as rows:
        return parse_shifts(rows)


def schedule_source(shifts: list[Shift]) -> Callable[[date], Awaitable[Mapping[str, int]]]:
    """Operators on duty in each half hour (at its start), the same every day."""
    plan = {slot: operators_at(shifts, _seconds(slot)) for slot in HALF_HOURS}

    async def scheduled(_day: date) -> Mapping[str, int]:
        return plan

    return scheduled


def _seconds(slot: str) -> float:
    hours, minutes = slot.split(":")
    return int(hours) * 3600 + int(minutes) * 60
