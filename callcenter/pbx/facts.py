"""Typed facts the Asterisk adapter reports: what the PBX says happened, in its own words.

Facts are adapter-level (Asterisk's identifiers: Uniqueid, Interface, queue names); the wiring
turns them into `queue_engine` messages. All are frozen dataclasses deriving from `Fact`.
Times are integers in the units Asterisk sends (seconds unless the name says `_ms`).
Snapshots taken on (re)connect live in `callcenter.pbx.snapshots`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fact:
    """Base of every adapter fact."""


@dataclass(frozen=True, slots=True)
class AmiConnected(Fact):
    """Logged in to AMI (sent on every successful (re)connect, before the resync snapshot)."""

    version: str


@dataclass(frozen=True, slots=True)
class AmiDisconnected(Fact):
    reason: str


@dataclass(frozen=True, slots=True)
class PbxFullyBooted(Fact):
    uptime: int
    last_reload: int


@dataclass(frozen=True, slots=True)
class ChannelCreated(Fact):
    channel: str
    uniqueid: str
    linkedid: str
    state: int
    callerid_num: str
    callerid_name: str
    context: str
    exten: str


@dataclass(frozen=True, slots=True)
class ChannelStateChanged(Fact):
    channel: str
    uniqueid: str
    state: int
    state_desc: str


@dataclass(frozen=True, slots=True)
class ChannelHungUp(Fact):
    channel: str
    uniqueid: str
    linkedid: str
    cause: int
    cause_txt: str


@dataclass(frozen=True, slots=True)
class DialEnded(Fact):
    """A dial attempt ended; `uniqueid` is the calling channel ("" for an Originate leg)."""

    uniqueid: str
    dest_channel: str
    dest_uniqueid: str
    dial_status: str


@dataclass(frozen=True, slots=True)
class CallerJoinedQueue(Fact):
    queue: str
    uniqueid: str
    channel: str
    linkedid: str
    position: int
    count: int
    callerid_num: str
    callerid_name: str


@dataclass(frozen=True, slots=True)
class CallerLeftQueue(Fact):
    queue: str
    uniqueid: str
    channel: str
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class CallerAbandoned(Fact):
    """Left unanswered: hang-up, Queue() timeout, leave-empty or withdraw (see queue_semantics)."""

    queue: str
    uniqueid: str
    channel: str
    position: int
    original_position: int
    hold_time: int


@dataclass(frozen=True, slots=True)
class AgentCalled(Fact):
    queue: str
    uniqueid: str
    channel: str
    interface: str
    member_name: str
    member_channel: str
    member_uniqueid: str


@dataclass(frozen=True, slots=True)
class AgentConnected(Fact):
    queue: str
    uniqueid: str
    channel: str
    interface: str
    member_name: str
    member_channel: str
    member_uniqueid: str
    hold_time: int
    ring_time: int


@dataclass(frozen=True, slots=True)
class AgentCompleted(Fact):
    queue: str
    uniqueid: str
    interface: str
    member_name: str
    member_uniqueid: str
    hold_time: int
    talk_time: int
    reason: str  # caller | agent | transfer


@dataclass(frozen=True, slots=True)
class AgentDumped(Fact):
    queue: str
    uniqueid: str
    interface: str
    member_name: str


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswer(Fact):
    queue: str
    uniqueid: str
    interface: str
    member_name: str
    member_uniqueid: str
    ring_time_ms: int


@dataclass(frozen=True, slots=True)
class QueueMember:
    """A member as QueueMember* events and the QueueStatus list describe it."""

    queue: str
    interface: str
    name: str
    state_interface: str
    membership: str
    penalty: int
    calls_taken: int
    last_call: int
    last_pause: int
    login_time: int
    in_call: bool
    status: int
    paused: bool
    paused_reason: str
    wrapuptime: int


@dataclass(frozen=True, slots=True)
class QueueMemberAdded(Fact):
    member: QueueMember


@dataclass(frozen=True, slots=True)
class QueueMemberRemoved(Fact):
    member: QueueMember


@dataclass(frozen=True, slots=True)
class QueueMemberStatusChanged(Fact):
    member: QueueMember


@dataclass(frozen=True, slots=True)
class QueueMemberPaused(Fact):
    """Paused or unpaused in one queue (one fact per queue)."""

    member: QueueMember
    paused: bool
    reason: str


@dataclass(frozen=True, slots=True)
class QueueMemberPenaltyChanged(Fact):
    member: QueueMember


@dataclass(frozen=True, slots=True)
class DtmfReceived(Fact):
    channel: str
    uniqueid: str
    digit: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class BlindTransferred(Fact):
    result: str
    transferer_channel: str
    transferer_uniqueid: str
    transferee_channel: str
    transferee_uniqueid: str
    context: str
    extension: str
    is_external: bool


@dataclass(frozen=True, slots=True)
class AttendedTransferred(Fact):
    result: str
    dest_type: str
    orig_transferer_uniqueid: str
    second_transferer_uniqueid: str
    transferee_uniqueid: str
    transfer_target_uniqueid: str


@dataclass(frozen=True, slots=True)
class VariableSet(Fact):
    """One of our own `CC_*` channel variables was set (others are not reported)."""

    channel: str
    uniqueid: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class UserEventReceived(Fact):
    name: str
    channel: str
    uniqueid: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OriginateOutcome(Fact):
    """How an async Originate ended; `reason` -1 means the outcome is unknown to us."""

    action_id: str
    ok: bool
    reason: int
    reason_text: str
    channel: str
    uniqueid: str
    context: str
    exten: str
