"""The IVR's services over the live engine: a callback asked for in a menu is stored before the
caller hears it confirmed."""

from __future__ import annotations

import pytest

from callcenter.runtime.engine_runner import EngineRunner
from callcenter.runtime.ivr_services import CallIvrServices
from queue_engine import messages as m
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine

NIGHT = 1_700_000_000.0  # 01:13 Moscow: automatic mode


class FixedClock:
    def now(self) -> float:
        return NIGHT

    async def sleep(self, seconds: float) -> None:
        return None


def services(stored: list[str], *, refuse: bool = False) -> CallIvrServices:
    runner = EngineRunner(
        engine=Engine(config=EngineConfig(queues=(QueueConfig("citizens"),))), clock=FixedClock()
    )
    runner.feed(m.CallArrived("c1", "+79161234567"))

    async def store(callback_id: str) -> None:
        if refuse:
            raise RuntimeError("database refused the request")
        stored.append(callback_id)

    return CallIvrServices(
        call_id="c1",
        runner=runner,
        knowledge=None,
        portal=None,
        stored=store,  # type: ignore[arg-type]
    )


async def test_the_request_is_stored_before_its_id_is_given_back() -> None:
    stored: list[str] = []
    callback_id = await services(stored).request_callback("+79161234567", "general", None)
    assert stored == [callback_id]


async def test_a_request_the_store_refuses_is_not_confirmed() -> None:
    with pytest.raises(RuntimeError, match="refused"):
        await services([], refuse=True).request_callback("+79161234567", "general", None)
