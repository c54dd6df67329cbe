"""Staffing advice: operators needed per half hour for the wait target, next to those scheduled.

The queueing formula is injected: `agents_needed(rate_per_hour, aht_s, target_s, level,
patience_s) -> int` (the lead passes queue_engine's Erlang A). This module only measures the
inputs from call records:

- rate: calls offered to operators in the half hour (outcome other than "ivr"), averaged over
  the `days` the rows come from (the same weekday of past weeks, `reports_web`), per hour;
- AHT: mean talk time of answered calls in that half hour (all half hours when it has none);
- patience: observed mean patience, estimated as the total time callers spent waiting divided by
  the number who abandoned (the exponential-patience estimate that counts the callers who were
  served before giving up as censored observations); `default_patience_s` when nobody abandoned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from callcenter.web.reports import CallRow

DEFAULT_AHT_S = 180.0


class AgentsNeeded(Protocol):
    def __call__(
        self,
        rate_per_hour: float,
        aht_s: float,
        target_s: float,
        level: float,
        patience_s: float,
        /,
    ) -> int: ...


@dataclass(frozen=True)
class StaffingLine:
    slot: str  # "HH:MM", start of the half hour, local time
    calls: int
    rate_per_hour: float
    aht_s: float
    patience_s: float
    needed: int
    scheduled: int | None


def half_hour(ts: float, tz: tzinfo) -> str:
    local = datetime.fromtimestamp(ts, tz)
    return f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"


def observed_patience(rows: Iterable[CallRow], default_s: float) -> float:
    queued = [r for r in rows if r.outcome != "ivr"]
    abandoned = sum(1 for r in queued if r.outcome == "abandoned")
    if abandoned == 0:
        return default_s
    return sum(r.wait_s for r in queued) / abandoned


def _aht(rows: list[CallRow], fallback: float) -> float:
    talks = [r.talk_s for r in rows if r.outcome == "answered"]
    return sum(talks) / len(talks) if talks else fallback


def staffing_advice(
    rows: Iterable[CallRow],
    *,
    tz: tzinfo,
    days: int,
    agents_needed: AgentsNeeded,
    scheduled: Mapping[str, int] | None = None,
    target_s: float = 40.0,
    level: float = 0.8,
    default_patience_s: float = 600.0,
) -> list[StaffingLine]:
    """Half hours with calls or with operators scheduled, in time order."""
    offered = [r for r in rows if r.outcome != "ivr"]
    patience = observed_patience(offered, default_patience_s)
    overall_aht = _aht(offered, DEFAULT_AHT_S)
    by_slot: dict[str, list[CallRow]] = defaultdict(list)
    for row in offered:
        by_slot[half_hour(row.arrived_at, tz)].append(row)
    plan = scheduled or {}
    lines = []
    for slot in sorted(set(by_slot) | {s for s, n in plan.items() if n > 0}):
        calls = by_slot.get(slot, [])
        rate = len(calls) / max(days, 1) * 2.0  # a half hour is 0.5 h
        aht = _aht(calls, overall_aht)
        needed = agents_needed(rate, aht, target_s, level, patience) if calls else 0
        lines.append(StaffingLine(slot, len(calls), rate, aht, patience, needed, plan.get(slot)))
    return lines
