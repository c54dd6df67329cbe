"""Callers from a trace through the shipped dialplan and queues.conf: service and patience of
the trace are what happens, and the same seed gives the same queue events and queue_log."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from app_queue_helpers import QueueRig

from callcenter.emulator.callers import read_trace
from callcenter.emulator.control import make_app
from callcenter.emulator.emulator import SHIPPED_QUEUES_CONF

TRACE = "arrival,service,patience,topic\n0,6.5,,housing\n0.5,4.5,,\n1,8,2.5,passport\n"


def _write_trace(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    trace = tmp_path / "trace.csv"
    trace.write_text(TRACE, encoding="utf-8")
    return trace


async def _replay(tmp_path: Path, seed: int) -> tuple[list[str], list[str]]:
    trace = _write_trace(tmp_path)
    rig = await QueueRig.start(tmp_path, SHIPPED_QUEUES_CONF, ("citizens",), seed=seed)
    try:
        rig.operator("PJSIP/101", delay=1.5, handle=99)  # the trace's service wins
        await rig.member("citizens", "PJSIP/101")
        rig.emu.replay_trace(read_trace(trace))
        await rig.until_event("AgentComplete")
        await rig.until_event("AgentComplete")
        events = rig.events()
        log = [line.split("|", 2)[2] for line in rig.emu.queue_log.lines]  # without ids
        async with TestClient(TestServer(make_app(rig.emu))) as http:
            response = await http.get("/queue_log")
            assert (await response.text()).splitlines() == rig.emu.queue_log.lines
        return events, log
    finally:
        await rig.stop()


async def test_trace_calls_are_served_for_their_service_time_or_give_up(tmp_path: Path) -> None:
    events, log = await _replay(tmp_path / "a", seed=9)
    calls = [e for e in events if e.startswith(("QueueCaller", "AgentConnect", "AgentComplete"))]
    second_hold = calls[-1].split()[2]  # 101's wrap-up (5 s) ends, then the next look (1 s)
    assert second_hold in ("14", "15")
    assert calls == [
        "QueueCallerJoin citizens 1 1",
        "QueueCallerJoin citizens 2 2",
        "QueueCallerJoin citizens 3 3",
        "QueueCallerLeave citizens 1 2",
        "AgentConnect PJSIP/101 1 1",
        "QueueCallerAbandon citizens 2 3 2",  # patience 2.5 s
        "QueueCallerLeave citizens 2 1",
        "AgentComplete PJSIP/101 1 6 agent",  # service 6.5 s, not the bot's 99 s
        "QueueCallerLeave citizens 1 0",
        f"AgentConnect PJSIP/101 {second_hold} 1",
        f"AgentComplete PJSIP/101 {second_hold} 4 agent",
    ]
    assert [line for line in log if "ABANDON" in line] == ["citizens|NONE|ABANDON|2|3|2"]


def _without_times(run: tuple[list[str], list[str]]) -> tuple[list[str], list[str]]:
    """Events and log lines with hold, talk and wait seconds masked: the scaled clock runs in
    real time, so a second can tip either way; order, members and positions may not."""
    timed = ("AgentConnect", "AgentComplete", "QueueCallerAbandon")
    events = [
        re.sub(r" \d+ \d+( agent| caller)?$", " <t>", e) if e.startswith(timed) else e
        for e in run[0]
    ]
    log = [
        re.sub(r"\|(CONNECT|COMPLETEAGENT|COMPLETECALLER|ABANDON)\|.*", r"|\1", line)
        for line in run[1]
    ]
    return events, log


async def test_same_seed_same_events_and_queue_log(tmp_path: Path) -> None:
    first = await _replay(tmp_path / "a", seed=4)
    again = await _replay(tmp_path / "b", seed=4)
    assert _without_times(first) == _without_times(again)
    assert len(first[0]) == len(again[0]) > 10
