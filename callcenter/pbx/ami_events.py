"""The one table from AMI event names to translators that turn a message into a typed fact.

Every event Asterisk documents in `shared/asterisk/ami_spec.json` has an entry: a translator, or
`ignore` when the engine has no use for it (said so here rather than by omission). Translators
are pure functions of the headers, read by lowercased name (see `ami_fields`); a malformed value
raises and `translate` logs and drops only that event. Events missing from the table are dropped
without a word (Asterisk has hundreds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from callcenter.pbx import ami_queue_translators as q
from callcenter.pbx import facts as f
from callcenter.pbx import snapshots as s
from callcenter.pbx.ami_fields import (
    Headers,
    caller_text,
    flag,
    integer,
    queue_member,
    text,
    unescape_c,
)

log = logging.getLogger(__name__)

Translator = Callable[[Headers], f.Fact | None]

CC_VARIABLE_PREFIX = "CC_"


def ignore(m: Headers) -> None:
    """The engine does not need this event."""
    return None


def _created(m: Headers) -> f.Fact:
    return f.ChannelCreated(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        linkedid=text(m, "linkedid"),
        state=integer(m, "channelstate"),
        callerid_num=caller_text(m, "calleridnum"),
        callerid_name=caller_text(m, "calleridname"),
        context=text(m, "context"),
        exten=text(m, "exten"),
    )


def _new_state(m: Headers) -> f.Fact:
    return f.ChannelStateChanged(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        state=integer(m, "channelstate"),
        state_desc=text(m, "channelstatedesc"),
    )


def _hangup(m: Headers) -> f.Fact:
    return f.ChannelHungUp(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        linkedid=text(m, "linkedid"),
        cause=integer(m, "cause"),
        cause_txt=text(m, "cause-txt"),
    )


def _dial_end(m: Headers) -> f.Fact:
    return f.DialEnded(
        uniqueid=text(m, "uniqueid"),
        dest_channel=text(m, "destchannel"),
        dest_uniqueid=text(m, "destuniqueid"),
        dial_status=text(m, "dialstatus"),
    )


def _var_set(m: Headers) -> f.Fact | None:
    name = text(m, "variable")
    if not name.startswith(CC_VARIABLE_PREFIX):
        return None
    return f.VariableSet(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        name=name,
        value=unescape_c(text(m, "value")),
    )


def _dtmf_end(m: Headers) -> f.Fact | None:
    if text(m, "direction") != "Received":
        return None
    return f.DtmfReceived(
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        digit=text(m, "digit"),
        duration_ms=integer(m, "durationms"),
    )


def _blind_transfer(m: Headers) -> f.Fact:
    return f.BlindTransferred(
        result=text(m, "result"),
        transferer_channel=text(m, "transfererchannel"),
        transferer_uniqueid=text(m, "transfereruniqueid"),
        transferee_channel=text(m, "transfereechannel"),
        transferee_uniqueid=text(m, "transfereeuniqueid"),
        context=text(m, "context"),
        extension=text(m, "extension"),
        is_external=flag(m, "isexternal"),
    )


def _attended_transfer(m: Headers) -> f.Fact:
    return f.AttendedTransferred(
        result=text(m, "result"),
        dest_type=text(m, "desttype"),
        orig_transferer_uniqueid=text(m, "origtransfereruniqueid"),
        second_transferer_uniqueid=text(m, "secondtransfereruniqueid"),
        transferee_uniqueid=text(m, "transfereeuniqueid"),
        transfer_target_uniqueid=text(m, "transfertargetuniqueid"),
    )


def _user_event(m: Headers) -> f.Fact:
    # Custom headers are the ones after 'UserEvent:', under the names as written.
    names = m.names()
    start = next((i + 1 for i, k in enumerate(names) if k.lower() == "userevent"), len(names))
    custom = tuple((k, text(m, k.lower())) for k in names[start:])
    return f.UserEventReceived(
        name=text(m, "userevent"),
        channel=text(m, "channel"),
        uniqueid=text(m, "uniqueid"),
        headers=custom,
    )


def _fully_booted(m: Headers) -> f.Fact:
    return f.PbxFullyBooted(uptime=integer(m, "uptime"), last_reload=integer(m, "lastreload"))


def _originate_response(m: Headers) -> f.Fact:
    return f.OriginateOutcome(
        action_id=text(m, "actionid"),
        ok=text(m, "response") == "Success",
        reason=integer(m, "reason"),
        reason_text=ORIGINATE_REASONS.get(integer(m, "reason"), "unknown"),
        channel=text(m, "channel"),
        uniqueid=caller_text(m, "uniqueid"),
        context=text(m, "context"),
        exten=text(m, "exten"),
    )


ORIGINATE_REASONS: Mapping[int, str] = {
    0: "no such channel or unknown failure",
    1: "hung up",
    3: "no answer",
    4: "answered",
    5: "busy",
    8: "congestion",
}


EVENT_TRANSLATORS: Mapping[str, Translator] = {
    # channels
    "Newchannel": _created,
    "Newstate": _new_state,
    "Newexten": ignore,
    "VarSet": _var_set,
    "Hangup": _hangup,
    "HangupRequest": ignore,
    "SoftHangupRequest": ignore,
    "DialBegin": ignore,  # AgentCalled says the same for queue members
    "DialEnd": _dial_end,
    "BridgeCreate": ignore,
    "BridgeEnter": ignore,
    "BridgeLeave": ignore,
    "BridgeDestroy": ignore,
    "Hold": ignore,
    "Unhold": ignore,
    "MusicOnHoldStart": ignore,
    "MusicOnHoldStop": ignore,
    "DTMFBegin": ignore,  # DTMFEnd carries the digit and its duration
    "DTMFEnd": _dtmf_end,
    "BlindTransfer": _blind_transfer,
    "AttendedTransfer": _attended_transfer,
    "UserEvent": _user_event,
    "Cdr": ignore,  # the engine keeps its own call records
    # queue callers and agents
    "QueueCallerJoin": q.caller_join,
    "QueueCallerLeave": q.caller_leave,
    "QueueCallerAbandon": q.caller_abandon,
    "AgentCalled": q.agent_called,
    "AgentConnect": q.agent_connect,
    "AgentComplete": q.agent_complete,
    "AgentDump": q.agent_dump,
    "AgentRingNoAnswer": q.agent_ring_no_answer,
    # queue members
    "QueueMemberAdded": lambda m: f.QueueMemberAdded(member=queue_member(m)),
    "QueueMemberRemoved": lambda m: f.QueueMemberRemoved(member=queue_member(m)),
    "QueueMemberPause": q.member_paused,
    "QueueMemberStatus": lambda m: f.QueueMemberStatusChanged(member=queue_member(m)),
    "QueueMemberPenalty": lambda m: f.QueueMemberPenaltyChanged(member=queue_member(m)),
    "QueueMemberRinginuse": ignore,
    # snapshot lists (normally consumed by the action that asked for them)
    "QueueParams": q.queue_params,
    "QueueMember": lambda m: s.QueueMemberSnapshot(member=queue_member(m)),
    "QueueEntry": q.queue_entry,
    "QueueStatusComplete": ignore,
    "QueueSummary": ignore,
    "CoreShowChannel": q.core_show_channel,
    "CoreShowChannelsComplete": ignore,
    # system, originate, AGI
    "FullyBooted": _fully_booted,
    "OriginateResponse": _originate_response,
    "AsyncAGIStart": ignore,  # we run FastAGI, not async AGI
    "AsyncAGIExec": ignore,
    "AsyncAGIEnd": ignore,
    "AGIExecStart": ignore,
    "AGIExecEnd": ignore,
}

# The events that can yield a fact; the client's decoder drops the others without parsing them.
TRANSLATED_EVENTS = frozenset(name for name, t in EVENT_TRANSLATORS.items() if t is not ignore)


def translate(message: Headers) -> f.Fact | None:
    """The fact an event stands for, or None (ignored, unknown, or malformed and logged)."""
    name = text(message, "event")
    translator = EVENT_TRANSLATORS.get(name)
    if translator is None:
        return None
    try:
        return translator(message)
    except (ValueError, TypeError) as exc:
        log.warning("malformed AMI %s event dropped (%s): %r", name, exc, dict(message.items()))
        return None
