"""Queues, their members and waiting callers, and device states with the QueueMember* events.

A member's device state belongs to its interface and is shared by every queue it is in; each
change raises one `QueueMemberStatus` per membership. Every other member event also goes to
`Devices.on_member_event`, where the queue application writes its queue_log line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.emulator.model import AGENT, Channel, Publish
from callcenter.emulator.queue_conf import QueueSettings
from callcenter.emulator.wire import Headers

UNKNOWN, NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING = 0, 1, 2, 3, 4, 5, 6
_CONDITION_OF_STATE = {
    INVALID: "invalid",
    UNAVAILABLE: "unavailable",
    INUSE: "inuse",
    RINGING: "ringing",
    UNKNOWN: "unknown",
}


@dataclass(eq=False)
class Member:
    queue: str
    interface: str
    name: str
    state_interface: str
    penalty: int = 0
    paused: bool = False
    reason: str = ""
    calls_taken: int = 0
    last_call: float = 0.0
    last_pause: float = 0.0
    login_time: float = 0.0
    status: int = NOT_INUSE
    in_call: bool = False
    ringinuse: bool = True
    dynamic: bool = True

    def headers(self, *, listing: bool = False) -> Headers:
        who = (
            [("Name", self.name), ("Location", self.interface)]
            if listing
            else [
                ("MemberName", self.name),
                ("Interface", self.interface),
            ]
        )
        tail = [] if listing else [("Ringinuse", "1" if self.ringinuse else "0")]
        return [
            ("Queue", self.queue),
            *who,
            ("StateInterface", self.state_interface),
            ("Membership", "dynamic" if self.dynamic else "static"),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(int(self.last_call))),
            ("LastPause", str(int(self.last_pause))),
            ("LoginTime", str(int(self.login_time))),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.reason),
            *tail,
            ("Wrapuptime", "0"),
        ]


@dataclass
class Devices:
    """Device state per interface; `known` interfaces have a bot behind them."""

    publish: Publish
    known: set[str] = field(default_factory=set)
    states: dict[str, int] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    on_member_event: Callable[[str, Member], None] | None = None

    def state(self, interface: str) -> int:
        if interface not in self.known:
            return UNAVAILABLE
        return self.states.get(interface, NOT_INUSE)

    def change(self, interface: str, state: int) -> None:
        if self.states.get(interface) == state:
            return
        self.states[interface] = state
        for m in self.members:
            if m.interface == interface:
                m.status = state
                m.in_call = state == INUSE
                self.publish("QueueMemberStatus", AGENT, m.headers())

    def member_event(self, event: str, m: Member) -> None:
        m.status = self.state(m.interface)
        self.publish(event, AGENT, m.headers())
        if self.on_member_event is not None:
            self.on_member_event(event, m)


@dataclass(eq=False)
class Entry:
    channel: Channel
    priority: int
    joined_at: float
    original_position: int = 0
    ringing: bool = False
    linpos: int = 0  # linear strategy: where this caller's next attempt starts


@dataclass
class Queue:
    settings: QueueSettings
    members: dict[str, Member] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    completed_in_sl: int = 0
    holdtime: float = 0.0
    talktime: float = 0.0
    rrpos: int = 0

    @property
    def name(self) -> str:
        return self.settings.name

    def position(self, entry: Entry) -> int:
        return self.entries.index(entry) + 1

    def insert(self, entry: Entry, wanted: int = 0) -> int:
        """app_queue's join_queue: behind every caller of equal or higher priority; a wanted
        position (Queue()'s 10th argument) only among callers of equal or lower priority."""
        index = len(self.entries)
        for i, e in enumerate(self.entries):
            if entry.priority > e.priority or (
                wanted and entry.priority >= e.priority and wanted <= i + 1
            ):
                index = i
                break
        self.entries.insert(index, entry)
        return index + 1

    def empty(self, conditions: frozenset[str], state: Callable[[str], int], now: float) -> bool:
        """app_queue's get_member_status: no member escapes every one of `conditions`."""
        return not any(
            self._counts(m, conditions, state(m.interface), now) for m in self.members.values()
        )

    def _counts(self, m: Member, conditions: frozenset[str], state: int, now: float) -> bool:
        if _CONDITION_OF_STATE.get(state) in conditions:
            return False
        if m.paused and "paused" in conditions:
            return False
        wrapup = self.settings.wrapup_s
        return not ("wrapup" in conditions and m.last_call and now < m.last_call + wrapup)

    def params(self) -> Headers:
        s = self.settings
        perf = 100.0 * self.completed_in_sl / self.completed if self.completed else 0.0
        total = self.completed + self.abandoned
        perf2 = 100.0 * self.completed_in_sl / total if total else 0.0
        return [
            ("Queue", self.name),
            ("Max", str(s.maxlen)),
            ("Strategy", s.strategy),
            ("Calls", str(len(self.entries))),
            ("Holdtime", str(int(self.holdtime))),
            ("TalkTime", str(int(self.talktime))),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", str(s.servicelevel)),
            ("ServicelevelPerf", f"{perf:.1f}"),
            ("ServicelevelPerf2", f"{perf2:.1f}"),
            ("Weight", str(s.weight)),
        ]
