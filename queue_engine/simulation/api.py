"""One call to simulate a day: build the chosen policy, run it, summarise (CLI, benchmarks)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from queue_engine.config import EngineConfig
from queue_engine.engine import Engine
from queue_engine.errors import InvalidConfig
from queue_engine.model.schedule import midnight
from queue_engine.simulation.baselines import AsteriskFifoPolicy, asterisk_timeout_policy
from queue_engine.simulation.report import summarise
from queue_engine.simulation.runner import Policy, Simulator
from queue_engine.simulation.state import SimSettings
from queue_engine.simulation.trace import Arrival, PartnerSpec, Shift
from queue_engine.staffing import agents_needed

POLICIES: tuple[str, ...] = ("engine", "asterisk-fifo", "asterisk-timeout")
DEFAULT_DAY = dt.date(2026, 3, 2)  # an ordinary Monday


def build_policy(name: str, config: EngineConfig) -> Policy:
    if name == "engine":
        return Engine(config=config)
    if name == "asterisk-fifo":
        return AsteriskFifoPolicy(config=config)
    if name == "asterisk-timeout":
        return asterisk_timeout_policy(config)
    raise InvalidConfig("unknown policy", policy=name, known=list(POLICIES))


def simulate(
    *,
    policy: str,
    arrivals: list[Arrival],
    shifts: list[Shift],
    config: EngineConfig | None = None,
    partners: Sequence[PartnerSpec] = (),
    seed: int = 0,
    day: dt.date = DEFAULT_DAY,
    settings: SimSettings | None = None,
    clock: Callable[[], float] = time.perf_counter,
    progress: Callable[[float], None] | None = None,
) -> tuple[dict[str, Any], Simulator]:
    """Run one policy over one day; ``clock`` only measures the wall time of the run."""
    if config is None:
        mean_service = sum(a.service for a in arrivals) / len(arrivals) if arrivals else 180.0
        config = EngineConfig(default_handle_s=mean_service)
    origin = midnight(config.schedule, day)
    if settings is None:
        settings = SimSettings(day_origin=origin, seed=seed, queue=config.queues[0].name)
    sim = Simulator(
        policy=build_policy(policy, config),
        arrivals=arrivals,
        shifts=shifts,
        settings=settings,
        limit_s=config.queues[0].limit_s,
        partners=partners,
        handle_s=config.default_handle_s,
        reevaluate_s=config.reevaluate_s,
    )
    started = clock()
    sim.run(progress)
    return summarise(sim, policy, clock() - started), sim


def peak_staffing(
    arrivals: list[Arrival], shifts: list[Shift], limit_s: float, level: float = 0.8
) -> dict[str, Any]:
    """Erlang C and A operators needed in the busiest hour of the trace, for the report."""
    if not arrivals:
        return {}
    per_hour: dict[int, list[Arrival]] = {}
    for a in arrivals:
        per_hour.setdefault(int(a.arrival // 3600), []).append(a)
    hour, calls = max(per_hour.items(), key=lambda kv: len(kv[1]))
    rate = len(calls) / 3600.0
    aht = sum(a.service for a in calls) / len(calls)
    patiences = [a.patience for a in calls if a.patience is not None]
    patience = sum(patiences) / len(patiences) if patiences else None
    erlang_c = agents_needed(
        rate_per_s=rate, aht_s=aht, target_s=limit_s, level=level, patience_s=None
    )
    out: dict[str, Any] = {
        "peak_hour": hour,
        "peak_calls": len(calls),
        "aht_s": round(aht, 1),
        "operators_at_peak": sum(s.operators for s in shifts if s.start <= hour * 3600 < s.end),
        "level": level,
        "erlang_c_agents": erlang_c.agents,
    }
    if patience is not None:
        erlang_a = agents_needed(
            rate_per_s=rate, aht_s=aht, target_s=limit_s, level=level, patience_s=patience
        )
        out["erlang_a_agents"] = erlang_a.agents
        out["mean_patience_s"] = round(patience, 1)
    return out
