"""Shared builders for the queue_engine unit tests: an engine at a fixed day, operators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest

from queue_engine import (
    CallArrived,
    CallbackOfferAccepted,
    CallJoinedQueue,
    Engine,
    EngineConfig,
    OperatorState,
    OperatorStateChanged,
    Output,
    ScheduleConfig,
)
from queue_engine.model.schedule import midnight

SCHEDULE = ScheduleConfig(tz="Europe/Moscow", holidays=frozenset({dt.date(2026, 5, 9)}))
# 2026-03-02 is a Monday; 10:00 local is day mode.
DAY = midnight(SCHEDULE, dt.date(2026, 3, 2))
T10 = DAY + 10 * 3600


def of_type(outputs: Iterable[Output], kind: type) -> list[Output]:
    return [o for o in outputs if isinstance(o, kind)]


def book_callback(
    engine: Engine, call_id: str, number: str, now: float, queue: str = "main"
) -> list[Output]:
    """A caller joins ``queue`` and takes the callback offer at once."""
    engine.handle(CallArrived(call_id, number), now)
    engine.handle(CallJoinedQueue(call_id, queue), now)
    return engine.handle(CallbackOfferAccepted(call_id, number), now)


def hold_queue(engine: Engine, now: float) -> None:
    """A caller who waits for ever keeps the queue non-empty (no idle operator to spare)."""
    engine.handle(CallArrived("holder", ""), now)
    engine.handle(CallJoinedQueue("holder", "main"), now)


@pytest.fixture
def make_engine() -> Callable[..., Engine]:
    def build(operators: int = 0, now: float = T10, **overrides: object) -> Engine:
        config = EngineConfig(schedule=SCHEDULE, **overrides)  # type: ignore[arg-type]
        engine = Engine(config=config)
        for i in range(operators):
            engine.handle(
                OperatorStateChanged(f"PJSIP/{101 + i}", OperatorState.AVAILABLE, ("main",)), now
            )
        return engine

    return build
