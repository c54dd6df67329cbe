"""Properties over random small days: one outcome per call, no engine breach, nothing lost."""

from typing import Any

from conftest import DAY, SCHEDULE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_engine import CallbackPolicy, EngineConfig
from queue_engine.simulation.api import simulate
from queue_engine.simulation.runner import Simulator
from queue_engine.simulation.state import SimSettings
from queue_engine.simulation.trace import Arrival, PartnerSpec, Shift

OUTCOMES = ("answered", "abandoned", "overflowed", "callbacks_requested", "ivr_served", "failed")

arrivals = st.lists(
    st.builds(
        Arrival,
        # Mostly a busy morning hour, sometimes the night.
        arrival=st.one_of(st.floats(36_000, 37_800), st.floats(0, 86_000)),
        service=st.floats(5, 400),
        patience=st.one_of(st.none(), st.floats(0, 300)),
    ),
    max_size=40,
).map(lambda xs: sorted(xs, key=lambda a: a.arrival))
shifts = st.one_of(
    st.integers(0, 4).map(lambda n: [Shift(0, 2 * 86_400, n)]),
    st.lists(
        st.builds(
            lambda start, length, n: Shift(start, start + length, n),
            st.floats(0, 80_000),
            st.floats(600, 40_000),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=3,
    ),
)
partners = st.lists(
    st.builds(PartnerSpec, st.sampled_from(["north", "south"]), st.integers(0, 2)),
    max_size=2,
    unique_by=lambda p: p.name,
)
caller_behaviour = st.builds(
    SimSettings,
    day_origin=st.just(DAY),
    seed=st.integers(0, 1000),
    accept_probability=st.floats(0, 1),
    callback_answer_probability=st.floats(0, 1),
    ivr_callback_probability=st.floats(0, 1),
)


def _check_books(report: dict[str, Any], sim: Simulator) -> None:
    assert report["outcome_conflicts"] == 0
    assert sum(report[k] for k in OUTCOMES) == report["calls"] == len(sim.arrivals)
    assert all(call.outcome is not None for call in sim.calls.values())
    assert report["callbacks_on_time"] + report["callbacks_late"] == report["callbacks_requested"]
    assert sum(report["callbacks_late_reasons"].values()) == report["callbacks_late"]
    assert not sim.queue.waiting
    assert not sim.queue.by_call


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(["engine", "asterisk-fifo", "asterisk-timeout"]),
    day=arrivals,
    staff=shifts,
    partner_specs=partners,
    behaviour=caller_behaviour,
    citizen_first=st.booleans(),
)
def test_every_call_has_one_outcome_and_engine_never_breaches(
    policy: str,
    day: list[Arrival],
    staff: list[Shift],
    partner_specs: list[PartnerSpec],
    behaviour: SimSettings,
    citizen_first: bool,
) -> None:
    callbacks = CallbackPolicy(citizen_first=citizen_first)
    config = EngineConfig(schedule=SCHEDULE, default_handle_s=120.0, callbacks=callbacks)
    report, sim = simulate(
        policy=policy,
        arrivals=day,
        shifts=staff,
        config=config,
        partners=partner_specs,
        settings=behaviour,
    )
    _check_books(report, sim)
    if policy == "engine":
        assert report["breaches"] == 0
        assert report["engine_breach_reasons"] == {}
        # The engine's own account of each call agrees with what happened.
        happened = {c.call_id: c.outcome.value for c in sim.calls.values() if c.outcome}
        assert sim.tally.engine_outcomes == happened
    if policy == "asterisk-fifo":
        assert report["callbacks_requested"] == report["overflowed"] == 0
