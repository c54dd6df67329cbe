import asyncio
import time

import pytest

from callcenter.clock import ScaledClock, SystemClock


def test_system_clock_reads_epoch_seconds() -> None:
    assert abs(SystemClock().now() - time.time()) < 1


async def test_scaled_clock_runs_faster_than_real_time() -> None:
    clock = ScaledClock(start=1_000_000.0, speed=100.0)
    assert clock.now() == pytest.approx(1_000_000.0, abs=1.0)
    began = time.monotonic()
    await clock.sleep(5.0)  # five virtual seconds at 100x take about 50 ms
    assert time.monotonic() - began < 1.0
    assert clock.now() >= 1_000_005.0


def test_scaled_clock_refuses_a_non_positive_speed() -> None:
    with pytest.raises(ValueError, match="speed must be positive"):
        ScaledClock(start=0.0, speed=0)


async def test_negative_sleep_returns_at_once() -> None:
    await asyncio.wait_for(ScaledClock(start=0.0, speed=1.0).sleep(-3), timeout=0.5)
