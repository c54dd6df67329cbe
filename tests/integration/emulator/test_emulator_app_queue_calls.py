"""app_queue conformance over AMI: the queue and agent events of one call, in Asterisk's order,
with the queue_log lines Asterisk writes (shared/asterisk/queue_semantics.md sections 4-6, 9).

Times are chosen half a second away from whole seconds so that the integer HoldTime, RingTime
and TalkTime do not depend on scheduling jitter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from app_queue_helpers import QueueRig, ms_near, queues_conf
from conformance_helpers import check

from callcenter.emulator.wire import get

MEMBER = "ADDMEMBER|"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[QueueRig]:
    conf = queues_conf(
        tmp_path,
        support={"strategy": "rrmemory", "timeout": 5, "retry": 2, "ringinuse": "no"},
    )
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    yield rig
    await rig.stop()


async def test_answered_call_connects_then_completes_by_the_agent(rig: QueueRig) -> None:
    rig.operator("PJSIP/101", delay=2.5, handle=10.5)
    await rig.member("support", "PJSIP/101")
    caller = rig.enter("support", label="A")
    await rig.until_event("AgentComplete")
    assert await caller.task == ""  # answered: Queue() sets no QUEUESTATUS
    assert rig.events() == [
        "QueueCallerJoin A support 1 1",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "DialEnd A <PJSIP/101> ANSWER",
        "QueueCallerLeave A support 1 0",
        "AgentConnect A PJSIP/101 2 2",
        "AgentComplete A PJSIP/101 2 10 agent",
    ]
    assert rig.queue_log() == [
        "NONE|NONE|NONE|QUEUESTART|",
        "MANAGER|support|Оператор 101|ADDMEMBER|",
        "A|support|NONE|ENTERQUEUE||+79990000001|1",
        "A|support|Оператор 101|CONNECT|2|<PJSIP/101>|2",
        "A|support|Оператор 101|COMPLETEAGENT|2|10|1",
    ]
    log_file = rig.emu.queue_log.path
    assert log_file is not None
    assert log_file.read_text(encoding="utf-8").splitlines() == rig.emu.queue_log.lines


async def test_caller_hangup_while_ringing_is_an_abandon(rig: QueueRig) -> None:
    rig.operator("PJSIP/101", answers=False)
    await rig.member("support", "PJSIP/101")
    caller = rig.enter("support", label="A")
    await rig.until_event("AgentCalled")
    await rig.sleep(3.5)
    rig.hang_up(caller)
    await rig.until_event("QueueCallerLeave")
    assert rig.events() == [
        "QueueCallerJoin A support 1 1",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "DialEnd A <PJSIP/101> CANCEL",
        "QueueCallerAbandon A support 1 1 3",
        "QueueCallerLeave A support 1 0",
    ]
    log = rig.queue_log()
    assert log[2:3] == ["A|support|NONE|ENTERQUEUE||+79990000001|1"]
    assert log[3].startswith("A|support|Оператор 101|RINGCANCELED|")
    assert ms_near(log[3], "RINGCANCELED", 3.5)
    assert log[4:] == ["A|support|NONE|ABANDON|1|1|3"]


async def test_queue_timeout_caps_the_last_ring_and_exits_with_timeout(rig: QueueRig) -> None:
    rig.operator("PJSIP/101", answers=False)
    await rig.member("support", "PJSIP/101")
    caller = rig.enter("support", label="A", timeout_s=10, options="c")
    assert await caller.task == "TIMEOUT"
    await rig.until_event("QueueCallerLeave")
    # ring 5 s (queue timeout), retry 2 s, then only the 3 s left of the caller's 10 s
    assert rig.events() == [
        "QueueCallerJoin A support 1 1",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "AgentRingNoAnswer A PJSIP/101 5000",
        "DialEnd A <PJSIP/101> NOANSWER",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "AgentRingNoAnswer A PJSIP/101 3000",
        "DialEnd A <PJSIP/101> NOANSWER",
        "QueueCallerAbandon A support 1 1 10",
        "QueueCallerLeave A support 1 0",
    ]
    assert rig.queue_log()[2:] == [
        "A|support|NONE|ENTERQUEUE||+79990000001|1",
        "A|support|Оператор 101|RINGNOANSWER|5000",
        "A|support|Оператор 101|RINGNOANSWER|3000",
        "A|support|NONE|EXITWITHTIMEOUT|1|1|10",
    ]


async def test_ring_no_answer_then_the_next_member_answers(rig: QueueRig) -> None:
    rig.operator("PJSIP/101", answers=False)
    rig.operator("PJSIP/102", delay=1.5, handle=4.5)
    await rig.member("support", "PJSIP/101")
    await rig.member("support", "PJSIP/102")
    caller = rig.enter("support", label="A", options="c")
    await rig.until_event("AgentComplete")
    assert await caller.task == "CONTINUE"  # option c: the caller goes on after the agent
    # rrmemory: 101 rings 5 s, retry 2 s, then 102 answers after 1.5 s: held 8 s
    assert rig.events() == [
        "QueueCallerJoin A support 1 1",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "AgentRingNoAnswer A PJSIP/101 5000",
        "DialEnd A <PJSIP/101> NOANSWER",
        "AgentCalled A PJSIP/102",
        "DialBegin A <PJSIP/102>",
        "DialEnd A <PJSIP/102> ANSWER",
        "QueueCallerLeave A support 1 0",
        "AgentConnect A PJSIP/102 8 1",
        "AgentComplete A PJSIP/102 8 4 agent",
    ]
    assert rig.queue_log()[3:] == [
        "A|support|NONE|ENTERQUEUE||+79990000001|1",
        "A|support|Оператор 101|RINGNOANSWER|5000",
        "A|support|Оператор 102|CONNECT|8|<PJSIP/102>|1",
        "A|support|Оператор 102|COMPLETEAGENT|8|4|1",
    ]
    assert caller.channel.uniqueid in rig.emu.pbx.channels  # still up, back in the dialplan


async def test_caller_hangup_in_the_call_completes_by_the_caller(rig: QueueRig) -> None:
    rig.operator("PJSIP/101", delay=1.5, handle=60)
    await rig.member("support", "PJSIP/101")
    caller = rig.enter("support", label="A")
    await rig.until_event("AgentConnect")
    await rig.sleep(6.5)
    rig.hang_up(caller)
    await rig.until_event("AgentComplete")
    assert rig.events()[-2:] == [
        "AgentConnect A PJSIP/101 1 1",
        "AgentComplete A PJSIP/101 1 6 caller",
    ]
    assert rig.queue_log()[-1] == "A|support|Оператор 101|COMPLETECALLER|1|6|1"


async def test_priority_callers_enter_ahead_fifo_within_a_priority(rig: QueueRig) -> None:
    for label, prio in (("A", 0), ("B", 0), ("C", 5), ("D", 5)):
        rig.enter("support", label=label, prio=prio)
        await rig.until_event("QueueCallerJoin")
    rig.operator("PJSIP/101", delay=1.5, handle=2.5)
    await rig.member("support", "PJSIP/101")
    for _ in range(4):
        await rig.until_event("AgentComplete")
    joins_and_leaves = [e for e in rig.events() if e.startswith("QueueCaller")]
    assert joins_and_leaves == [
        "QueueCallerJoin A support 1 1",
        "QueueCallerJoin B support 2 2",
        "QueueCallerJoin C support 1 3",
        "QueueCallerJoin D support 2 4",
        "QueueCallerLeave C support 1 3",
        "QueueCallerLeave D support 1 2",
        "QueueCallerLeave A support 1 1",
        "QueueCallerLeave B support 1 0",
    ]
    enters = [line for line in rig.queue_log() if "|ENTERQUEUE|" in line]
    assert [line.rsplit("|", 1)[1] for line in enters] == ["1", "2", "1", "2"]


async def test_penalty_lower_first_higher_only_while_lower_is_busy(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"strategy": "leastrecent", "ringinuse": "no"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101", delay=1.5, handle=20.5)
        rig.operator("PJSIP/102", delay=1.5, handle=20.5)
        await rig.member("support", "PJSIP/101", penalty=1)
        await rig.member("support", "PJSIP/102", penalty=0)
        rig.enter("support", label="A")
        rig.enter("support", label="B")
        await rig.until_event("AgentConnect")
        await rig.until_event("AgentConnect")
        connects = [e for e in rig.events() if e.startswith(("AgentCalled", "AgentConnect"))]
        assert connects == [
            "AgentCalled A PJSIP/102",  # penalty 0 first, though 101 is as idle
            "AgentCalled B PJSIP/101",  # 102 is ringing for A: penalty 1 may take B
            "AgentConnect A PJSIP/102 1 1",
            "AgentConnect B PJSIP/101 1 1",
        ]
    finally:
        await rig.stop()


async def test_member_hanging_up_during_memberdelay_is_an_agent_dump(tmp_path: Path) -> None:
    """queue_semantics.md 4, step 6: the member answers, hangs up before the bridge
    (memberdelay): AgentDump and AGENTDUMP, the caller stays and is rung again."""
    conf = queues_conf(tmp_path, support={"strategy": "linear", "retry": 2, "memberdelay": 3})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101", delay=1.5, handle=1.5)  # done before the 3 s delay is over
        await rig.member("support", "PJSIP/101")
        rig.enter("support", label="A")
        await rig.until_event("AgentDump")
        rig.emu.bots["PJSIP/101"].handle_s = (10.5, 10.5)  # the next time they stay
        await rig.until_event("AgentComplete")
    finally:
        await rig.stop()
    events = rig.events()
    # 1.5 ring + 1.5 till the dump, 2 retry, 1.5 ring, 3 delay: held 9.5 s (scheduling on a
    # busy machine may carry it past 10); the delay comes out of the 10.5 s handle time.
    assert events[-2] in ("AgentConnect A PJSIP/101 9 1", "AgentConnect A PJSIP/101 10 1")
    assert events[-1].split()[-2:] == ["7", "agent"]
    assert events[:-2] == [
        "QueueCallerJoin A support 1 1",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "DialEnd A <PJSIP/101> ANSWER",
        "AgentDump A PJSIP/101",
        "AgentCalled A PJSIP/101",
        "DialBegin A <PJSIP/101>",
        "DialEnd A <PJSIP/101> ANSWER",
        "QueueCallerLeave A support 1 0",
    ]
    dump = next(m for m in rig.seen if get(m, "Event") == "AgentDump")
    assert check(dump) == []  # the headers of ami_spec.json, in order
    log = [line for line in rig.queue_log() if line.startswith("A|")]
    assert log[1] == "A|support|Оператор 101|AGENTDUMP|"
    assert log[2].startswith("A|support|Оператор 101|CONNECT|")
