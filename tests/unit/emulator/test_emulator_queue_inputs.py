"""What the emulator's queue model reads: queues.conf, call traces, arrival profiles."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from callcenter.emulator.callers import TraceCall, TraceError, read_trace
from callcenter.emulator.conf import ConfError
from callcenter.emulator.emulator import SHIPPED_QUEUES_CONF
from callcenter.emulator.load import arrival_offsets
from callcenter.emulator.queue_conf import load_queues, parse_empty


def test_shipped_queues_conf_gives_the_citizens_queue_its_settings() -> None:
    s = load_queues(SHIPPED_QUEUES_CONF).get("citizens")
    assert (s.strategy, s.timeout_s, s.retry_s, s.wrapup_s) == ("leastrecent", 15, 2, 5)
    assert (s.ringinuse, s.joinempty, s.leavewhenempty, s.servicelevel) == (False, set(), set(), 40)
    assert s.log_membername_as_agent
    assert s.shared_lastcall


def test_a_queue_missing_from_the_file_gets_app_queue_defaults() -> None:
    s = load_queues(SHIPPED_QUEUES_CONF).get("other")
    assert (s.strategy, s.timeout_s, s.retry_s, s.wrapup_s, s.ringinuse) == (
        "ringall",
        15,
        5,
        0,
        True,
    )


@pytest.mark.parametrize(
    ("value", "joining", "expected"),
    [
        ("yes", True, set()),
        ("no", True, {"penalty", "invalid", "paused"}),
        ("yes", False, {"penalty", "invalid", "paused"}),
        ("no", False, set()),
        ("strict", True, {"penalty", "invalid", "paused", "unavailable"}),
        ("loose", False, {"penalty", "invalid"}),
        ("paused,inuse", True, {"paused", "inuse"}),
    ],
)
def test_empty_options_read_as_app_queue_reads_them(
    value: str, joining: bool, expected: set[str]
) -> None:
    assert parse_empty(value, joining=joining) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("strategy = roundabout", "unknown strategy 'roundabout'"),
        ("timeout = soon", "timeout must be a number"),
        ("joinempty = sometimes", "unknown joinempty option 'sometimes'"),
        ("member = PJSIP/101,high", "member penalty must be a number"),
    ],
)
def test_bad_queues_conf_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "queues.conf"
    path.write_text(f"[q]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfError, match=message):
        load_queues(path)


def test_trace_is_read_in_arrival_order_with_topics_and_open_patience(tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    path.write_text(
        "arrival,service,patience,topic\n30,120,,housing\n0,60.5,45\n# a comment\n10,90,20,3\n",
        encoding="utf-8",
    )
    assert read_trace(path) == [
        TraceCall(0, 60.5, 45, ""),
        TraceCall(10, 90, 20, "3"),
        TraceCall(30, 120, None, "2"),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("5,60", "expected arrival,service,patience"),
        ("x,60,10", "arrival must be a number"),
        ("5,-1,10", "service must not be negative"),
        ("5,60,10,weather", "unknown topic 'weather'"),
        ("5,nan,10", "service must not be negative"),
    ],
)
def test_bad_trace_lines_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"0,60,10\n{row}\n", encoding="utf-8")
    with pytest.raises(TraceError, match=rf"t\.csv:2: {message}"):
        read_trace(path)


def test_profile_arrivals_repeat_with_the_seed_and_follow_the_hours() -> None:
    profile = [0.0] * 24
    profile[9], profile[10] = 120.0, 30.0  # 09:00-10:00 busy, 10:00-11:00 quiet, else none
    start = 1_700_000_000.0 - 1_700_000_000.0 % 86400  # midnight UTC
    first = arrival_offsets(random.Random(3), profile=profile, start=start, duration_s=86400)
    again = arrival_offsets(random.Random(3), profile=profile, start=start, duration_s=86400)
    assert first == again
    hours = [int(t // 3600) for t in first]
    assert set(hours) <= {9, 10}
    assert hours.count(9) > 2 * hours.count(10) > 0


def test_a_flat_rate_gives_about_that_many_calls() -> None:
    offsets = arrival_offsets(random.Random(1), profile=(360.0,), start=0.0, duration_s=36000)
    assert 3300 < len(offsets) < 3900
    assert offsets == sorted(offsets)
