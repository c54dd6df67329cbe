"""The queue member actions (QueueAdd/Remove/Pause/Penalty) and QueueLog, as app_queue answers."""

from __future__ import annotations

from callcenter.emulator.ami_session import Session
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
        self._answer(
            s, m, self.queues.remove_member(queue, interface), "Removed interface from queue"
        )

    def pause(self, s: Session, m: Headers) -> None:
        if not get(m, "Interface") or not get(m, "Paused"):
            s.error(m, "Need 'Interface' and 'Paused' parameters.")
            return
        paused = get(m, "Paused").lower() in _TRUE
        error = self.queues.pause_member(
            get(m, "Interface"), paused, queue=get(m, "Queue"), reason=get(m, "Reason")
        )
        self._answer(s, m, error, f"Interface {'paused' if paused else 'unpaused'} successfully")

    def penalty(self, s: Session, m: Headers) -> None:
        text = get(m, "Penalty")
        if not get(m, "Interface") or not text:
            s.error(m, "Need 'Interface' and 'Penalty' parameters.")
            return
        penalty = _penalty(text)
        error = (
            "Invalid interface, queuename or penalty"
            if penalty is None
            else self.queues.set_penalty(get(m, "Interface"), penalty, queue=get(m, "Queue"))
        )
        self._answer(s, m, error, "Interface penalty set successfully")

    def log(self, s: Session, m: Headers) -> None:
        error = self.queues.log_custom(
            get(m, "Queue"),
            get(m, "Event"),
            uniqueid=get(m, "Uniqueid"),
            interface=get(m, "Interface"),
            message=get(m, "Message"),
        )
        self._answer(s, m, error, "Event added successfully")

    @staticmethod
    def _answer(s: Session, m: Headers, error: str, done: str) -> None:
        """The queue model answers "" or Asterisk's error text."""
        if error:
            s.error(m, error)
        else:
            s.ack(m, done)
