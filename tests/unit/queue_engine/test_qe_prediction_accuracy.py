"""Predicted-wait accuracy on a simulated day, and that the simulator scores the engine's own."""

from __future__ import annotations

import math

import pytest
from conftest import DAY

from queue_engine import CallQueued, Engine, EngineConfig, Message, Output
from queue_engine.model.calls import CallOutcome
from queue_engine.simulation.api import simulate
from queue_engine.simulation.report import summarise
from queue_engine.simulation.runner import Simulator
from queue_engine.simulation.state import SimSettings
from queue_engine.simulation.trace import Shift
from queue_engine.simulation.tracegen import generate_day

# A small regional day: 3,000 calls for 9 operators queue at the peak like 20,000 for 60.
CALLS, OPERATORS = 3_000, 9


@pytest.mark.parametrize("seed", [1, 2])
def test_the_engines_predictor_beats_both_classic_predictors(seed: int) -> None:
    day = generate_day(seed=seed, calls=CALLS)
    report, _ = simulate(
        policy="engine", arrivals=day, shifts=[Shift(0.0, math.inf, OPERATORS)], seed=seed
    )
    assert report["ewt_waited_samples"] > 500  # enough callers actually waited to judge
    assert report["ewt_mae_waited_s"] < report["ewt_mae_waited_ql_s"]
    assert report["ewt_mae_waited_s"] < report["ewt_mae_waited_les_s"]
    assert report["ewt_mae_s"] < report["ewt_mae_ql_s"]
    assert report["ewt_mae_s"] < report["ewt_mae_les_s"]


class RecordingEngine:
    """The engine, noting each prediction it announces in CallQueued."""

    def __init__(self, config: EngineConfig) -> None:
        self.engine = Engine(config=config)
        self.announced: dict[str, float] = {}

    def handle(self, message: Message, now: float) -> list[Output]:
        outputs = self.engine.handle(message, now)
        for out in outputs:
            if isinstance(out, CallQueued):
                self.announced[out.call_id] = out.predicted_wait_s
        return outputs

    def tick(self, now: float) -> list[Output]:
        return self.engine.tick(now)

    def next_wakeup(self, now: float) -> float | None:
        return self.engine.next_wakeup(now)


def test_the_simulator_scores_the_prediction_the_engine_announced() -> None:
    day = generate_day(seed=1, calls=CALLS)
    mean_service = sum(a.service for a in day) / len(day)
    policy = RecordingEngine(EngineConfig(default_handle_s=mean_service))
    sim = Simulator(
        policy=policy,
        arrivals=day,
        shifts=[Shift(0.0, math.inf, OPERATORS)],
        settings=SimSettings(day_origin=DAY, seed=1),
        handle_s=mean_service,
    ).run()
    report = summarise(sim, "engine", wall_s=1.0)

    answered = [c for c in sim.calls.values() if c.outcome is CallOutcome.ANSWERED]
    errors = []
    for call in answered:
        assert call.predicted == policy.announced[call.call_id]
        assert call.joined_at is not None
        assert call.left_at is not None
        errors.append(abs(policy.announced[call.call_id] - (call.left_at - call.joined_at)))
    assert any(policy.announced[c.call_id] > 0 for c in answered)
    assert report["ewt_samples"] == len(answered)
    assert report["ewt_mae_s"] == round(sum(errors) / len(errors), 2)
