"""Callback desk: requests served earliest-deadline-first with operators reserved in time.

A request becomes *ready* at ``not_before`` (06:00 for night requests; after the retry delay for
a failed attempt). A ready request is *due* when its deadline is within its lead: then the next
free operator is reserved for it even if callers are waiting. A ready request that is not yet
due is dialled only with an operator nobody in the queue needs.

The lead is ``reserve_lead_s`` plus a retry delay for every attempt still allowed after the
next one: an attempt that finds no answer then still leaves time to try again before the
deadline, instead of the retry landing after it.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from queue_engine.config import CallbackPolicy
from queue_engine.model.callbacks import CallbackRequest


@dataclass
class CallbackDesk:
    policy: CallbackPolicy
    requests: dict[str, CallbackRequest] = field(default_factory=dict)
    _ready: list[tuple[float, float, str]] = field(default_factory=list)
    _later: list[tuple[float, str]] = field(default_factory=list)

    def add(self, request: CallbackRequest) -> None:
        self.requests[request.callback_id] = request
        heapq.heappush(self._later, (request.not_before, request.callback_id))

    def _promote(self, now: float) -> None:
        while self._later and self._later[0][0] <= now:
            _, cb_id = heapq.heappop(self._later)
            heapq.heappush(self._ready, self.requests[cb_id].sort_key())

    def head(self, now: float) -> CallbackRequest | None:
        """The ready request with the earliest deadline, if any."""
        self._promote(now)
        return self.requests[self._ready[0][2]] if self._ready else None

    def lead(self, request: CallbackRequest) -> float:
        retries_left = max(0, self.policy.max_attempts - request.attempts - 1)
        return self.policy.reserve_lead_s + retries_left * self.policy.retry_delay_s

    def is_due(self, request: CallbackRequest, now: float) -> bool:
        return request.deadline - now <= self.lead(request)

    def take(self, now: float) -> CallbackRequest:
        """Remove the head from the ready line (it is about to be dialled)."""
        self._promote(now)
        _, _, cb_id = heapq.heappop(self._ready)
        request = self.requests[cb_id]
        request.dialling = True
        return request

    def withdraw(self, request: CallbackRequest) -> None:
        """Take a request out of both lines (it is being dialled already)."""
        cb_id = request.callback_id
        self._ready = [entry for entry in self._ready if entry[2] != cb_id]
        self._later = [entry for entry in self._later if entry[1] != cb_id]
        heapq.heapify(self._ready)
        heapq.heapify(self._later)

    def retry(self, request: CallbackRequest, now: float) -> bool:
        """Schedule another attempt; False when the attempts are used up."""
        request.dialling, request.operator_id, request.answered_at = False, "", None
        if request.attempts >= self.policy.max_attempts:
            return False
        request.not_before = now + self.policy.retry_delay_s
        heapq.heappush(self._later, (request.not_before, request.callback_id))
        return True

    def next_wakeup(self, now: float) -> float | None:
        """When the desk next needs a look: a request becoming ready or becoming due.

        A request already due waits for an operator to come free, which is an event of its own,
        so it asks for no timer.
        """
        times = []
        if self._later:
            times.append(self._later[0][0])
        if self._ready:
            due_at = self._ready[0][0] - self.lead(self.requests[self._ready[0][2]])
            if now < due_at < math.inf:
                times.append(due_at)
        return min(times) if times else None

    def has_work(self) -> bool:
        return bool(self._ready or self._later)

    def pending(self) -> int:
        return len(self._ready) + len(self._later)
