"""Queue member management as app_queue does it: QueueAdd/Remove/Pause/Penalty and QueueLog.

Each operation raises its QueueMember* events (through `Devices.member_event`) and the
queue_log lines of shared/asterisk/queue_semantics.md section 8. Lines are written from the
events themselves (`log_member_event`), so a caller that changes a member and raises the event
directly gets the same queue_log. Error strings are Asterisk's, for AMI to return as they are.
"""

from __future__ import annotations

from callcenter.emulator.members import Devices, Member, Queue
from callcenter.emulator.queue_log import NONE, QueueLog

MANAGER = "MANAGER"


class QueueMembers:
    def __init__(self, *, queues: dict[str, Queue], devices: Devices, log: QueueLog) -> None:
        self.queues, self.devices, self.log = queues, devices, log
        devices.on_member_event = self.log_member_event

    def add(
        self,
        queue: str,
        interface: str,
        *,
        name: str = "",
        state_interface: str = "",
        penalty: int = 0,
        paused: bool = False,
        reason: str = "",
        dynamic: bool = True,
    ) -> str:
        """QueueAdd: "" when added, else Asterisk's error message."""
        q = self.queues.get(queue)
        if q is None or not interface:
            return "Unable to add interface to queue: No such queue"
        if interface in q.members:
            return "Unable to add interface: Already there"
        now = self.log.clock.now()
        member = Member(
            queue=q.name,
            interface=interface,
            name=name or interface,
            state_interface=state_interface or interface,
            penalty=penalty,
            paused=paused,
            reason=reason if paused else "",
            login_time=now,
            last_pause=now if paused else 0.0,
            ringinuse=q.settings.ringinuse,
            dynamic=dynamic,
        )
        q.members[interface] = member
        self.devices.members.append(member)
        if dynamic:
            self.devices.member_event("QueueMemberAdded", member)
        else:
            member.status = self.devices.state(interface)
        return ""

    def remove(self, queue: str, interface: str) -> str:
        q = self.queues.get(queue)
        if q is None:
            return "Unable to remove interface from queue: No such queue"
        member = q.members.get(interface)
        if member is None:
            return "Unable to remove interface: Not there"
        if not member.dynamic:
            return "Member not dynamic"
        del q.members[interface]
        self.devices.members.remove(member)
        self.devices.member_event("QueueMemberRemoved", member)
        return ""

    def pause(self, interface: str, paused: bool, *, queue: str = "", reason: str = "") -> str:
        """QueuePause; without `queue` the member is paused in every queue (PAUSEALL)."""
        members = self._find(interface, queue)
        if not members:
            return "Interface not found"
        if not queue:
            self.log.write(NONE, NONE, interface, "PAUSEALL" if paused else "UNPAUSEALL", reason)
        for m in members:
            m.paused = paused
            m.reason = reason  # the event shows the reason given, also when unpausing
            if paused:
                m.last_pause = self.log.clock.now()
            self.devices.member_event("QueueMemberPause", m)
            if not paused:
                m.reason = ""
        return ""

    def set_penalty(self, interface: str, penalty: int, *, queue: str = "") -> str:
        members = self._find(interface, queue)
        if not members or penalty < 0:
            return "Invalid interface, queuename or penalty"
        for m in members:
            m.penalty = penalty
            self.devices.member_event("QueueMemberPenalty", m)
        return ""

    def log_custom(
        self, queue: str, event: str, *, uniqueid: str = "", interface: str = "", message: str = ""
    ) -> str:
        """AMI QueueLog: a line of the caller's own."""
        if not queue or not event:
            return "Need 'Queue' and 'Event' parameters."
        self.log.write(uniqueid or NONE, queue, interface or NONE, event, message)
        return ""

    def log_member_event(self, event: str, m: Member) -> None:
        q = self.queues.get(m.queue)
        by_name = q is not None and q.settings.log_membername_as_agent
        agent = m.name if by_name else m.interface
        if event == "QueueMemberAdded":
            self.log.write(MANAGER, m.queue, agent, "ADDMEMBER", "PAUSED" if m.paused else "")
        elif event == "QueueMemberRemoved":
            self.log.write(MANAGER, m.queue, agent, "REMOVEMEMBER", "")
        elif event == "QueueMemberPause":
            self.log.write(NONE, m.queue, agent, "PAUSE" if m.paused else "UNPAUSE", m.reason)
        elif event == "QueueMemberPenalty":
            self.log.write(NONE, m.queue, m.interface, "PENALTY", m.penalty)

    def _find(self, interface: str, queue: str) -> list[Member]:
        return [
            m
            for m in self.devices.members
            if m.interface == interface and (not queue or m.queue == queue)
        ]
