"""What the engine takes over on a (re)connect: the calls and callback legs Asterisk has now.

After a restart the engine knows none of the calls in progress. `CoreShowChannels` and
`QueueStatus` show them: callers waiting in a queue (with how long they have waited), callers
bridged with an operator's channel, and the legs of callbacks being dialled: an operator's phone
dialling the citizen (operator-first), or the citizen's own channel, ringing, waiting in the
queue or talking with an operator (citizen-first). A callback leg is recognised by its Uniqueid,
which the engine chose when it originated it (Originate's `ChannelId`, see `callback_channel_id`),
so a request still being dialled is followed, never dialled a second time, and never taken for an
inbound caller. Times Asterisk reports in whole seconds (how long a channel has existed,
how long a caller has waited) become estimates of arrival, join and answer times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from callcenter.pbx.snapshots import ChannelSnapshot, PbxResynced, QueueEntrySnapshot
from callcenter.runtime.dialplan import CALLBACK_IN_CONTEXT, CALLBACK_OUT_CONTEXT
from queue_engine.messages import CallAdopted, CallbackLegFound

_LEG_MARK = "-try"
_PAUSE_MARK = "callback "  # the pause reason of an operator reserved for a callback
_UP = 6  # Asterisk's channel state Up (answered)


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
    picture = _Picture(fact, now)
    legs = tuple(
        (channel.uniqueid, found)
        for channel in fact.channels
        if (found := picture.leg(channel, is_callback)) is not None
    )
    # A callback's channels are never inbound calls, even of a request the engine forgot.
    waiting = tuple(
        _waiting(entry, picture.channels.get(entry.uniqueid), now)
        for entry in sorted(fact.entries, key=lambda e: (e.queue, e.position))
        if ours(entry.queue) and parse_callback_leg(entry.uniqueid) is None
    )
    talking = tuple(
        adopted
        for bridged in picture.bridges.values()
        if (adopted := picture.talking(bridged)) is not None
    )
    return Takeover(legs, waiting, talking)


class _Picture:
    """Asterisk's channels, bridges, queue entries and members, as the resync read them."""

    def __init__(self, fact: PbxResynced, now: float) -> None:
        self.now = now
        self.members = {m.interface for m in fact.members}
        self.channels = {c.uniqueid: c for c in fact.channels}
        self.entries = {e.uniqueid: e for e in fact.entries}
        self.bridges: dict[str, list[ChannelSnapshot]] = {}
        for channel in fact.channels:
            if channel.bridge_id:
                self.bridges.setdefault(channel.bridge_id, []).append(channel)

    def operator_of(self, channel: ChannelSnapshot) -> str:
        interface = channel.channel.rpartition("-")[0]
        return interface if interface in self.members else ""

    def leg(
        self, channel: ChannelSnapshot, is_callback: Callable[[str], bool]
    ) -> CallbackLegFound | None:
        parsed = parse_callback_leg(channel.uniqueid)
        if parsed is None or not is_callback(parsed[0]):
            return None
        callback_id, attempt = parsed
        others = [c for c in self.bridges.get(channel.bridge_id, ()) if c is not channel]
        # The other side's channel is created when it starts to ring: answered a little later.
        talking = self.now - max(c.duration_s for c in others) if others else None
        if not self._citizens_own(channel):
            return CallbackLegFound(callback_id, self.operator_of(channel), attempt, talking)
        operator = next((self.operator_of(c) for c in others if self.operator_of(c)), "")
        answered = talking if others else self._citizen_answered(channel)
        return CallbackLegFound(callback_id, operator, attempt, answered, citizen_first=True)

    def _citizens_own(self, channel: ChannelSnapshot) -> bool:
        """A citizen-first leg is the citizen's channel: in the context Originate put it in, or
        waiting in a queue; an operator-first leg is an operator's phone running the other."""
        if channel.context == CALLBACK_IN_CONTEXT or channel.uniqueid in self.entries:
            return True
        return not self.operator_of(channel) and channel.context != CALLBACK_OUT_CONTEXT

    def _citizen_answered(self, channel: ChannelSnapshot) -> float | None:
        """Waiting in the queue, hearing the greeting, or still ringing (None)."""
        entry = self.entries.get(channel.uniqueid)
        if entry is not None:
            return self.now - entry.wait  # answered before it joined; the greeting is short
        return self.now if channel.state == _UP else None

    def talking(self, bridged: list[ChannelSnapshot]) -> CallAdopted | None:
        """A caller bridged with an operator; a callback conversation is followed by its leg."""
        if any(parse_callback_leg(c.uniqueid) for c in bridged):
            return None
        operators = [c for c in bridged if self.operator_of(c)]
        callers = [c for c in bridged if not self.operator_of(c)]
        if len(operators) != 1 or len(callers) != 1:
            return None
        op, caller = operators[0], callers[0]
        # The operator's channel is created when it starts to ring: answered a little later.
        return CallAdopted(
            caller.uniqueid,
            caller.callerid_num,
            arrived_at=self.now - caller.duration_s,
            operator_id=self.operator_of(op),
            answered_at=self.now - op.duration_s,
        )


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
