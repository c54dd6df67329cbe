"""`callcenter simulate` over the whole run: operator counts, partners, terminal progress."""

from __future__ import annotations

import gc
import json
import math
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from callcenter.cli import main
from queue_engine.simulation.api import simulate
from queue_engine.simulation.trace import Shift
from queue_engine.simulation.tracegen import generate_day, to_csv


@pytest.fixture
def trace(tmp_path: Path) -> Path:
    path = tmp_path / "day.csv"
    path.write_text(to_csv(generate_day(seed=1, calls=600)), encoding="utf-8")
    return path


def test_an_operator_count_holds_for_the_run_and_the_run_ends_with_the_day() -> None:
    seen: list[float] = []
    day = generate_day(seed=1, calls=600)
    report, _ = simulate(
        policy="engine", arrivals=day, shifts=[Shift(0.0, math.inf, 3)], progress=seen.append
    )
    assert report["answered"] > 0
    assert report["failed"] == 0
    # Progress is reported in simulated seconds from midnight: the last lies within the day
    # and its drain, not at the end of a thirty-day shift.
    assert 20 * 3600 < max(seen) < 26 * 3600


def test_simulate_with_partners_overflows_to_them(
    trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("name,slots\nnorth,2\nsouth,1\n", encoding="utf-8")
    args = ["simulate", "--trace", str(trace), "--operators", "2", "--seed", "1", "--json"]
    assert main(args) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main([*args, "--partners", str(partners)]) == 0
    shared = json.loads(capsys.readouterr().out)
    assert alone["overflowed"] == 0
    assert shared["overflowed"] > 0
    assert shared["guard_actions"]["overflow"] == shared["overflowed"]
    assert shared["abandoned"] < alone["abandoned"]
    assert shared["breaches"] == 0


def test_simulate_with_a_bad_partners_file_says_why(
    trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("name,slots\nnorth,many\n", encoding="utf-8")
    args = ["simulate", "--trace", str(trace), "--operators", "2", "--partners", str(partners)]
    assert main(args) == 2
    assert "bad partner row 2" in capsys.readouterr().err


def test_on_a_terminal_the_progress_runs_through_the_day_only(trace: Path) -> None:
    command = [sys.executable, "-m", "callcenter.cli", "simulate", "--trace", str(trace)]
    command += ["--operators", "3", "--json"]
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
            check=True,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert json.loads(proc.stdout)["calls"] == 600
    readings = re.findall(rb"simulated (\d+):(\d\d)", shown)
    assert readings, shown
    hours = [int(h) for h, _ in readings]
    assert hours == sorted(hours)
    assert 20 <= hours[-1] <= 25


def test_a_run_pauses_the_cycle_collector_only_and_leaves_no_cycles_behind() -> None:
    # The collector is paused during a run; that costs no memory only if a run makes no
    # garbage cycles, which this checks (the simulator itself is still alive here).
    day = generate_day(seed=2, calls=600)
    gc.collect()
    report, sim = simulate(policy="engine", arrivals=day, shifts=[Shift(0.0, math.inf, 3)])
    assert gc.isenabled()
    assert gc.collect() == 0
    assert report["callbacks_requested"] > 0
    assert sim.calls
