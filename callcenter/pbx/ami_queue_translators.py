"""Translators for queue events (callers, agents, members) and the snapshot list items.

Part of the table in `callcenter.pbx.ami_events`; kept apart only to keep modules short.
"""

from __future__ import annotations

from callcenter.pbx import facts as f
from callcenter.pbx import snapshots as s
from callcenter.pbx.ami_fields import Headers, caller_text, hms_seconds, integer, queue_member, text


def caller_join(m: Headers) -> f.Fact:
    return f.CallerJoinedQueue(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        channel=text(m, "Channel"),
        linkedid=text(m, "Linkedid"),
        position=integer(m, "Position"),
        count=integer(m, "Count"),
        callerid_num=caller_text(m, "CallerIDNum"),
        callerid_name=caller_text(m, "CallerIDName"),
    )


def caller_leave(m: Headers) -> f.Fact:
    return f.CallerLeftQueue(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        channel=text(m, "Channel"),
        position=integer(m, "Position"),
        count=integer(m, "Count"),
    )


def caller_abandon(m: Headers) -> f.Fact:
    return f.CallerAbandoned(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        channel=text(m, "Channel"),
        position=integer(m, "Position"),
        original_position=integer(m, "OriginalPosition"),
        hold_time=integer(m, "HoldTime"),
    )


def agent_called(m: Headers) -> f.Fact:
    return f.AgentCalled(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        channel=text(m, "Channel"),
        interface=text(m, "Interface"),
        member_name=text(m, "MemberName"),
        member_channel=text(m, "DestChannel"),
        member_uniqueid=text(m, "DestUniqueid"),
    )


def agent_connect(m: Headers) -> f.Fact:
    return f.AgentConnected(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        channel=text(m, "Channel"),
        interface=text(m, "Interface"),
        member_name=text(m, "MemberName"),
        member_channel=text(m, "DestChannel"),
        member_uniqueid=text(m, "DestUniqueid"),
        hold_time=integer(m, "HoldTime"),
        ring_time=integer(m, "RingTime"),
    )


def agent_complete(m: Headers) -> f.Fact:
    return f.AgentCompleted(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        interface=text(m, "Interface"),
        member_name=text(m, "MemberName"),
        member_uniqueid=text(m, "DestUniqueid"),
        hold_time=integer(m, "HoldTime"),
        talk_time=integer(m, "TalkTime"),
        reason=text(m, "Reason"),
    )


def agent_dump(m: Headers) -> f.Fact:
    return f.AgentDumped(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        interface=text(m, "Interface"),
        member_name=text(m, "MemberName"),
    )


def agent_ring_no_answer(m: Headers) -> f.Fact:
    return f.AgentRingNoAnswer(
        queue=text(m, "Queue"),
        uniqueid=text(m, "Uniqueid"),
        interface=text(m, "Interface"),
        member_name=text(m, "MemberName"),
        member_uniqueid=text(m, "DestUniqueid"),
        ring_time_ms=integer(m, "RingTime"),
    )


def member_paused(m: Headers) -> f.Fact:
    member = queue_member(m)
    return f.QueueMemberPaused(member=member, paused=member.paused, reason=member.paused_reason)


def queue_params(m: Headers) -> f.Fact:
    return s.QueueParamsSnapshot(
        queue=text(m, "Queue"),
        max=integer(m, "Max"),
        strategy=text(m, "Strategy"),
        calls=integer(m, "Calls"),
        holdtime=integer(m, "Holdtime"),
        talktime=integer(m, "TalkTime"),
        completed=integer(m, "Completed"),
        abandoned=integer(m, "Abandoned"),
        service_level=integer(m, "ServiceLevel"),
        service_level_perf=float(text(m, "ServicelevelPerf") or 0),
        weight=integer(m, "Weight"),
    )


def queue_entry(m: Headers) -> f.Fact:
    return s.QueueEntrySnapshot(
        queue=text(m, "Queue"),
        position=integer(m, "Position"),
        channel=text(m, "Channel"),
        uniqueid=text(m, "Uniqueid"),
        callerid_num=caller_text(m, "CallerIDNum"),
        callerid_name=caller_text(m, "CallerIDName"),
        wait=integer(m, "Wait"),
        priority=integer(m, "Priority"),
    )


def core_show_channel(m: Headers) -> f.Fact:
    return s.ChannelSnapshot(
        channel=text(m, "Channel"),
        uniqueid=text(m, "Uniqueid"),
        linkedid=text(m, "Linkedid"),
        state=integer(m, "ChannelState"),
        state_desc=text(m, "ChannelStateDesc"),
        callerid_num=caller_text(m, "CallerIDNum"),
        callerid_name=caller_text(m, "CallerIDName"),
        context=text(m, "Context"),
        exten=text(m, "Exten"),
        priority=text(m, "Priority"),
        application=text(m, "Application"),
        application_data=text(m, "ApplicationData"),
        duration_s=hms_seconds(text(m, "Duration") or "0"),
        bridge_id=text(m, "BridgeId"),
    )
