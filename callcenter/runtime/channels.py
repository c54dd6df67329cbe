"""What the runtime remembers about live channels: names for AMI actions, callback legs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CallbackLeg:
    callback_id: str
    answered: bool = False
    reported: bool = False
    # The citizen's own channel (citizen-first), not an operator's leg that Dials them: its
    # DialEnd facts are the queue ringing operators, not the callback's result.
    citizen_first: bool = False


@dataclass
class ChannelBook:
    names: dict[str, str] = field(default_factory=dict)  # uniqueid -> channel name
    callers: dict[str, tuple[str, str]] = field(default_factory=dict)  # uniqueid -> (num, name)
    callback_legs: dict[str, CallbackLeg] = field(default_factory=dict)  # uniqueid -> leg
    in_agi: set[str] = field(default_factory=set)  # calls an AGI route is serving right now

    def remember(self, uniqueid: str, channel: str, num: str = "", name: str = "") -> None:
        self.names[uniqueid] = channel
        if num or name:
            self.callers[uniqueid] = (num, name)

    def forget(self, uniqueid: str) -> None:
        self.names.pop(uniqueid, None)
        self.callers.pop(uniqueid, None)
        self.callback_legs.pop(uniqueid, None)

    def channel(self, uniqueid: str) -> str | None:
        return self.names.get(uniqueid)
