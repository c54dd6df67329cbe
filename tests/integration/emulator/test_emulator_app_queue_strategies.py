"""Which member each strategy of queues.conf rings, over AMI; random is reproducible by seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_queue_helpers import QueueRig, queues_conf

from callcenter.emulator.wire import get

MEMBERS = ("PJSIP/101", "PJSIP/102", "PJSIP/103")


async def _first_rung(tmp_path: Path, strategy: str, calls: int, seed: int = 1) -> list[str]:
    """Calls one after another (each answered, then ended); which members each one rang."""
    conf = queues_conf(tmp_path, support={"strategy": strategy, "timeout": 5, "retry": 2})
    rig = await QueueRig.start(tmp_path, conf, ("support",), seed=seed)
    try:
        for interface in MEMBERS:
            rig.operator(interface, delay=1.5, handle=2.5)
            await rig.member("support", interface)
        for n in range(calls):
            rig.enter("support", label=f"C{n}")
            await rig.until_event("AgentComplete")
            await rig.sleep(1.5)  # the member is free again before the next caller
        return [" ".join(e.split()[1:]) for e in rig.events() if e.startswith("AgentCalled")]
    finally:
        await rig.stop()


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("ringall", ["C0 PJSIP/101", "C0 PJSIP/102", "C0 PJSIP/103"]),
        ("linear", ["C0 PJSIP/101", "C1 PJSIP/101", "C2 PJSIP/101", "C3 PJSIP/101"]),
        ("rrmemory", ["C0 PJSIP/101", "C1 PJSIP/102", "C2 PJSIP/103", "C3 PJSIP/101"]),
        ("leastrecent", ["C0 PJSIP/101", "C1 PJSIP/102", "C2 PJSIP/103", "C3 PJSIP/101"]),
        ("fewestcalls", ["C0 PJSIP/101", "C1 PJSIP/102", "C2 PJSIP/103", "C3 PJSIP/101"]),
    ],
)
async def test_strategy_picks_members_in_its_order(
    tmp_path: Path, strategy: str, expected: list[str]
) -> None:
    calls = 1 if strategy == "ringall" else 4
    assert await _first_rung(tmp_path, strategy, calls) == expected


async def test_ringall_rings_the_lowest_penalty_tier_and_cancels_the_rest(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"strategy": "ringall", "timeout": 5})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101", delay=3.5)
        rig.operator("PJSIP/102", delay=1.5)
        rig.operator("PJSIP/103", delay=0.5)
        await rig.member("support", "PJSIP/101")
        await rig.member("support", "PJSIP/102")
        await rig.member("support", "PJSIP/103", penalty=2)
        rig.enter("support", label="A")
        await rig.until_event("AgentConnect")
        assert rig.events() == [
            "QueueCallerJoin A support 1 1",
            "AgentCalled A PJSIP/101",
            "DialBegin A <PJSIP/101>",
            "AgentCalled A PJSIP/102",
            "DialBegin A <PJSIP/102>",
            "DialEnd A <PJSIP/102> ANSWER",
            "DialEnd A <PJSIP/101> CANCEL",
            "QueueCallerLeave A support 1 0",
            "AgentConnect A PJSIP/102 1 1",
        ]
        hangups = [get(m, "Cause") for m in rig.seen if get(m, "Event") == "Hangup"]
        assert hangups == ["26"]  # 101: answered elsewhere
    finally:
        await rig.stop()


async def test_fewestcalls_prefers_fewest_calls_over_least_recent(tmp_path: Path) -> None:
    """101 takes two calls while 102 is paused; unpaused, 102 (fewer calls) gets the next
    ones even after it took a call more recently than 101."""
    conf = queues_conf(tmp_path, support={"strategy": "fewestcalls", "timeout": 5, "retry": 2})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        for interface in MEMBERS[:2]:
            rig.operator(interface, delay=1.5, handle=2.5)
            await rig.member("support", interface)
        await rig.action(("Action", "QueuePause"), ("Interface", "PJSIP/102"), ("Paused", "1"))
        for n in range(2):
            rig.enter("support", label=f"P{n}")
            await rig.until_event("AgentComplete")
            await rig.sleep(1.5)
        await rig.action(("Action", "QueuePause"), ("Interface", "PJSIP/102"), ("Paused", "0"))
        for n in range(3):
            rig.enter("support", label=f"C{n}")
            await rig.until_event("AgentComplete")
            await rig.sleep(1.5)
        called = [" ".join(e.split()[1:]) for e in rig.events() if e.startswith("AgentCalled")]
        assert called == [
            "P0 PJSIP/101",
            "P1 PJSIP/101",
            "C0 PJSIP/102",
            "C1 PJSIP/102",  # 1 call against 101's 2, though 101 is the least recent
            "C2 PJSIP/101",  # 2 each: the first in member order
        ]
    finally:
        await rig.stop()


async def test_random_strategy_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    first = await _first_rung(tmp_path / "a", "random", 8, seed=42)
    again = await _first_rung(tmp_path / "b", "random", 8, seed=42)
    other = await _first_rung(tmp_path / "c", "random", 8, seed=43)
    assert first == again
    assert len({line.split()[1] for line in first}) > 1  # not one member every time
    assert first != other
