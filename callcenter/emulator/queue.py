"""An app_queue model: the Queue() application with the settings of queues.conf.

`QueueApp.run(channel, queue, timeout, options)` is Queue(): it returns the QUEUESTATUS value
(TIMEOUT, FULL, JOINEMPTY, LEAVEEMPTY, CONTINUE...), or "" when the caller was connected and the
call ended without one (Asterisk leaves QUEUESTATUS unset then). Like app_queue it polls: a
caller who is not yet to be served looks again every second (RECHECK), the caller being served
waits `retry` seconds after each attempt. Member strategies are in strategies.py, the ring
attempt and the bridged call in queue_call.py (shared/asterisk/queue_semantics.md).
"""

from __future__ import annotations

import asyncio
import random

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.members import (
    BUSY,
    INUSE,
    INVALID,
    UNAVAILABLE,
    Devices,
    Entry,
    Member,
    Queue,
)
from callcenter.emulator.model import Channel, Pbx
from callcenter.emulator.queue_call import QueueWorld, member_delay, ring, talk
from callcenter.emulator.queue_conf import QueuesConf
from callcenter.emulator.queue_log import NONE, QueueLog
from callcenter.emulator.queue_members import QueueMembers
from callcenter.emulator.strategies import choose, metrics, next_start
from callcenter.emulator.truth import TruthBook

RECHECK_S = 1.0  # app_queue's RECHECK: how often a waiting caller looks again
_AGAIN, _WAIT, _ENDED = "again", "wait", "ended"  # internal outcomes of one attempt
_BUSY_STATES = (INUSE, BUSY, 6, 7, 8)  # in use, busy, ringing, ring+in use, on hold


