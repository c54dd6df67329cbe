"""Channels and bridges, and the AMI events their changes raise, in Asterisk's header order.

`Pbx` owns every live channel; each state change publishes an event to `publish`. A channel
running dialplan has a `task`; hanging it up (AMI Hangup, the caller's script) cancels that task
with `interrupt` saying why, so the code it was in (e.g. the queue) can emit its own events.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.clock import Clock
from callcenter.emulator.wire import Headers, escape_c

Publish = Callable[[str, str, Headers], None]  # (event, privilege, headers)

STATES = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}
DOWN, RING, RINGING, UP = 0, 4, 5, 6
CALL, AGENT, DIALPLAN, USER = "call,all", "agent,all", "dialplan,all", "user,all"
DTMF = "dtmf,all"
DTMF_MS = 100  # how long a keypress lasts (Asterisk's default DTMF duration)
CAUSES = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    26: "Answered elsewhere",
    31: "Normal, unspecified",
    34: "Circuit/channel congestion",
    127: "Interworking, unspecified",
}


@dataclass(eq=False)
class Channel:
    name: str
    uniqueid: str
    linkedid: str
    callerid_num: str
    callerid_name: str
    context: str
    exten: str
    created_at: float
    state: int = DOWN
    priority: int = 1
    application: str = ""
    app_data: str = ""
    bridge_id: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    interrupt: str = ""  # "hangup" or "redirect" when the task was cancelled on purpose
    redirect_to: tuple[str, str, int] | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    in_agi: bool = False
    sip_headers: dict[str, str] = field(default_factory=dict)  # of the INVITE that brought it
    out_headers: dict[str, str] = field(default_factory=dict)  # PJSIP_HEADER(add,..)
    inheritable: dict[str, str] = field(default_factory=dict)  # name -> "_" or "__"
    hangup_cause: int = 0  # set by AMI Hangup with a Cause; wins over the dialplan's cause
    requested: str = ""  # "hard" (the far end hung up) or "soft" (AMI Hangup) once asked to go
    moh: str = ""  # the music-on-hold class playing to the channel, "" = none

    def snapshot(self, prefix: str = "") -> Headers:
        pairs = [
            ("Channel", self.name),
            ("ChannelState", str(self.state)),
            ("ChannelStateDesc", STATES.get(self.state, "Unknown")),
            ("CallerIDNum", self.callerid_num or "<unknown>"),
            ("CallerIDName", escape_c(self.callerid_name) or "<unknown>"),
            ("ConnectedLineNum", "<unknown>"),
            ("ConnectedLineName", "<unknown>"),
            ("Language", "ru"),
            ("AccountCode", ""),
            ("Context", self.context),
            ("Exten", self.exten),
            ("Priority", str(self.priority)),
            ("Uniqueid", self.uniqueid),
            ("Linkedid", self.linkedid),
        ]
        return [(prefix + k, v) for k, v in pairs]


@dataclass(eq=False)
class Bridge:
    uniqueid: str
    members: list[Channel] = field(default_factory=list)

    def snapshot(self) -> Headers:
        return [
            ("BridgeUniqueid", self.uniqueid),
            ("BridgeType", "basic"),
            ("BridgeTechnology", "simple_bridge"),
            ("BridgeCreator", "<unknown>"),
            ("BridgeName", "<unknown>"),
            ("BridgeNumChannels", str(len(self.members))),
            ("BridgeVideoSourceMode", "none"),
        ]


class Pbx:
    def __init__(self, *, clock: Clock, publish: Publish) -> None:
        self.clock = clock
        self.publish = publish
        self.channels: dict[str, Channel] = {}  # by uniqueid
        self._ids = itertools.count(1)
        self._bridges = itertools.count(1)
        self.bridges: dict[str, Bridge] = {}  # live bridges by id

    def new_channel(
        self,
        tech_peer: str,
        *,
        num: str,
        name: str,
        context: str,
        exten: str,
        linkedid: str = "",
        uniqueid: str = "",
    ) -> Channel:
        """A new channel; `uniqueid` is Originate's ChannelId when one was given."""
        n = next(self._ids)
        now = self.clock.now()
        uniqueid = uniqueid or f"{int(now)}.{n}"
        ch = Channel(
            name=f"{tech_peer}-{n:08x}",
            uniqueid=uniqueid,
            linkedid=linkedid or uniqueid,
            callerid_num=num,
            callerid_name=name,
            context=context,
            exten=exten,
            created_at=now,
        )
        self.channels[uniqueid] = ch
        self.publish("Newchannel", CALL, ch.snapshot())
        return ch

    def by_name(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def set_state(self, ch: Channel, state: int) -> None:
        ch.state = state
        self.publish("Newstate", CALL, ch.snapshot())

    def newexten(self, ch: Channel, app: str, data: str = "", *, priority: int = 0) -> None:
        ch.application, ch.app_data = app, data
        if priority:
            ch.priority = priority
        extra = [("Extension", ch.exten), ("Application", app), ("AppData", data)]
        self.publish("Newexten", DIALPLAN, ch.snapshot() + extra)

    def goto(self, ch: Channel, context: str, exten: str, priority: int = 1) -> None:
        ch.context, ch.exten, ch.priority = context, exten, priority

    def setvar(self, ch: Channel, name: str, value: str) -> None:
        ch.variables[name] = value
        self.publish(
            "VarSet", DIALPLAN, [*ch.snapshot(), ("Variable", name), ("Value", escape_c(value))]
        )

    def set_global(self, name: str, value: str) -> None:
        """A global variable: VarSet names no channel."""
        body = [("Variable", name), ("Value", escape_c(value))]
        self.publish("VarSet", DIALPLAN, [("Channel", "none"), ("Uniqueid", "none"), *body])

    def user_event(self, ch: Channel, name: str, headers: list[tuple[str, str]]) -> None:
        """Dialplan UserEvent(name,Key: value): the channel snapshot, the name, the headers."""
        self.publish("UserEvent", USER, [*ch.snapshot(), ("UserEvent", name), *headers])

    def dial_begin(self, caller: Channel | None, dest: Channel, dialstring: str) -> None:
        head = caller.snapshot() if caller else []
        self.publish("DialBegin", CALL, head + dest.snapshot("Dest") + [("DialString", dialstring)])

    def dial_end(self, caller: Channel | None, dest: Channel, status: str) -> None:
        head = caller.snapshot() if caller else []
        self.publish("DialEnd", CALL, head + dest.snapshot("Dest") + [("DialStatus", status)])

    def hangup(self, ch: Channel, cause: int = 16, cause_txt: str = "Normal Clearing") -> None:
        """The channel is gone: Hangup event, removed from the table (idempotent)."""
        if self.channels.pop(ch.uniqueid, None) is None:
            return
        ch.gone.set()
        if ch.hangup_cause:
            cause, cause_txt = ch.hangup_cause, CAUSES.get(ch.hangup_cause, "Unknown")
        self.publish(
            "Hangup", CALL, [*ch.snapshot(), ("Cause", str(cause)), ("Cause-txt", cause_txt)]
        )

    def request_hangup(
        self, ch: Channel, reason: str = "hangup", *, cause: int | None = None, remote: bool = False
    ) -> None:
        """Ask a channel to go away: its dialplan task is cancelled, its waiters woken.

        `cause` is given by the AMI Hangup action: a soft hangup request, announced as such;
        `remote` is the far end hanging up (a BYE): a hard HangupRequest."""
        if ch.uniqueid not in self.channels:
            return
        if cause is not None:
            ch.hangup_cause = cause or ch.hangup_cause
            extra = [("Cause", str(ch.hangup_cause))] if ch.hangup_cause else []
            self.publish("SoftHangupRequest", CALL, [*ch.snapshot(), *extra])
            ch.requested = "soft"
        elif remote:
            self.hangup_request(ch)
        ch.interrupt = reason
        if ch.task is not None and not ch.task.done():
            ch.task.cancel()
        elif reason == "hangup":
            ch.gone.set()

    def hangup_request(self, ch: Channel) -> None:
        """The far end hung up (HangupRequest); announced once per channel."""
        if ch.requested or ch.uniqueid not in self.channels:
            return
        ch.requested = "hard"
        self.publish("HangupRequest", CALL, [*ch.snapshot(), ("Cause", "16")])

    def soft_hangup_request(self, ch: Channel) -> None:
        """The core tells a channel to hang up (its bridge peer left): SoftHangupRequest,
        unless an AMI Hangup already announced one."""
        if ch.requested == "soft" or ch.uniqueid not in self.channels:
            return
        ch.requested = "soft"
        cause = ch.hangup_cause or 16
        self.publish("SoftHangupRequest", CALL, [*ch.snapshot(), ("Cause", str(cause))])

    # media ---------------------------------------------------------------------------------

    def moh_start(self, ch: Channel, klass: str = "default") -> None:
        if ch.moh or ch.uniqueid not in self.channels:
            return
        ch.moh = klass
        self.publish("MusicOnHoldStart", CALL, [*ch.snapshot(), ("Class", klass)])

    def moh_stop(self, ch: Channel) -> None:
        if not ch.moh or ch.uniqueid not in self.channels:
            return
        ch.moh = ""
        self.publish("MusicOnHoldStop", CALL, ch.snapshot())

    def dtmf(self, ch: Channel, digit: str, *, begin: bool, direction: str = "Received") -> None:
        """One half of a keypress: DTMFBegin, or DTMFEnd with its duration."""
        length = [] if begin else [("DurationMs", str(DTMF_MS))]
        body = [("Digit", digit), *length, ("Direction", direction)]
        self.publish("DTMFBegin" if begin else "DTMFEnd", DTMF, [*ch.snapshot(), *body])

    def hold(self, ch: Channel, music_class: str = "") -> None:
        """The channel's phone put the call on hold (Hold; MusicClass when one was suggested)."""
        extra = [("MusicClass", music_class)] if music_class else []
        self.publish("Hold", CALL, [*ch.snapshot(), *extra])

    def unhold(self, ch: Channel) -> None:
        self.publish("Unhold", CALL, ch.snapshot())

    def bridge_of(self, ch: Channel) -> Bridge | None:
        return self.bridges.get(ch.bridge_id) if ch.bridge_id else None

    # bridges -------------------------------------------------------------------------------

    def bridge(self, first: Channel, second: Channel) -> Bridge:
        b = Bridge(uniqueid=f"emu-bridge-{next(self._bridges):06d}")
        self.bridges[b.uniqueid] = b
        self.publish("BridgeCreate", CALL, b.snapshot())
        for ch in (first, second):
            b.members.append(ch)
            ch.bridge_id = b.uniqueid
            self.publish("BridgeEnter", CALL, b.snapshot() + ch.snapshot())
        return b

    def leave_bridge(self, b: Bridge, ch: Channel) -> None:
        if ch not in b.members:
            return
        b.members.remove(ch)
        ch.bridge_id = ""
        self.publish("BridgeLeave", CALL, b.snapshot() + ch.snapshot())

    def destroy_bridge(self, b: Bridge) -> None:
        if self.bridges.pop(b.uniqueid, None) is not None:
            self.publish("BridgeDestroy", CALL, b.snapshot())

    def end_bridge(self, b: Bridge, first: Channel, *, first_ends: bool, second_ends: bool) -> None:
        """A two-party bridge comes apart, `first` (the side that ended it) leaving first; a
        side that ends is told to (SoftHangupRequest) and hangs up, in Asterisk's order
        (queue_semantics.md 4, step 10)."""
        second = next((c for c in b.members if c is not first), None)
        self.leave_bridge(b, first)
        if first_ends:
            self.soft_hangup_request(first)
        if second is not None:
            self.leave_bridge(b, second)
        self.destroy_bridge(b)
        if first_ends:
            self.hangup(first)
        if second is not None and second_ends:
            self.soft_hangup_request(second)
            self.hangup(second)


async def race(*aws: object) -> None:
    """Wait for the first of several awaitables; cancel the rest."""
    tasks = [asyncio.ensure_future(a) for a in aws]  # type: ignore[call-overload]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                if t.done():
                    t.result()
