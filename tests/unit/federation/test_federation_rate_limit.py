"""Sending-side limits: a sliding minute window and allowed hours, in injected time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.federation import PartnerLimits, PartnerRateLimiter
from callcenter.federation.rate_limit import SlidingWindow, hour_allowed

MSK = ZoneInfo("Europe/Moscow")


def at(hour: int, minute: int = 0, second: float = 0) -> float:
    """Epoch seconds for 2026-11-23 hour:minute:second Moscow time (UTC+3)."""
    return datetime(2026, 11, 23, hour - 3, minute, tzinfo=UTC).timestamp() + second


def test_sliding_window_counts_the_last_sixty_seconds_not_the_calendar_minute() -> None:
    w = SlidingWindow(3)
    for t in (0.0, 20.0, 59.0):
        assert w.allows(t)
        w.record(t)
    assert not w.allows(59.5)
    assert not w.allows(59.99)
    assert w.allows(60.0)  # the call at 0.0 has left the window
    w.record(60.0)
    assert not w.allows(79.9)
    assert w.count(80.0) == 2


@pytest.mark.parametrize(
    ("hours", "hour", "allowed"),
    [
        (((0, 24),), 0, True),
        (((0, 24),), 23, True),
        (((8, 20),), 7, False),
        (((8, 20),), 8, True),
        (((8, 20),), 19, True),
        (((8, 20),), 20, False),
        (((22, 6),), 23, True),
        (((22, 6),), 3, True),
        (((22, 6),), 6, False),
        (((22, 6),), 12, False),
        (((0, 6), (18, 24)), 5, True),
        (((0, 6), (18, 24)), 12, False),
    ],
)
def test_hour_ranges(hours: tuple[tuple[int, int], ...], hour: int, allowed: bool) -> None:
    assert hour_allowed(hours, hour) is allowed


def test_partner_limits_combine_hours_and_rate_in_the_configured_zone() -> None:
    limiter = PartnerRateLimiter(
        {
            "center-spb": PartnerLimits(calls_per_minute=2, hours=((8, 20),)),
            "center-kzn": PartnerLimits(),
        },
        MSK,
    )
    assert limiter.refusal("center-spb", at(7, 59)) == "outside_hours"
    assert limiter.refusal("center-spb", at(20, 0)) == "outside_hours"
    t = at(9)
    assert limiter.refusal("center-spb", t) is None
    limiter.record("center-spb", t)
    limiter.record("center-spb", t + 1)
    assert limiter.refusal("center-spb", t + 2) == "rate_limited"
    assert limiter.refusal("center-spb", t + 60.5) is None
    for i in range(100):
        limiter.record("center-kzn", t + i * 0.01)
    assert limiter.refusal("center-kzn", at(3)) is None
    assert limiter.refusal("center-unknown", t) is None


def test_zero_calls_per_minute_blocks_a_partner() -> None:
    limiter = PartnerRateLimiter({"center-spb": PartnerLimits(calls_per_minute=0)}, MSK)
    assert limiter.refusal("center-spb", at(12)) == "rate_limited"
