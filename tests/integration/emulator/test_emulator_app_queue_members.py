"""Joining and leaving by member state (joinempty, leavewhenempty, maxlen) and member management
(pause with reason, penalty, removal, static members) over AMI, with their queue_log lines."""

from __future__ import annotations

from pathlib import Path

from app_queue_helpers import QueueRig, queues_conf

from callcenter.emulator.wire import get


async def test_joinempty_no_refuses_a_queue_without_members_or_all_paused(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"joinempty": "no"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        assert await rig.enter("support", label="A").task == "JOINEMPTY"
        rig.operator("PJSIP/101")
        await rig.member("support", "PJSIP/101")
        # what AMI QueuePause without a Queue does: PAUSEALL, then PAUSE per queue
        assert rig.emu.queues.pause_member("PJSIP/101", True, reason="обед") == ""
        assert await rig.enter("support", label="B").task == "JOINEMPTY"
        assert rig.events() == []  # never joined: no QueueCallerJoin
        assert rig.queue_log() == [
            "NONE|NONE|NONE|QUEUESTART|",
            "MANAGER|support|Оператор 101|ADDMEMBER|",
            "NONE|NONE|PJSIP/101|PAUSEALL|обед",
            "NONE|support|Оператор 101|PAUSE|обед",
        ]
    finally:
        await rig.stop()


async def test_maxlen_full_refuses_the_caller_beyond_it(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"maxlen": 1})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.enter("support", label="A")
        await rig.until_event("QueueCallerJoin")
        assert await rig.enter("support", label="B").task == "FULL"
        await rig.action(("Action", "QueueStatus"))  # returns once the list has arrived
        params = next(m for m in rig.seen if get(m, "Event") == "QueueParams")
        assert (get(params, "Max"), get(params, "Calls")) == ("1", "1")
        assert rig.events() == ["QueueCallerJoin A support 1 1"]
    finally:
        await rig.stop()


