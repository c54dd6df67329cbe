"""Same seed, same run: Poisson citizens, operator bots with random answers, jitter and handle
times, and the `random` strategy give the same events and queue_log (times included) twice on
the virtual clock; another seed gives another run."""

from __future__ import annotations

import time
from pathlib import Path

from app_queue_helpers import queues_conf

from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.virtual_clock import VirtualClock

START = 1_700_000_000.0
HOUR = 3600.0


async def _run(tmp_path: Path, seed: int) -> tuple[list[str], list[str], list[str]]:
    conf = queues_conf(
        tmp_path / f"conf-{seed}",
        citizens={"strategy": "random", "timeout": 10, "retry": 2, "wrapuptime": 3},
    )
    clock = VirtualClock(start=START)
    emu = Emulator(EmulatorConfig(clock=clock, seed=seed, queues_conf=conf, ami_port=0))
    emu.keep_events = True
    await emu.start()
    for n in range(3):
        interface = f"PJSIP/10{n}"
        emu.add_operator(
            interface, answer_delay_s=2, answer_jitter_s=4, answer_p=0.7, handle_mean_s=150
        )
        emu.add_member("citizens", interface)
    emu.start_load(rate_per_hour=90, duration_s=HOUR, patience_mean_s=100)
    await clock.sleep(HOUR + 900)  # arrivals for an hour, then everyone is served or gone
    await emu.stop()
    events = [f"{name} {dict(headers)}" for name, headers in emu.events()]
    truth = [str(call) for call in emu.ground_truth()]
    return events, list(emu.queue_log.lines), truth


async def test_a_seed_replays_exactly_and_another_seed_differs(tmp_path: Path) -> None:
    began = time.monotonic()
    first = await _run(tmp_path, seed=5)
    again = await _run(tmp_path, seed=5)
    other = await _run(tmp_path, seed=6)
    events, log, truth = first
    assert any(e.startswith("DialEnd") for e in events)
    assert len(truth) > 50  # about 90 calls in the hour
    assert any("|RINGNOANSWER|" in line for line in log)  # the bots' answer_p was drawn
    assert any("|ABANDON|" in line for line in log)  # and the citizens' patience
    assert len({line.split("|")[3] for line in log if "|CONNECT|" in line}) == 3  # random
    assert again == first  # events, queue_log with its times, ground truth
    assert other[1] != log
    assert other[2] != truth
    assert time.monotonic() - began < 30  # an hour and a quarter of calls, three times
