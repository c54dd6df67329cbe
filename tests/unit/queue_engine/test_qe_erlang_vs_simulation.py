"""Erlang A and the simulator agree on an M/M/N+M day: each checks the other."""

import random

import pytest
from conftest import DAY, SCHEDULE

from queue_engine import EngineConfig
from queue_engine.simulation.api import simulate
from queue_engine.simulation.state import SimSettings
from queue_engine.simulation.trace import Arrival, Shift
from queue_engine.staffing import erlang_a


def _markov_day(rate: float, aht: float, patience: float, calls: int, seed: int) -> list[Arrival]:
    rng = random.Random(seed)
    t, out = 0.0, []
    for _ in range(calls):
        t += rng.expovariate(rate)
        out.append(Arrival(t, rng.expovariate(1 / aht), rng.expovariate(1 / patience)))
    return out


@pytest.mark.parametrize(("agents", "load"), [(10, 9.5), (5, 5.5)])
def test_fifo_simulation_matches_erlang_a(agents: int, load: float) -> None:
    aht, patience, target = 60.0, 60.0, 20.0
    rate = load / aht
    day = _markov_day(rate, aht, patience, calls=30_000, seed=agents)
    report, sim = simulate(
        policy="asterisk-fifo",
        arrivals=day,
        shifts=[Shift(0, 1e9, agents)],
        config=EngineConfig(schedule=SCHEDULE, queues=EngineConfig().queues),
        settings=SimSettings(day_origin=DAY, wrapup_s=0.0),
    )
    model = erlang_a(
        rate_per_s=rate, aht_s=aht, agents=agents, target_s=target, patience_s=patience
    )
    within = sum(1 for w in sim.tally.answered_waits if w <= target) / report["calls"]
    assert model.abandon is not None
    assert report["abandoned"] / report["calls"] == pytest.approx(model.abandon, abs=0.012)
    assert within == pytest.approx(model.service_level, abs=0.02)
