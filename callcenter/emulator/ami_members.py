"""The queue member actions (QueueAdd/Remove/Pause/Penalty) and QueueLog, as app_queue answers."""

from __future__ import annotations

from callcenter.emulator.ami_session import Session
from callcenter.emulator.members import Member
from callcenter.emulator.model import Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.wire import Headers, get

_TRUE = frozenset({"yes", "true", "y", "t", "1", "on"})


def _penalty(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else None


class Members:
    def __init__(self, *, pbx: Pbx, queues: QueueApp) -> None:
        self.pbx, self.queues = pbx, queues
        self.queue_log: list[str] = []  # 'time|uniqueid|queue|interface|event|message' lines

    def add(self, s: Session, m: Headers) -> None:
        queue, interface = get(m, "Queue"), get(m, "Interface")
        if not queue:
            s.error(m, "'Queue' not specified.")
            return
        if not interface:
            s.error(m, "'Interface' not specified.")
            return
        paused = get(m, "Paused").lower() in _TRUE
        penalty = _penalty(get(m, "Penalty")) or 0
        error = self.queues.add_member(
            queue,
            interface,
            name=get(m, "MemberName"),
            state_interface=get(m, "StateInterface"),
            penalty=max(penalty, 0),
            paused=paused,
            reason=get(m, "Reason") if paused else "",
        )
        if error:
            s.error(m, error)
        else:
            s.ack(m, "Added interface to queue")

    def remove(self, s: Session, m: Headers) -> None:
        queue, interface = get(m, "Queue"), get(m, "Interface")
        if not queue or not interface:
            s.error(m, "Need 'Queue' and 'Interface' parameters.")
            return
        q = self.queues.queues.get(queue)
        if q is None:
            s.error(m, "Unable to remove interface from queue: No such queue")
            return
        member = q.members.pop(interface, None)
        if member is None:
            s.error(m, "Unable to remove interface: Not there")
            return
        self.queues.devices.members.remove(member)
        self.queues.devices.member_event("QueueMemberRemoved", member)
        s.ack(m, "Removed interface from queue")

    def _members(self, m: Headers) -> list[Member]:
        interface, queue = get(m, "Interface"), get(m, "Queue")
        return [
            x
            for x in self.queues.devices.members
            if x.interface == interface and (not queue or x.queue == queue)
        ]

    def pause(self, s: Session, m: Headers) -> None:
        if not get(m, "Interface") or not get(m, "Paused"):
            s.error(m, "Need 'Interface' and 'Paused' parameters.")
            return
        members = self._members(m)
        if not members:
            s.error(m, "Interface not found")
            return
        paused, reason = get(m, "Paused").lower() in _TRUE, get(m, "Reason")
        for member in members:
            member.paused = paused
            member.reason = reason  # an unpause shows its reason in the event, then clears it
            if paused:
                member.last_pause = self.pbx.clock.now()
            self.queues.devices.member_event("QueueMemberPause", member)
            if not paused:
                member.reason = ""
        s.ack(m, f"Interface {'paused' if paused else 'unpaused'} successfully")
        self.queues.poke()

    def penalty(self, s: Session, m: Headers) -> None:
        text = get(m, "Penalty")
        if not get(m, "Interface") or not text:
            s.error(m, "Need 'Interface' and 'Penalty' parameters.")
            return
        penalty = _penalty(text)
        members = self._members(m)
        if penalty is None or penalty < 0 or not members:
            s.error(m, "Invalid interface, queuename or penalty")
            return
        for member in members:
            member.penalty = penalty
            self.queues.devices.member_event("QueueMemberPenalty", member)
        s.ack(m, "Interface penalty set successfully")

    def log(self, s: Session, m: Headers) -> None:
        queue, event = get(m, "Queue"), get(m, "Event")
        if not queue or not event:
            s.error(m, "Need 'Queue' and 'Event' parameters.")
            return
        fields = [
            str(int(self.pbx.clock.now())),
            get(m, "Uniqueid") or "NONE",
            queue,
            get(m, "Interface") or "NONE",
            event,
            get(m, "Message"),
        ]
        self.queue_log.append("|".join(fields))
        s.ack(m, "Event added successfully")
