"""Operator state as the engine sees it, derived from Asterisk's queue member facts.

An operator is identified by the queue member interface (`PJSIP/101`). Asterisk reports one
member per queue; the engine wants one operator with the set of queues they serve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.pbx.facts import QueueMember
from queue_engine.messages import OperatorStateChanged
from queue_engine.model.operators import OperatorState

# Asterisk device states (include/asterisk/devicestate.h), as QueueMemberStatus reports them.
_NOT_INUSE, _INUSE, _BUSY, _INVALID, _UNAVAILABLE, _RINGING, _RINGINUSE, _ONHOLD = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
)
_TALKING = {_INUSE, _BUSY, _RINGINUSE, _ONHOLD}
_OFFLINE = {_INVALID, _UNAVAILABLE}
# A pause with this reason is the operator's own wrap-up (set by the operator workplace).
WRAP_UP_REASON = "wrapup"


@dataclass
class _Member:
    queues: dict[str, QueueMember] = field(default_factory=dict)


def state_of(member: QueueMember) -> tuple[OperatorState, str]:
    if member.status in _OFFLINE:
        return OperatorState.OFFLINE, ""
    if member.in_call or member.status in _TALKING:
        return OperatorState.TALKING, ""
    if member.status == _RINGING:
        return OperatorState.RINGING, ""
    if member.paused:
        if member.paused_reason == WRAP_UP_REASON:
            return OperatorState.WRAP_UP, ""
        return OperatorState.PAUSED, member.paused_reason
    return OperatorState.AVAILABLE, ""


class OperatorDirectory:
    """Keeps each interface's memberships; answers with the engine message for a change."""

    def __init__(self) -> None:
        self._members: dict[str, _Member] = {}

    def update(self, member: QueueMember) -> OperatorStateChanged:
        entry = self._members.setdefault(member.interface, _Member())
        entry.queues[member.queue] = member
        return self._message(member.interface, member)

    def remove(self, member: QueueMember) -> OperatorStateChanged:
        entry = self._members.get(member.interface)
        if entry is not None:
            entry.queues.pop(member.queue, None)
        if entry is None or not entry.queues:
            self._members.pop(member.interface, None)
            return OperatorStateChanged(member.interface, OperatorState.OFFLINE, ())
        latest = next(iter(entry.queues.values()))
        return self._message(member.interface, latest)

    def reset(self) -> None:
        self._members.clear()

    def interfaces(self) -> list[str]:
        return list(self._members)

    def queues_of(self, interface: str) -> tuple[str, ...]:
        entry = self._members.get(interface)
        return tuple(sorted(entry.queues)) if entry else ()

    def _message(self, interface: str, member: QueueMember) -> OperatorStateChanged:
        state, reason = state_of(member)
        return OperatorStateChanged(interface, state, self.queues_of(interface), reason)
