"""The live picture read back from Asterisk on every (re)connect.

`QueueStatus` gives queues (`QueueParams`), members (`QueueMember`) and waiting callers
(`QueueEntry`); `CoreShowChannels` gives every channel. `PbxResynced` carries both, and the
client inserts it into the fact stream where Asterisk took it (see `callcenter.pbx.ami`).
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.pbx.facts import Fact, QueueMember


@dataclass(frozen=True, slots=True)
class QueueParamsSnapshot(Fact):
    queue: str
    max: int
    strategy: str
    calls: int
    holdtime: int
    talktime: int
    completed: int
    abandoned: int
    service_level: int
    service_level_perf: float
    weight: int


@dataclass(frozen=True, slots=True)
class QueueMemberSnapshot(Fact):
    member: QueueMember


@dataclass(frozen=True, slots=True)
class QueueEntrySnapshot(Fact):
    queue: str
    position: int
    channel: str
    uniqueid: str
    callerid_num: str
    callerid_name: str
    wait: int
    priority: int


@dataclass(frozen=True, slots=True)
class ChannelSnapshot(Fact):
    channel: str
    uniqueid: str
    linkedid: str
    state: int
    state_desc: str
    callerid_num: str
    callerid_name: str
    context: str
    exten: str
    priority: str
    application: str
    application_data: str
    duration_s: int
    bridge_id: str


@dataclass(frozen=True, slots=True)
class PbxResynced(Fact):
    """Everything Asterisk reported right after a (re)connect; replaces the live picture."""

    queues: tuple[QueueParamsSnapshot, ...]
    members: tuple[QueueMember, ...]
    entries: tuple[QueueEntrySnapshot, ...]
    channels: tuple[ChannelSnapshot, ...]


@dataclass(frozen=True, slots=True)
class ResyncFailed(Fact):
    """The snapshot could not be read; live events still flow, the picture may be stale."""

    reason: str
