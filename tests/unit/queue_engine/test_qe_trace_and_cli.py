"""Trace reading, the generated regional day, and the `simulate` command end to end."""

import json
from collections import Counter
from pathlib import Path

import pytest

from callcenter.cli import main
from queue_engine import InvalidConfig
from queue_engine.simulation.trace import (
    Arrival,
    PartnerSpec,
    Shift,
    operators_at,
    parse_partners,
    parse_shifts,
    parse_trace,
)
from queue_engine.simulation.tracegen import generate_day, to_csv


def test_trace_rows_with_header_empty_patience_and_topic() -> None:
    rows = ["arrival,service,patience,topic", "20,30,,housing", "", "5,60,12.5"]
    assert parse_trace(rows) == [Arrival(5, 60, 12.5, ""), Arrival(20, 30, None, "housing")]
    with pytest.raises(InvalidConfig) as info:
        parse_trace(["5,abc,1"])
    assert info.value.code == "invalid_config"


def test_shifts_overlap_and_accept_clock_times() -> None:
    shifts = parse_shifts(["from,to,operators", "08:00,17:00,40", "12:00,20:00,20"])
    assert shifts == [Shift(28_800, 61_200, 40), Shift(43_200, 72_000, 20)]
    assert [operators_at(shifts, h * 3600) for h in (7, 9, 13, 18, 21)] == [0, 40, 60, 20, 0]


def test_partners_rows() -> None:
    assert parse_partners(["name,slots,max_hops", "north,3,2", "south,1"]) == [
        PartnerSpec("north", 3, 2),
        PartnerSpec("south", 1, 1),
    ]
    assert parse_partners(["north,3"]) == [PartnerSpec("north", 3, 1)]


def test_generated_day_is_reproducible_and_peaks_mid_morning() -> None:
    day = generate_day(seed=3, calls=20_000)
    assert day == generate_day(seed=3, calls=20_000)
    assert day != generate_day(seed=4, calls=20_000)
    assert len(day) == 20_000
    per_hour = Counter(int(a.arrival // 3600) for a in day)
    assert {h for h, _ in per_hour.most_common(2)} == {10, 11}
    assert parse_trace(to_csv(day[:50]).splitlines()) == day[:50]


def test_simulate_command_prints_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "day.csv"
    trace.write_text(to_csv(generate_day(seed=1, calls=400)), encoding="utf-8")
    shifts = tmp_path / "shifts.csv"
    shifts.write_text("from,to,operators\n06:00,22:00,3\n", encoding="utf-8")
    for policy in ("engine", "asterisk-fifo", "asterisk-timeout"):
        code = main(["simulate", "--trace", str(trace), "--operators", str(shifts),
                     "--policy", policy, "--seed", "2", "--json"])  # fmt: skip
        assert code == 0
        report = json.loads(capsys.readouterr().out)
        assert report["calls"] == 400
        outcomes = ("answered", "abandoned", "overflowed", "callbacks_requested", "ivr_served",
                    "failed")  # fmt: skip
        assert sum(report[k] for k in outcomes) == 400
        for key in (
            "answered_within_limit",
            "sl_pct",
            "asa_s",
            "max_queue_wait_s",
            "callbacks_on_time",
            "callbacks_late",
            "breaches",
            "ewt_mae_s",
            "wall_s",
        ):
            assert key in report  # fmt: skip
        assert report["staffing"]["peak_hour"] in (10, 11)
    assert main(["simulate", "--trace", str(tmp_path / "missing.csv"), "--operators", "3"]) == 2
