"""Translators for queue events (callers, agents, members) and the snapshot list items.

Part of the table in `callcenter.pbx.ami_events`; kept apart only to keep modules short.
"""

from __future__ import annotations

from callcenter.pbx import facts as f
from callcenter.pbx import snapshots as s
from callcenter.pbx.ami_fields import Headers, caller_text, hms_seconds, integer, queue_member, text


def caller_join(m: Headers) -> f.Fact:
    return f.CallerJoinedQueue(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        channel=text(m, "channel"),
        linkedid=text(m, "linkedid"),
        position=integer(m, "position"),
        count=integer(m, "count"),
        callerid_num=caller_text(m, "calleridnum"),
        callerid_name=caller_text(m, "calleridname"),
    )


def caller_leave(m: Headers) -> f.Fact:
    return f.CallerLeftQueue(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        channel=text(m, "channel"),
        position=integer(m, "position"),
        count=integer(m, "count"),
    )


def caller_abandon(m: Headers) -> f.Fact:
    return f.CallerAbandoned(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        channel=text(m, "channel"),
        position=integer(m, "position"),
        original_position=integer(m, "originalposition"),
        hold_time=integer(m, "holdtime"),
    )


def agent_called(m: Headers) -> f.Fact:
    return f.AgentCalled(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        channel=text(m, "channel"),
        interface=text(m, "interface"),
        member_name=text(m, "membername"),
        member_channel=text(m, "destchannel"),
        member_uniqueid=text(m, "destuniqueid"),
    )


def agent_connect(m: Headers) -> f.Fact:
    return f.AgentConnected(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        channel=text(m, "channel"),
        interface=text(m, "interface"),
        member_name=text(m, "membername"),
        member_channel=text(m, "destchannel"),
        member_uniqueid=text(m, "destuniqueid"),
        hold_time=integer(m, "holdtime"),
        ring_time=integer(m, "ringtime"),
    )


def agent_complete(m: Headers) -> f.Fact:
    return f.AgentCompleted(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        interface=text(m, "interface"),
        member_name=text(m, "membername"),
        member_uniqueid=text(m, "destuniqueid"),
        hold_time=integer(m, "holdtime"),
        talk_time=integer(m, "talktime"),
        reason=text(m, "reason"),
    )


def agent_dump(m: Headers) -> f.Fact:
    return f.AgentDumped(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        interface=text(m, "interface"),
        member_name=text(m, "membername"),
    )


def agent_ring_no_answer(m: Headers) -> f.Fact:
    return f.AgentRingNoAnswer(
        queue=text(m, "queue"),
        uniqueid=text(m, "uniqueid"),
        interface=text(m, "interface"),
        member_name=text(m, "membername"),
        member_uniqueid=text(m, "destuniqueid"),
        ring_time_ms=integer(m, "ringtime"),
    )


def member_paused(m: Headers) -> f.Fact:
    member = queue_member(m)
    return f.QueueMemberPaused(member=member, paused=member.paused, reason=member.paused_reason)


def queue_params(m: Headers) -> f.Fact:
    return s.QueueParamsSnapshot(
        queue=text(m, "queue"),
        max=integer(m, "max"),
        strategy=text(m, "strategy"),
        calls=integer(m, "calls"),
        holdtime=integer(m, "holdtime"),
        talktime=integer(m, "talktime"),
        completed=integer(m, "completed"),
        abandoned=integer(m, "abandoned"),
        service_level=integer(m, "servicelevel"),
        service_level_perf=float(text(m, "servicelevelperf") or 0),
        weight=integer(m, "weight"),
    )


def queue_entry(m: Headers) -> f.Fact:
    return s.QueueEntrySnapshot(
        queue=text(m, "queue"),
        position=integer(m, "position"),
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        callerid_num=caller_text(m, "calleridnum"),
        callerid_name=caller_text(m, "calleridname"),
        wait=integer(m, "wait"),
        priority=integer(m, "priority"),
    )


def core_show_channel(m: Headers) -> f.Fact:
    return s.ChannelSnapshot(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        linkedid=text(m, "linkedid"),
        state=integer(m, "channelstate"),
        state_desc=text(m, "channelstatedesc"),
        callerid_num=caller_text(m, "calleridnum"),
        callerid_name=caller_text(m, "calleridname"),
        context=text(m, "context"),
        exten=text(m, "exten"),
        priority=text(m, "priority"),
        application=text(m, "application"),
        application_data=text(m, "applicationdata"),
        duration_s=hms_seconds(text(m, "duration") or "0"),
        bridge_id=text(m, "bridgeid"),
    )
