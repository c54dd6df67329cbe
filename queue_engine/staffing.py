"""Erlang C and Erlang A: operators needed for a target service level at a given load.

Erlang C (M/M/N) assumes callers never give up. Erlang A (M/M/N+M) adds exponential patience:
the steady state of the birth-death chain is computed directly (in log space, so hundreds of
operators do not overflow), and the chance that a caller who finds ``k`` callers ahead is served
within the target uses exponential tilting: weighting the wait by the survival ``exp(-θV)``
turns the stages ``Nμ + iθ`` (i = 0..k) into ``Nμ + jθ`` (j = 1..k+1) and multiplies by
``Nμ / (Nμ + (k+1)θ)``, the probability of being served at all. The depletion-time CDF of those
stages is computed by uniformisation. With patience the service level counts callers served
within the target over all arrivals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_TAIL = 1e-12


@dataclass(frozen=True, slots=True)
class StaffingResult:
    agents: int
    p_wait: float
    asa_s: float
    service_level: float
    occupancy: float
    abandon: float | None = None


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of an M/M/N/N system with offered load ``load`` erlangs."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(*, rate_per_s: float, aht_s: float, agents: int, target_s: float) -> StaffingResult:
    load = rate_per_s * aht_s
    if agents <= load:
        return StaffingResult(agents, 1.0, math.inf, 0.0, 1.0)
    b = erlang_b(agents, load)
    p_wait = agents * b / (agents - load * (1.0 - b))
    asa = p_wait * aht_s / (agents - load)
    sl = 1.0 - p_wait * math.exp(-(agents - load) * target_s / aht_s)
    return StaffingResult(agents, p_wait, asa, sl, load / agents)


def _log_states(rate: float, mu: float, theta: float, agents: int) -> list[float]:
    """Unnormalised log-probabilities of 0, 1, 2… callers in system, up to a negligible tail."""
    logs = [0.0]
    n = 0
    while True:
        n += 1
        denom = n * mu if n <= agents else agents * mu + (n - agents) * theta
        logs.append(logs[-1] + math.log(rate / denom))
        if n > agents and (logs[-1] < max(logs) + math.log(_TAIL)) and denom > rate:
            return logs


def _served_within(agents_mu: float, theta: float, waiting: int, target_s: float) -> list[float]:
    """For k = 0..waiting-1: P(the k+1 tilted stages Nμ + jθ, j = 1..k+1, end by target)."""
    top = waiting
    lam = agents_mu + top * theta
    # Uniformised pure-death chain on 0..top; u[j] = P(reached 0 within n jumps from j).
    u = [1.0] + [0.0] * top
    x = lam * target_s
    weight = math.exp(-x)
    total = [weight * v for v in u]
    terms = int(x + 10.0 * math.sqrt(x) + 20)
    for n in range(1, terms):
        u = [1.0] + [
            (agents_mu + j * theta) / lam * u[j - 1] + (1 - (agents_mu + j * theta) / lam) * u[j]
            for j in range(1, top + 1)
        ]
        weight *= x / n
        total = [t + weight * v for t, v in zip(total, u, strict=True)]
    return total[1:]


def erlang_a(
    *, rate_per_s: float, aht_s: float, agents: int, target_s: float, patience_s: float
) -> StaffingResult:
    mu, theta = 1.0 / aht_s, 1.0 / patience_s
    logs = _log_states(rate_per_s, mu, theta, agents)
    peak = max(logs)
    weights = [math.exp(v - peak) for v in logs]
    norm = sum(weights)
    probs = [w / norm for w in weights]
    waiting = probs[agents:]
    nmu = agents * mu
    within = _served_within(nmu, theta, len(waiting), target_s)
    p_wait = sum(waiting)
    served = [nmu / (nmu + (k + 1) * theta) for k in range(len(waiting))]
    p_served = 1.0 - p_wait + sum(p * s for p, s in zip(waiting, served, strict=True))
    mean_wait_served = sum(
        p * s * sum(1.0 / (nmu + j * theta) for j in range(1, k + 2))
        for k, (p, s) in enumerate(zip(waiting, served, strict=True))
    )
    sl = 1.0 - p_wait + sum(p * s * w for p, s, w in zip(waiting, served, within, strict=True))
    occupancy = min(1.0, rate_per_s * p_served * aht_s / agents)
    asa = mean_wait_served / p_served
    return StaffingResult(agents, p_wait, asa, sl, occupancy, 1.0 - p_served)


def evaluate(
    *, rate_per_s: float, aht_s: float, agents: int, target_s: float, patience_s: float | None
) -> StaffingResult:
    if patience_s is None:
        return erlang_c(rate_per_s=rate_per_s, aht_s=aht_s, agents=agents, target_s=target_s)
    return erlang_a(
        rate_per_s=rate_per_s, aht_s=aht_s, agents=agents, target_s=target_s, patience_s=patience_s
    )


def agents_needed(
    *, rate_per_s: float, aht_s: float, target_s: float, level: float, patience_s: float | None
) -> StaffingResult:
    """The fewest operators whose service level reaches ``level``."""
    load = rate_per_s * aht_s
    agents = max(1, math.floor(load) + 1 if patience_s is None else math.floor(load * 0.5))
    while True:
        result = evaluate(
            rate_per_s=rate_per_s,
            aht_s=aht_s,
            agents=agents,
            target_s=target_s,
            patience_s=patience_s,
        )
        if result.service_level >= level:
            return result
        agents += 1
