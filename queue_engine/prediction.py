"""Predicted wait for a caller at a given position, and the two classic predictors.

The engine's predictor counts the callers ahead that free operators will take at once, then
walks the line: with ``s`` operators working, mean handle time ``h`` and ``j`` callers still
ahead, the line moves at rate ``s/h + j*theta``, where ``theta`` is the measured rate at which
waiting callers leave other than by service (abandon, accept a callback, overflow). This is the
queue-length predictor with abandonment of Ibrahim & Whitt, fed with live estimates.

For comparison, on the same observations:
- ``ql``: the plain queue-length predictor ``(k+1)·h/s`` (no departures but service);
- ``les``: the last-to-enter-service delay (the wait of the caller most recently answered).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

_EXACT_TERMS = 8
# Returned when nobody works the queue: large, finite (events must stay JSON-friendly).
NO_SERVICE_WAIT_S = 86_400.0


def line_wait(ahead: int, free: int, working: int, handle_s: float, theta: float) -> float:
    """Expected wait of a caller with ``ahead`` callers before them."""
    k = ahead - free
    if k < 0:
        return 0.0
    if working <= 0:
        return NO_SERVICE_WAIT_S
    rate = working / handle_s
    if theta <= 0.0:
        return (k + 1) / rate
    if k < _EXACT_TERMS or rate <= 4.0 * theta:
        return sum(1.0 / (rate + j * theta) for j in range(k + 1))
    # Midpoint rule for the sum of 1/(rate + j*theta), j = 0..k: within 1% of the exact sum
    # when rate > 4*theta, and O(1) for long lines.
    return math.log((rate + (k + 0.5) * theta) / (rate - 0.5 * theta)) / theta


def ql_wait(ahead: int, free: int, working: int, handle_s: float) -> float:
    return line_wait(ahead, free, working, handle_s, 0.0)


@dataclass
class WaitStats:
    """Running estimates for one queue: handle time, leave hazard, last wait into service."""

    handle_s: float
    # Exponential forgetting per observation: recent behaviour counts, the morning fades.
    decay: float = 0.98
    left_weight: float = 0.0
    waited_weight: float = 0.0
    last_service_wait_s: float = 0.0

    def record_handle(self, seconds: float) -> None:
        self.handle_s += (1.0 - self.decay) * (seconds - self.handle_s)

    def record_departure(self, waited_s: float, served: bool) -> None:
        self.left_weight = self.left_weight * self.decay + (0.0 if served else 1.0)
        self.waited_weight = self.waited_weight * self.decay + waited_s
        if served:
            self.last_service_wait_s = waited_s

    @property
    def theta(self) -> float:
        return self.left_weight / self.waited_weight if self.waited_weight > 1.0 else 0.0

    def predict(self, ahead: int, free: int, working: int) -> float:
        return line_wait(ahead, free, working, self.handle_s, self.theta)

    def predict_all(self, ahead: int, free: int, working: int) -> tuple[float, float, float]:
        """(engine, queue-length, last-to-enter-service) predictions for the same caller."""
        return (self.predict(ahead, free, working), *self.predict_classic(ahead, free, working))

    def predict_classic(self, ahead: int, free: int, working: int) -> tuple[float, float]:
        """(queue-length, last-to-enter-service) predictions: the literature's two."""
        if ahead < free:
            return 0.0, 0.0
        return ql_wait(ahead, free, working, self.handle_s), self.last_service_wait_s


def iter_line_waits(free: int, working: int, handle_s: float, theta: float) -> Iterator[float]:
    """Predictions for positions 1, 2, 3… of one line, in one pass (prefix sums)."""
    ahead = 0
    while ahead < free:
        yield 0.0
        ahead += 1
    if working <= 0:
        while True:
            yield NO_SERVICE_WAIT_S
    rate = working / handle_s
    total, j = 0.0, 0
    while True:
        total += 1.0 / (rate + j * theta)
        j += 1
        yield total
