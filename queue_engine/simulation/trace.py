"""Reading simulator inputs from text rows (the CLI opens the files): calls, shifts, partners.

Calls are CSV ``arrival,service,patience[,topic]`` in seconds from the start of the day; an
empty patience means the caller waits forever. Shifts are ``from,to,operators`` (seconds or
HH:MM). Partners are ``name,slots[,max_hops]``. A header row is allowed in each.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from queue_engine.errors import InvalidConfig


@dataclass(frozen=True, slots=True)
class Arrival:
    arrival: float
    service: float
    patience: float | None
    topic: str = ""


@dataclass(frozen=True, slots=True)
class Shift:
    start: float
    end: float
    operators: int


@dataclass(frozen=True, slots=True)
class PartnerSpec:
    name: str
    slots: int
    max_hops: int = 1


def _rows(lines: Iterable[str], numeric_col: int = 0) -> Iterable[tuple[int, list[str]]]:
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        probe = row[numeric_col].strip().split(":")[0] if len(row) > numeric_col else ""
        if number == 1 and not _is_number(probe):
            continue  # header
        yield number, [c.strip() for c in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_trace(lines: Iterable[str]) -> list[Arrival]:
    """Parse call rows; the result is sorted by arrival time."""
    calls = []
    for number, row in _rows(lines):
        try:
            patience = float(row[2]) if len(row) > 2 and row[2] else None
            topic = row[3] if len(row) > 3 else ""
            calls.append(Arrival(float(row[0]), float(row[1]), patience, topic))
        except (ValueError, IndexError) as exc:
            raise InvalidConfig(f"bad trace row {number}", row=row) from exc
    calls.sort(key=lambda a: a.arrival)
    return calls


def _seconds(text: str) -> float:
    if ":" in text:
        hours, minutes = text.split(":", 1)
        return int(hours) * 3600 + int(minutes) * 60
    return float(text)


def parse_shifts(lines: Iterable[str]) -> list[Shift]:
    shifts = []
    for number, row in _rows(lines):
        try:
            shifts.append(Shift(_seconds(row[0]), _seconds(row[1]), int(row[2])))
        except (ValueError, IndexError) as exc:
            raise InvalidConfig(f"bad shift row {number}", row=row) from exc
    return sorted(shifts, key=lambda s: s.start)


def parse_partners(lines: Iterable[str]) -> list[PartnerSpec]:
    partners = []
    for number, row in _rows(lines, numeric_col=1):
        try:
            hops = int(row[2]) if len(row) > 2 and row[2] else 1
            partners.append(PartnerSpec(row[0], int(row[1]), hops))
        except (ValueError, IndexError) as exc:
            raise InvalidConfig(f"bad partner row {number}", row=row) from exc
    return partners


def operators_at(shifts: list[Shift], t: float) -> int:
    """Operators on duty at ``t`` (overlapping shifts add up)."""
    return sum(s.operators for s in shifts if s.start <= t < s.end)
