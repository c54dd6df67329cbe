"""Builders for adapter facts used by the runtime tests (the AMI wire is tested in pbx/)."""

from __future__ import annotations

from callcenter.pbx import facts as f


def member(
    interface: str = "PJSIP/101",
    queue: str = "citizens",
    *,
    status: int = 1,
    paused: bool = False,
    reason: str = "",
    in_call: bool = False,
) -> f.QueueMember:
    return f.QueueMember(
        queue=queue,
        interface=interface,
        name=interface,
        state_interface=interface,
        membership="dynamic",
        penalty=0,
        calls_taken=0,
        last_call=0,
        last_pause=0,
        login_time=0,
        in_call=in_call,
        status=status,
        paused=paused,
        paused_reason=reason,
        wrapuptime=0,
    )


def joined(uid: str, queue: str = "citizens", caller: str = "+79161234567") -> f.CallerJoinedQueue:
    return f.CallerJoinedQueue(
        queue=queue,
        uniqueid=uid,
        channel=f"PJSIP/trunk-{uid}",
        linkedid=uid,
        position=1,
        count=1,
        callerid_num=caller,
        callerid_name="Пётр",
    )


def connected(uid: str, interface: str = "PJSIP/101", hold: int = 5) -> f.AgentConnected:
    return f.AgentConnected(
        queue="citizens",
        uniqueid=uid,
        channel=f"PJSIP/trunk-{uid}",
        interface=interface,
        member_name=interface,
        member_channel=f"{interface}-0001",
        member_uniqueid=f"m-{uid}",
        hold_time=hold,
        ring_time=1,
    )


def completed(uid: str, interface: str = "PJSIP/101") -> f.AgentCompleted:
    return f.AgentCompleted(
        queue="citizens",
        uniqueid=uid,
        interface=interface,
        member_name=interface,
        member_uniqueid=f"m-{uid}",
        hold_time=5,
        talk_time=60,
        reason="caller",
    )


def hangup(uid: str) -> f.ChannelHungUp:
    return f.ChannelHungUp(
        channel=f"PJSIP/trunk-{uid}", uniqueid=uid, linkedid=uid, cause=16, cause_txt="Normal"
    )
