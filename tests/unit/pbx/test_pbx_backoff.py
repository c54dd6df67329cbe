"""Reconnect backoff: bounded, exponential, jitter from an injected random source."""

from __future__ import annotations

import pytest

from callcenter.pbx.backoff import Backoff


def test_delays_double_then_stay_at_the_bound() -> None:
    backoff = Backoff(initial=0.5, factor=2.0, maximum=5.0)
    delays = [backoff.delay(n, lambda: 0.0) for n in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_jitter_spreads_by_the_fraction_given() -> None:
    backoff = Backoff(initial=1.0, maximum=8.0, jitter=0.1)
    assert backoff.delay(3, lambda: 0.0) == pytest.approx(7.2)
    assert backoff.delay(3, lambda: 0.5) == pytest.approx(8.0)
    assert backoff.delay(3, lambda: 1.0) == pytest.approx(8.8)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert Backoff(maximum=30.0).delay(10_000, lambda: 0.0) == 30.0


@pytest.mark.parametrize(
    "kwargs",
    [{"initial": -1.0}, {"factor": 0.5}, {"maximum": 0.1, "initial": 1.0}, {"jitter": 1.0}],
)
def test_inconsistent_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"backoff|jitter"):
        Backoff(**kwargs)