class QueueApp:
    def __init__(
        self,
        *,
        pbx: Pbx,
        devices: Devices,
        bots: dict[str, OperatorBot],
        truth: TruthBook,
        names: tuple[str, ...],
        conf: QueuesConf | None = None,
        log: QueueLog | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.pbx, self.devices, self.bots, self.truth = pbx, devices, bots, truth
        conf = conf or QueuesConf()
        self.log = log or QueueLog(clock=pbx.clock)
        self.rng = rng or random.Random(0)
        self.queues = {n: Queue(conf.get(n)) for n in names}
        self.world = QueueWorld(pbx, devices, bots, truth, self.log)
        self.members = QueueMembers(queues=self.queues, devices=devices, log=self.log)
        for q in self.queues.values():
            for sm in q.settings.members:
                self.members.add(
                    q.name,
                    sm.interface,
                    name=sm.name,
                    state_interface=sm.state_interface,
                    penalty=sm.penalty,
                    dynamic=False,
                )

    def start(self) -> None:
        self.log.write(NONE, NONE, NONE, "QUEUESTART", "")

    async def stop(self) -> None:
        """Nothing runs on its own: every waiting caller lives in its channel's task."""

    # member management (the AMI actions call these) --------------------------------------

    def add_member(
        self,
        queue: str,
        interface: str,
        *,
        name: str = "",
        state_interface: str = "",
        penalty: int = 0,
        paused: bool = False,
        reason: str = "",
    ) -> str:
        """QueueAdd: "" when added, else Asterisk's error message."""
        return self.members.add(
            queue,
            interface,
            name=name,
            state_interface=state_interface,
            penalty=penalty,
            paused=paused,
            reason=reason,
        )

    def remove_member(self, queue: str, interface: str) -> str:
        return self.members.remove(queue, interface)

    def pause_member(
        self, interface: str, paused: bool, *, queue: str = "", reason: str = ""
    ) -> str:
        return self.members.pause(interface, paused, queue=queue, reason=reason)

    def set_penalty(self, interface: str, penalty: int, *, queue: str = "") -> str:
        return self.members.set_penalty(interface, penalty, queue=queue)

    def log_custom(
        self, queue: str, event: str, *, uniqueid: str = "", interface: str = "", message: str = ""
    ) -> str:
        return self.members.log_custom(
            queue, event, uniqueid=uniqueid, interface=interface, message=message
        )

    def poke(self) -> None:
        """Kept for callers that announce a change; app_queue polls, so nothing to wake."""

    # the Queue() application ------------------------------------------------------------

    async def run(
        self, ch: Channel, name: str, timeout_s: float, options: str = "", *, position: int = 0
    ) -> str:
        q = self.queues.get(name)
        if q is None:
            return "UNKNOWN"
        now = self.pbx.clock.now()
        entry = Entry(ch, _priority(ch), now)
        refused = self._refusal(q)
        if refused:
            return refused
        entry.original_position = q.insert(entry, position)
        count = [("Count", str(len(q.entries)))]
        self.world.caller_event("QueueCallerJoin", q, ch, entry.original_position, count)
        self.log.write(
            ch.uniqueid, q.name, NONE, "ENTERQUEUE", "", ch.callerid_num, entry.original_position
        )
        self.truth.joined(ch.uniqueid, now)
        self.truth.update(ch.uniqueid, outcome="queued")
        if "r" not in options:  # option r: the caller hears ringing, which raises no event
            self.pbx.moh_start(ch, q.settings.musicclass)
        expire = now + timeout_s if timeout_s > 0 else None
        try:
            return await self._serve(q, entry, expire, options)
        except asyncio.CancelledError:
            if entry in q.entries:
                self._caller_gone(q, entry)
            raise

    def _refusal(self, q: Queue) -> str:
        s, now = q.settings, self.pbx.clock.now()
        if s.joinempty and q.empty(s.joinempty, self.devices.state, now):
            return "JOINEMPTY"
        if s.maxlen and len(q.entries) >= s.maxlen:
            return "FULL"
        return ""

    async def _serve(self, q: Queue, entry: Entry, expire: float | None, options: str) -> str:
        """queue_exec's loops: wait for our turn, then attempt and retry while it lasts."""
        tries = [0]  # members rung so far (option n)
        while True:
            status = await self._wait_turn(q, entry, expire)
            while not status:
                status = await self._attempt(q, entry, expire, options, tries)
                if status == _AGAIN:
                    await self.pbx.clock.sleep(q.settings.retry_s)
                    status = "" if self._our_turn(q, entry) else _WAIT
            if status != _WAIT:
                return "" if status == _ENDED else status

    async def _wait_turn(self, q: Queue, entry: Entry, expire: float | None) -> str:
        """wait_our_turn: look again every RECHECK_S until it is this caller's turn."""
        while not self._our_turn(q, entry):
            status = self._should_leave(q, expire)
            if status:
                return self._exit(q, entry, status)
            await self.pbx.clock.sleep(RECHECK_S)
        return ""

    async def _attempt(
        self, q: Queue, entry: Entry, expire: float | None, options: str, tries: list[int]
    ) -> str:
        """One try_calling: the final QUEUESTATUS, or _AGAIN to retry after `retry` s."""
        if expire is not None and self.pbx.clock.now() >= expire:
            return self._exit(q, entry, "TIMEOUT")
        members = self._to_ring(q, entry)
        tries[0] += len(members)
        if members:
            answer = await ring(self.world, q, entry, members, self._ring_limit(q, expire))
            if answer is not None:
                self.pbx.moh_stop(entry.channel)
            if answer is not None and await member_delay(self.world, q, entry, answer):
                self._leave(q, entry)
                go_on = "c" in options
                return await talk(self.world, q, entry, answer, go_on=go_on) or _ENDED
        status = self._should_leave(q, expire)
        if not status and "n" in options and tries[0] >= len(q.members):
            status = "TIMEOUT"
        return self._exit(q, entry, status) if status else _AGAIN

    def _should_leave(self, q: Queue, expire: float | None) -> str:
        now = self.pbx.clock.now()
        if expire is not None and now >= expire:
            return "TIMEOUT"
        conditions = q.settings.leavewhenempty
        if conditions and q.empty(conditions, self.devices.state, now):
            return "LEAVEEMPTY"
        return ""

    def _ring_limit(self, q: Queue, expire: float | None) -> float | None:
        """The ring time of one attempt: the queue's `timeout`, capped by what is left of the
        caller's (timeoutpriority=app). app_queue counts what is left in whole seconds."""
        ring_s = q.settings.timeout_s or None
        if expire is None or (q.settings.timeoutpriority == "conf" and ring_s):
            return ring_s
        left = expire - self.pbx.clock.now()
        left = float(round(left)) or max(0.0, left)
        return left if ring_s is None else min(ring_s, left)

    # who may be rung ----------------------------------------------------------------------

    def _available(self, q: Queue, m: Member) -> bool:
        """app_queue's is_member_available: device state, pause, wrap-up time."""
        state = self.devices.state(m.interface)
        if state in (INVALID, UNAVAILABLE) or m.paused:
            return False
        if state in _BUSY_STATES and not m.ringinuse:
            return False
        wrapup = q.settings.wrapup_s
        return not (m.last_call and wrapup and self.pbx.clock.now() < m.last_call + wrapup)

    def _can_ring(self, q: Queue, m: Member) -> bool:
        bot = self.bots.get(m.interface)
        if bot is not None and not bot.free(self.pbx.clock.now()):
            return False
        return self._available(q, m) and not self._outweighed(q, m)

    def _outweighed(self, q: Queue, m: Member) -> bool:
        """Queue weight: a heavier queue with callers waiting keeps its shared members."""
        return any(
            other is not q
            and other.settings.weight > q.settings.weight
            and other.entries
            and m.interface in other.members
            for other in self.queues.values()
        )

    def _our_turn(self, q: Queue, entry: Entry) -> bool:
        """is_our_turn: within the first N callers not already ringing, N = members free."""
        s = q.settings
        if not s.autofill:
            return q.entries[0] is entry
        free = sum(1 for m in q.members.values() if self._available(q, m))
        if s.strategy == "ringall":
            free = min(free, 1)
        ahead = 0
        for e in q.entries:
            if e is entry:
                return ahead < free
            ahead += 0 if e.ringing else 1
        return False

    def _to_ring(self, q: Queue, entry: Entry) -> list[Member]:
        s = q.settings
        members = list(q.members.values())
        candidates = [(pos, m) for pos, m in enumerate(members) if self._can_ring(q, m)]
        start = q.rrpos if s.strategy == "rrmemory" else entry.linpos
        now = self.pbx.clock.now()
        chosen = choose(
            s.strategy, metrics(s.strategy, candidates, start=start, now=now, rng=self.rng)
        )
        if len(chosen) == 1 and s.strategy in ("rrmemory", "linear"):
            following = next_start(members.index(chosen[0]), len(members))
            if s.strategy == "rrmemory":
                q.rrpos = following
            else:
                entry.linpos = following
        return chosen

    # leaving ------------------------------------------------------------------------------

    def _exit(self, q: Queue, entry: Entry, status: str) -> str:
        """Leaving unanswered (timeout, leavewhenempty): record_abandoned, then leave_queue."""
        event = "EXITEMPTY" if status == "LEAVEEMPTY" else "EXITWITHTIMEOUT"
        self._abandoned(q, entry, event)
        self.pbx.moh_stop(entry.channel)  # the caller stays: queue_exec stops the music
        self._leave(q, entry)
        self.truth.update(entry.channel.uniqueid, outcome=status.lower())
        return status

    def _caller_gone(self, q: Queue, entry: Entry) -> None:
        """Hang-up while waiting (abandon); a Redirect leaves without abandoning."""
        if entry.channel.interrupt == "redirect":
            self.pbx.moh_stop(entry.channel)
            self._leave(q, entry)
            return
        self._abandoned(q, entry, "ABANDON")
        self._leave(q, entry)
        self.truth.update(entry.channel.uniqueid, abandoned=True, outcome="abandoned")

    def _abandoned(self, q: Queue, entry: Entry, log_event: str) -> None:
        ch, position = entry.channel, q.position(entry)
        wait = int(self.pbx.clock.now() - entry.joined_at)
        tail = [("OriginalPosition", str(entry.original_position)), ("HoldTime", str(wait))]
        self.world.caller_event("QueueCallerAbandon", q, ch, position, tail)
        self.log.write(
            ch.uniqueid, q.name, NONE, log_event, position, entry.original_position, wait
        )
        q.abandoned += 1

    def _leave(self, q: Queue, entry: Entry) -> None:
        position = q.position(entry)
        q.entries.remove(entry)
        self.truth.left_queue(entry.channel.uniqueid, self.pbx.clock.now())
        count = [("Count", str(len(q.entries)))]
        self.world.caller_event("QueueCallerLeave", q, entry.channel, position, count)


def _priority(ch: Channel) -> int:
    try:
        return int(ch.variables.get("QUEUE_PRIO", "0") or 0)
    except ValueError:
        return 0  # app_queue ignores a QUEUE_PRIO that is not a number
