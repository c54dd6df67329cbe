"""Which members one ring attempt calls: app_queue's `calc_metric` and `ring_one`.

Every member that can be rung gets a metric; the lowest rings. Penalty dominates the metric
(×1,000,000), so higher-penalty members ring only when no lower-penalty one can. `ringall`
rings every member sharing the best metric (the whole lowest penalty tier) at once.

Member positions are the queue's member order (config order, then dynamic members in the order
they were added): Asterisk keeps rrmemory members in a hash container, so its order may differ;
the emulator's is the ordered one (rrordered-like), which keeps runs reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from callcenter.emulator.members import Member

PENALTY_WEIGHT = 1_000_000
WRAPPED = 1000


def metrics(
    strategy: str,
    members: Sequence[tuple[int, Member]],
    *,
    start: int,
    now: float,
    rng: random.Random,
) -> list[tuple[int, Member]]:
    """(metric, member) for each (position, member) that can be rung. `start` is where the
    rotation begins: the queue's rrpos (rrmemory) or the caller's linpos (linear)."""
    return [(_metric(strategy, pos, m, start, now, rng), m) for pos, m in members]


def _metric(strategy: str, pos: int, m: Member, start: int, now: float, rng: random.Random) -> int:
    penalty = m.penalty * PENALTY_WEIGHT
    if strategy == "ringall":
        return penalty
    if strategy in ("linear", "rrmemory"):
        return penalty + (WRAPPED + pos if pos < start else pos)
    if strategy == "leastrecent":
        return penalty + (0 if not m.last_call else PENALTY_WEIGHT - int(now - m.last_call))
    if strategy == "fewestcalls":
        return penalty + m.calls_taken
    if strategy == "wrandom":
        return rng.randrange((1 + m.penalty) * 1000)
    return penalty + rng.randrange(1000)  # random


def choose(strategy: str, scored: list[tuple[int, Member]]) -> list[Member]:
    """The members to ring now: the best one, or for ringall every one with the best metric."""
    if not scored:
        return []
    best = min(metric for metric, _ in scored)
    winners = [m for metric, m in scored if metric == best]
    return winners if strategy == "ringall" else winners[:1]


def next_start(rung_pos: int, count: int) -> int:
    """rrmemory/linear: the next attempt starts after the member just rung (wrapping)."""
    return rung_pos + 1 if rung_pos + 1 < count else 0
