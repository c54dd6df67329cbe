"""Async Originates waiting for their `OriginateResponse`, correlated by ActionID.

An outcome we can no longer learn (connection lost, or no event within the ring timeout plus a
grace period) is reported as an `OriginateOutcome` with `reason=-1`: the call may or may not have
been placed, and the engine decides whether to retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from callcenter.pbx.facts import Fact, OriginateOutcome

log = logging.getLogger(__name__)

OutcomeCallback = Callable[[OriginateOutcome], None]


class PendingOriginates:
    def __init__(self, *, grace: float, deliver: Callable[[Fact], None]) -> None:
        self._grace = grace
        self._deliver = deliver
        self._pending: dict[str, tuple[OutcomeCallback, asyncio.TimerHandle]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, action_id: str, callback: OutcomeCallback, timeout_s: float) -> None:
        timer = asyncio.get_running_loop().call_later(
            timeout_s + self._grace, self._expire, action_id
        )
        self._pending[action_id] = (callback, timer)

    def resolve(self, outcome: OriginateOutcome) -> None:
        entry = self._pending.pop(outcome.action_id, None)
        if entry is None:
            return
        callback, timer = entry
        timer.cancel()
        _call(callback, outcome)

    def forget(self, action_id: str) -> None:
        entry = self._pending.pop(action_id, None)
        if entry is not None:
            entry[1].cancel()

    def fail_all(self, reason: str) -> None:
        for action_id in list(self._pending):
            self._give_up(action_id, reason)

    def clear(self) -> None:
        for _, timer in self._pending.values():
            timer.cancel()
        self._pending.clear()

    def _expire(self, action_id: str) -> None:
        self._give_up(action_id, "no OriginateResponse in time; outcome unknown")

    def _give_up(self, action_id: str, reason: str) -> None:
        entry = self._pending.pop(action_id, None)
        if entry is None:
            return
        callback, timer = entry
        timer.cancel()
        outcome = OriginateOutcome(
            action_id=action_id,
            ok=False,
            reason=-1,
            reason_text=reason,
            channel="",
            uniqueid="",
            context="",
            exten="",
        )
        log.warning("originate %s: %s", action_id, reason)
        _call(callback, outcome)
        self._deliver(outcome)


def _call(callback: OutcomeCallback, outcome: OriginateOutcome) -> None:
    try:
        callback(outcome)
    except Exception:
        log.exception("originate outcome callback failed on %r", outcome)
