"""What the engine takes over on a (re)connect: the calls and callback legs Asterisk has now.

After a restart the engine knows none of the calls in progress. `CoreShowChannels` and
`QueueStatus` show them: callers waiting in a queue (with how long they have waited), callers
bridged with an operator's channel, and the operator legs of callbacks being dialled. A callback
leg is recognised by its Uniqueid, which the engine chose when it originated it (Originate's
`ChannelId`, see `callback_channel_id`), so a request still being dialled is followed, never
dialled a second time. Times Asterisk reports in whole seconds (how long a channel has existed,
how long a caller has waited) become estimates of arrival, join and answer times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from callcenter.pbx.snapshots import ChannelSnapshot, PbxResynced, QueueEntrySnapshot
from queue_engine.messages import CallAdopted, CallbackLegFound

_LEG_MARK = "-try"
_PAUSE_MARK = "callback "  # the pause reason of an operator reserved for a callback


def reserve_reason(callback_id: str) -> str:
    """The pause reason the engine gives an operator it reserves for a callback."""
    return f"{_PAUSE_MARK}{callback_id}"


def reserved_callback(pause_reason: str) -> str | None:
    return pause_reason.removeprefix(_PAUSE_MARK) if pause_reason.startswith(_PAUSE_MARK) else None


def callback_channel_id(callback_id: str, attempt: int) -> str:
    """The Uniqueid the engine gives the operator leg of a callback attempt."""
    return f"{callback_id}{_LEG_MARK}{attempt}"


def parse_callback_leg(uniqueid: str) -> tuple[str, int] | None:
    callback_id, mark, attempt = uniqueid.rpartition(_LEG_MARK)
    if not mark or not callback_id or not attempt.isdigit():
        return None
    return callback_id, int(attempt)


@dataclass(frozen=True)
class Takeover:
    """Engine messages that rebuild the picture; `legs` pairs each leg with its Uniqueid."""

    legs: tuple[tuple[str, CallbackLegFound], ...]
    waiting: tuple[CallAdopted, ...]
    talking: tuple[CallAdopted, ...]


def takeover(
    fact: PbxResynced,
    now: float,
    *,
    is_callback: Callable[[str], bool],
    ours: Callable[[str], bool],
) -> Takeover:
    members = {m.interface for m in fact.members}
    channels = {c.uniqueid: c for c in fact.channels}
    bridges: dict[str, list[ChannelSnapshot]] = {}
    for channel in fact.channels:
        if channel.bridge_id:
            bridges.setdefault(channel.bridge_id, []).append(channel)

    def operator_of(channel: ChannelSnapshot) -> str:
        interface = channel.channel.rpartition("-")[0]
        return interface if interface in members else ""

    def leg_of(channel: ChannelSnapshot) -> tuple[str, int] | None:
        parsed = parse_callback_leg(channel.uniqueid)
        return parsed if parsed is not None and is_callback(parsed[0]) else None

    legs: list[tuple[str, CallbackLegFound]] = []
    for channel in fact.channels:
        parsed = leg_of(channel)
        if parsed is None:
            continue
        others = [c for c in bridges.get(channel.bridge_id, ()) if c is not channel]
        answered = now - max(c.duration_s for c in others) if others else None
        found = CallbackLegFound(parsed[0], operator_of(channel), parsed[1], answered)
        legs.append((channel.uniqueid, found))

    waiting = [
        _waiting(entry, channels.get(entry.uniqueid), now)
        for entry in sorted(fact.entries, key=lambda e: (e.queue, e.position))
        if ours(entry.queue)
    ]
    talking = []
    for bridged in bridges.values():
        if any(leg_of(c) for c in bridged):
            continue  # a callback conversation: followed through its leg
        operators = [c for c in bridged if operator_of(c)]
        callers = [c for c in bridged if not operator_of(c)]
        if len(operators) == 1 and len(callers) == 1:
            op, caller = operators[0], callers[0]
            # The operator's channel is created when it starts to ring: answered a little later.
            talking.append(
                CallAdopted(
                    caller.uniqueid,
                    caller.callerid_num,
                    arrived_at=now - caller.duration_s,
                    operator_id=operator_of(op),
                    answered_at=now - op.duration_s,
                )
            )
    return Takeover(tuple(legs), tuple(waiting), tuple(talking))


def _waiting(entry: QueueEntrySnapshot, channel: ChannelSnapshot | None, now: float) -> CallAdopted:
    existed = channel.duration_s if channel is not None else entry.wait
    return CallAdopted(
        entry.uniqueid,
        entry.callerid_num,
        arrived_at=now - max(existed, entry.wait),
        queue=entry.queue,
        joined_at=now - entry.wait,
        priority=entry.priority,
    )
