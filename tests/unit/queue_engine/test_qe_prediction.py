"""Predicted wait: the engine's line predictor and the two classic ones."""

import itertools

import pytest

from queue_engine.prediction import (
    NO_SERVICE_WAIT_S,
    WaitStats,
    iter_line_waits,
    line_wait,
    ql_wait,
)


def _exact(ahead: int, free: int, working: int, handle: float, theta: float) -> float:
    k = ahead - free
    return 0.0 if k < 0 else sum(1 / (working / handle + j * theta) for j in range(k + 1))


def test_free_operators_take_the_first_callers_at_once() -> None:
    assert line_wait(ahead=2, free=3, working=5, handle_s=100, theta=0.01) == 0.0
    assert ql_wait(ahead=0, free=0, working=4, handle_s=100) == pytest.approx(25.0)
    assert ql_wait(ahead=3, free=0, working=4, handle_s=100) == pytest.approx(100.0)


def test_departures_other_than_service_shorten_the_wait() -> None:
    with_leaving = line_wait(ahead=10, free=0, working=4, handle_s=100, theta=0.01)
    assert with_leaving < ql_wait(ahead=10, free=0, working=4, handle_s=100)


def test_nobody_working_means_no_service() -> None:
    assert line_wait(ahead=0, free=0, working=0, handle_s=100, theta=0.0) == NO_SERVICE_WAIT_S


@pytest.mark.parametrize(
    ("ahead", "working", "handle", "theta"),
    list(itertools.product((0, 5, 9, 40, 300), (1, 10, 300), (30.0, 180.0), (0.001, 0.01, 0.05))),
)
def test_long_lines_use_an_approximation_within_one_percent(
    ahead: int, working: int, handle: float, theta: float
) -> None:
    exact = _exact(ahead, 0, working, handle, theta)
    assert line_wait(ahead, 0, working, handle, theta) == pytest.approx(exact, rel=0.01)


def test_one_pass_over_a_line_matches_position_by_position() -> None:
    waits = list(itertools.islice(iter_line_waits(2, 6, 120.0, 0.01), 30))
    expected = [line_wait(k, 2, 6, 120.0, 0.01) for k in range(30)]
    assert waits == pytest.approx(expected, rel=0.01)


def test_stats_learn_handle_time_hazard_and_last_service_wait() -> None:
    stats = WaitStats(handle_s=100.0)
    for _ in range(300):
        stats.record_handle(200.0)
    assert stats.handle_s == pytest.approx(200.0, rel=0.01)
    assert stats.theta == 0.0
    for _ in range(50):
        stats.record_departure(30.0, served=True)
        stats.record_departure(30.0, served=False)
    # Half the departures left unserved after 30 s each: hazard ~ 1/60 per second.
    assert stats.theta == pytest.approx(1 / 60, rel=0.05)
    engine, ql, les = stats.predict_all(ahead=4, free=0, working=2)
    assert les == 30.0
    assert engine < ql
    assert stats.predict_all(ahead=0, free=1, working=2) == (0.0, 0.0, 0.0)