async def test_leavewhenempty_takes_the_caller_out_when_the_last_member_pauses(
    tmp_path: Path,
) -> None:
    conf = queues_conf(tmp_path, support={"leavewhenempty": "yes", "ringinuse": "no"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101", delay=0.5, handle=60)
        await rig.member("support", "PJSIP/101")
        rig.enter("support", label="A")
        await rig.until_event("AgentConnect")
        waiting = rig.enter("support", label="B", options="c")  # 101 is busy: B waits
        await rig.until_event("QueueCallerJoin")
        await rig.sleep(4.5)
        await rig.action(
            ("Action", "QueuePause"),
            ("Queue", "support"),
            ("Interface", "PJSIP/101"),
            ("Paused", "true"),
            ("Reason", "перерыв"),
        )
        assert await waiting.task == "LEAVEEMPTY"
        await rig.until_event("QueueCallerLeave", Count="0")
        # B looks again every second: it leaves on the first look after the pause (5 s, or 6
        # when the scaled clock's polling drifted past the pause)
        events, log = rig.events(members=True)[-4:], rig.queue_log()[-3:]
        wait = events[2].rsplit(" ", 1)[1]
        assert wait in ("5", "6")
        assert events == [
            "QueueCallerJoin B support 1 1",
            "QueueMemberPause support PJSIP/101 1 перерыв",
            f"QueueCallerAbandon B support 1 1 {wait}",
            "QueueCallerLeave B support 1 0",
        ]
        assert log == [
            "B|support|NONE|ENTERQUEUE||+79990000002|1",
            "NONE|support|Оператор 101|PAUSE|перерыв",
            f"B|support|NONE|EXITEMPTY|1|1|{wait}",
        ]
    finally:
        await rig.stop()


async def test_paused_member_is_not_rung_until_unpaused(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"strategy": "ringall"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101", delay=1.5, handle=2.5)
        await rig.member("support", "PJSIP/101")
        pause = [("Action", "QueuePause"), ("Queue", "support"), ("Interface", "PJSIP/101")]
        await rig.action(*pause, ("Paused", "true"), ("Reason", "обучение"))
        rig.enter("support", label="A")
        await rig.until_event("QueueCallerJoin")
        await rig.sleep(5)
        # unpausing with a reason (QueuePause Paused=false Reason=...) as app_queue does it
        assert (
            rig.emu.queues.pause_member("PJSIP/101", False, queue="support", reason="вернулся")
            == ""
        )
        await rig.until_event("AgentComplete")
        assert [e for e in rig.events(members=True) if "Status" not in e][:5] == [
            "QueueMemberAdded support PJSIP/101 0 0",
            "QueueMemberPause support PJSIP/101 1 обучение",
            "QueueCallerJoin A support 1 1",
            "QueueMemberPause support PJSIP/101 0 вернулся",
            "AgentCalled A PJSIP/101",
        ]
        log = rig.queue_log()
        assert log[2:5] == [
            "NONE|support|Оператор 101|PAUSE|обучение",
            "A|support|NONE|ENTERQUEUE||+79990000001|1",
            "NONE|support|Оператор 101|UNPAUSE|вернулся",
        ]
        hold = int(log[5].split("|")[4])  # CONNECT|holdtime: paused 5 s, then rung
        assert 5 <= hold <= 8
    finally:
        await rig.stop()


async def test_penalty_change_and_removal_raise_events_and_log_lines(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"strategy": "ringall"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/101")
        await rig.member("support", "PJSIP/101")
        reply = await rig.action(
            ("Action", "QueuePenalty"), ("Interface", "PJSIP/101"), ("Penalty", "3")
        )
        assert get(reply, "Response") == "Success"
        reply = await rig.action(
            ("Action", "QueueRemove"), ("Queue", "support"), ("Interface", "PJSIP/101")
        )
        assert get(reply, "Response") == "Success"
        assert rig.events(members=True) == [
            "QueueMemberAdded support PJSIP/101 0 0",
            "QueueMemberPenalty support PJSIP/101 3",
            "QueueMemberRemoved support PJSIP/101",
        ]
        assert rig.queue_log()[1:] == [
            "MANAGER|support|Оператор 101|ADDMEMBER|",
            "NONE|support|PJSIP/101|PENALTY|3",
            "MANAGER|support|Оператор 101|REMOVEMEMBER|",
        ]
    finally:
        await rig.stop()


async def test_static_members_come_from_queues_conf_and_cannot_be_removed(tmp_path: Path) -> None:
    conf = queues_conf(tmp_path, support={"strategy": "linear", "member": "PJSIP/201,0,Дежурный"})
    rig = await QueueRig.start(tmp_path, conf, ("support",))
    try:
        rig.operator("PJSIP/201", delay=1.5, handle=2.5)
        assert rig.emu.queues.remove_member("support", "PJSIP/201") == "Member not dynamic"
        rig.enter("support", label="A")
        await rig.until_event("AgentComplete")
        assert rig.events()[-1] == "AgentComplete A PJSIP/201 1 2 agent"
        assert rig.queue_log()[-1] == "A|support|Дежурный|COMPLETEAGENT|1|2|1"
        assert not any("ADDMEMBER" in line for line in rig.queue_log())
    finally:
        await rig.stop()


async def test_custom_queue_log_lines_and_queue_weight(tmp_path: Path) -> None:
    conf = queues_conf(
        tmp_path,
        urgent={"strategy": "ringall", "weight": 10},
        support={"strategy": "ringall"},
    )
    rig = await QueueRig.start(tmp_path, conf, ("urgent", "support"))
    try:
        assert rig.emu.queues.log_custom("support", "SCRIPT", message="тема|жильё") == ""
        assert rig.queue_log()[-1] == "NONE|support|NONE|SCRIPT|тема|жильё"
        rig.operator("PJSIP/101", delay=1.5, handle=30)
        rig.operator("PJSIP/102", answers=False)
        await rig.member("urgent", "PJSIP/102")
        await rig.member("urgent", "PJSIP/101")
        await rig.member("support", "PJSIP/101")
        rig.enter("urgent", label="U")  # rings both; 101 answers after 1.5 s
        rig.enter("support", label="S")  # 101 is urgent's while urgent has a caller
        await rig.until_event("AgentConnect")
        called = [e for e in rig.events() if e.startswith("AgentCalled")]
        assert called == ["AgentCalled U PJSIP/102", "AgentCalled U PJSIP/101"]
    finally:
        await rig.stop()
