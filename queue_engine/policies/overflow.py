"""Overflow choice: the accepting, fresh partner with the best predicted wait that fits.

Waits within ``tie_band_s`` of the best are treated as equal: a few seconds of prediction error
are not worth sending every call to one partner. Among those, the partner with the higher
configured priority wins, then the one we sent fewer calls to recently, then the shorter wait.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from queue_engine.config import OverflowPolicy
from queue_engine.model.partners import Partner


def choose_partner(
    partners: Iterable[Partner],
    policy: OverflowPolicy,
    now: float,
    hops: int,
    budget_s: float,
    *,
    topic: str = "",
    recent_sent: Mapping[str, int] | None = None,
    origin: str = "",
) -> Partner | None:
    """Best partner whose predicted wait plus the transfer fits in ``budget_s``, or None.

    ``origin``, the center the caller dialled, is never chosen: the call would go round in a loop.
    """
    if not policy.enabled or hops >= policy.max_hops:
        return None
    fitting = [
        (p, p.wait_for(topic))
        for p in partners
        if p.usable(now, hops, policy.stale_after_s) and p.free_operators > 0 and p.name != origin
    ]
    fitting = [(p, wait) for p, wait in fitting if wait + policy.transfer_s <= budget_s]
    if not fitting:
        return None
    best_wait = min(wait for _, wait in fitting)
    sent = recent_sent or {}
    tied = [(p, wait) for p, wait in fitting if wait <= best_wait + policy.tie_band_s]
    partner, _ = min(
        tied,
        key=lambda pw: (-pw[0].priority, sent.get(pw[0].name, 0), pw[1], -pw[0].free_operators),
    )
    return partner
