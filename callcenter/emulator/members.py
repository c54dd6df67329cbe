"""Queues, their members and waiting callers, and device states with the QueueMember* events.

A member's device state belongs to its interface and is shared by every queue it is in; each
change raises one `QueueMemberStatus` per membership.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.emulator.model import AGENT, Channel, Publish
from callcenter.emulator.wire import Headers

NOT_INUSE, INUSE, UNAVAILABLE, RINGING = 1, 2, 5, 6


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

    def headers(self, *, listing: bool = False) -> Headers:
        who = (
            [("Name", self.name), ("Location", self.interface)]
            if listing
            else [
                ("MemberName", self.name),
                ("Interface", self.interface),
            ]
        )
        tail = [] if listing else [("Ringinuse", "0")]
        return [
            ("Queue", self.queue),
            *who,
            ("StateInterface", self.state_interface),
            ("Membership", "dynamic"),
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


@dataclass(eq=False)
class Entry:
    channel: Channel
    priority: int
    joined_at: float
    original_position: int = 0
    ringing: bool = False
    options: str = ""  # Queue()'s options; "c": the caller continues when the agent hangs up


@dataclass
class Queue:
    name: str
    members: dict[str, Member] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    holdtime: float = 0.0
    talktime: float = 0.0

    def insert(self, entry: Entry) -> int:
        index = next(
            (i for i, e in enumerate(self.entries) if e.priority < entry.priority),
            len(self.entries),
        )
        self.entries.insert(index, entry)
        return index + 1

    def params(self) -> Headers:
        return [
            ("Queue", self.name),
            ("Max", "0"),
            ("Strategy", "leastrecent"),
            ("Calls", str(len(self.entries))),
            ("Holdtime", str(int(self.holdtime))),
            ("TalkTime", str(int(self.talktime))),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", "40"),
            ("ServicelevelPerf", "0.0"),
            ("ServicelevelPerf2", "0.0"),
            ("Weight", "0"),
        ]
