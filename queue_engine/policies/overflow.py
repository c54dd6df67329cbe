"""Overflow choice: the accepting, fresh partner with the best predicted wait that fits."""

from __future__ import annotations

from collections.abc import Iterable

from queue_engine.config import OverflowPolicy
from queue_engine.model.partners import Partner


def choose_partner(
    partners: Iterable[Partner], policy: OverflowPolicy, now: float, hops: int, budget_s: float
) -> Partner | None:
    """Best partner whose predicted wait plus the transfer fits in ``budget_s``, or None."""
    if not policy.enabled or hops >= policy.max_hops:
        return None
    best: Partner | None = None
    for p in partners:
        if not p.usable(now, hops, policy.stale_after_s) or p.free_operators <= 0:
            continue
        if p.predicted_wait_s + policy.transfer_s > budget_s:
            continue
        if best is None or (p.predicted_wait_s, -p.free_operators) < (
            best.predicted_wait_s,
            -best.free_operators,
        ):
            best = p
    return best
