"""Fixtures for the emulator tests: an emulator on port 0 with a fast virtual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from callcenter.clock import ScaledClock
from callcenter.emulator.emulator import Emulator, EmulatorConfig

SPEED = 40.0


@pytest.fixture
def make_emulator() -> Callable[..., Emulator]:
    def make(**kwargs: object) -> Emulator:
        clock = ScaledClock(start=1_700_000_000.0, speed=SPEED)
        return Emulator(EmulatorConfig(clock=clock, **kwargs))  # type: ignore[arg-type]

    return make


@pytest.fixture
async def emulator(make_emulator: Callable[..., Emulator]) -> AsyncIterator[Emulator]:
    emu = make_emulator()
    await emu.start()
    yield emu
    await emu.stop()
