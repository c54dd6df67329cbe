"""What a new call gets by mode: queue and priority, night IVR, emergency announcement first."""

from collections.abc import Callable

import pytest
from conftest import DAY, SCHEDULE, T10, of_type

from queue_engine import (
    CallArrived,
    EmergencySet,
    Engine,
    EngineConfig,
    Mode,
    ModeChanged,
    PlayAnnouncement,
    QueueConfig,
    RouteToIvr,
    RouteToQueue,
    mode_at,
)
from queue_engine.model.schedule import midnight, next_day_start


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(0.0, Mode.AUTOMATIC), (3.5, Mode.AUTOMATIC), (5.99, Mode.AUTOMATIC), (6.0, Mode.DAY),
     (12.0, Mode.DAY), (23.99, Mode.DAY)],
)  # fmt: skip
def test_mode_follows_the_local_clock(hour: float, expected: Mode) -> None:
    assert mode_at(SCHEDULE, DAY + hour * 3600) is expected


def test_a_holiday_is_automatic_all_day_and_emergency_overrides_everything() -> None:
    import datetime as dt

    holiday_noon = midnight(SCHEDULE, dt.date(2026, 5, 9)) + 12 * 3600
    assert mode_at(SCHEDULE, holiday_noon) is Mode.AUTOMATIC
    assert mode_at(SCHEDULE, holiday_noon, emergency=True) is Mode.EMERGENCY
    # The first 06:00 after a holiday is the next ordinary day's.
    assert next_day_start(SCHEDULE, holiday_noon) == holiday_noon + 18 * 3600


def test_day_call_goes_to_the_queue(make_engine: Callable[..., Engine]) -> None:
    out = make_engine().handle(CallArrived("u1", "+79161234567", ""), T10)
    assert out == [RouteToQueue("u1", "main", 0)]


def test_a_call_arrives_when_it_reached_the_entry_not_when_the_engine_heard(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    engine.handle(CallArrived("u1", "+79161234567", "", arrived_at=T10 - 20), T10)
    engine.handle(CallArrived("u2", "+79161234568", ""), T10)
    calls = [engine.call(u) for u in ("u1", "u2")]
    assert [c.arrived_at for c in calls if c is not None] == [T10 - 20, T10]


def test_night_call_gets_self_service(make_engine: Callable[..., Engine]) -> None:
    out = make_engine().handle(CallArrived("u1", "+79161234567", ""), DAY + 2 * 3600)
    assert out == [RouteToIvr("u1", "night")]


def test_emergency_plays_the_announcement_before_queueing(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    assert engine.handle(EmergencySet(True, by="supervisor1"), T10) == [
        ModeChanged(Mode.EMERGENCY, "supervisor1")
    ]
    out = engine.handle(CallArrived("u1", "+79161234567", ""), DAY + 2 * 3600)
    assert out == [PlayAnnouncement("u1", "emergency"), RouteToQueue("u1", "main", 0)]
    assert engine.handle(EmergencySet(False), T10) == [ModeChanged(Mode.DAY, "")]


def test_topic_picks_the_queue_and_overflow_calls_go_first() -> None:
    config = EngineConfig(
        queues=(QueueConfig("main"), QueueConfig("social", priority=2)),
        topic_queues=(("benefits", "social"),),
        schedule=SCHEDULE,
    )
    engine = Engine(config=config)
    assert of_type(engine.handle(CallArrived("a", "+79161234567", "benefits"), T10), RouteToQueue)
    out = engine.handle(CallArrived("b", "+79161234567", "benefits", hops=1, origin="north"), T10)
    assert out == [RouteToQueue("b", "social", 2 + config.overflow_priority)]
    assert engine.handle(CallArrived("c", "", "other"), T10) == [RouteToQueue("c", "main", 0)]
