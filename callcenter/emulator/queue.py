"""An app_queue model: callers by priority then arrival, leastrecent, ring timeout, wrapup.

`QueueApp.run(channel, queue, timeout)` is the Queue() application: it returns QUEUESTATUS
when the caller leaves unanswered, or after the bridged call ended. A caller hang-up or a
Redirect arrives as cancellation of the channel's task; the handlers below raise the events
Asterisk raises in those cases (see shared/asterisk/queue_semantics.md sections 4-6).
"""

from __future__ import annotations

import asyncio

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.members import INUSE, NOT_INUSE, RINGING, Devices, Entry, Member, Queue
from callcenter.emulator.model import AGENT, UP, Channel, Pbx, race
from callcenter.emulator.model import RINGING as CH_RINGING
from callcenter.emulator.truth import TruthBook
from callcenter.emulator.wire import Headers

RING_TIMEOUT_S = 15.0
RETRY_S = 2.0
WRAPUP_S = 5.0


class QueueApp:
    def __init__(
        self,
        *,
        pbx: Pbx,
        devices: Devices,
        bots: dict[str, OperatorBot],
        truth: TruthBook,
        names: tuple[str, ...],
    ) -> None:
        self.pbx = pbx
        self.devices = devices
        self.bots = bots
        self.truth = truth
        self.queues = {n: Queue(n) for n in names}
        self._changed = asyncio.Event()
        self._timers: set[asyncio.Task[None]] = set()

    async def stop(self) -> None:
        for task in list(self._timers):
            task.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)

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
        q = self.queues.get(queue)
        if q is None or not interface:
            return "Unable to add interface to queue: No such queue"
        if interface in q.members:
            return "Unable to add interface: Already there"
        now = self.pbx.clock.now()
        member = Member(
            queue=q.name,
            interface=interface,
            name=name or interface,
            state_interface=state_interface or interface,
            penalty=penalty,
            paused=paused,
            reason=reason,
            login_time=now,
            last_pause=now if paused else 0.0,
        )
        q.members[interface] = member
        self.devices.members.append(member)
        self.devices.member_event("QueueMemberAdded", member)
        self.poke()
        return ""

    def poke(self) -> None:
        """Something changed (member freed, added, unpaused): waiting callers look again."""
        self._changed.set()
        self._changed = asyncio.Event()

    # the Queue() application ------------------------------------------------------------

    async def run(
        self, ch: Channel, name: str, timeout_s: float, *, keep_caller: bool = False
    ) -> str:
        """Queue(): `keep_caller` (option c) leaves the caller up when the operator hangs up."""
        q = self.queues.get(name)
        if q is None:
            return "UNKNOWN"
        clock = self.pbx.clock
        prio = int(ch.variables.get("QUEUE_PRIO", "0") or 0)
        entry = Entry(ch, prio, clock.now())
        entry.original_position = q.insert(entry)
        self._caller_event("QueueCallerJoin", q, ch, entry.original_position, len(q.entries))
        self.truth.joined(ch.uniqueid, clock.now())
        self.truth.update(ch.uniqueid, outcome="queued")
        deadline = entry.joined_at + timeout_s if timeout_s > 0 else None
        try:
            while True:
                left = None if deadline is None else deadline - clock.now()
                if left is not None and left <= 0:
                    self._unanswered(q, entry, abandon=True)
                    self.truth.update(ch.uniqueid, outcome="timeout")
                    return "TIMEOUT"
                member = self._pick(q, entry)
                if member is None:
                    await self._wait(left)
                    continue
                if await self._ring(q, entry, member, left, keep_caller):
                    return "COMPLETED"
                await clock.sleep(RETRY_S)
        except asyncio.CancelledError:
            if entry in q.entries:
                abandon = ch.interrupt != "redirect"
                self._unanswered(q, entry, abandon=abandon)
                if abandon:
                    self.truth.update(ch.uniqueid, abandoned=True, outcome="abandoned")
            raise

    async def _wait(self, seconds: float | None) -> None:
        """Until something changes in the queue, or `seconds` (the caller's timeout) pass."""
        if seconds is None:
            await self._changed.wait()
            return
        await race(self._changed.wait(), self.pbx.clock.sleep(seconds))

    async def _poke_after(self, seconds: float) -> None:
        await self.pbx.clock.sleep(seconds)
        self.poke()

    def _pick(self, q: Queue, entry: Entry) -> Member | None:
        now = self.pbx.clock.now()
        free = [
            m
            for m in q.members.values()
            if not m.paused
            and self.devices.state(m.interface) == NOT_INUSE
            and now >= m.last_call + WRAPUP_S
            and not (m.interface in self.bots and self.bots[m.interface].busy)
        ]
        if not free:
            return None
        ahead = 0  # autofill: the first len(free) callers not already ringing may ring
        for e in q.entries:
            if e is entry:
                break
            ahead += 0 if e.ringing else 1
            if ahead >= len(free):
                return None
        return min(free, key=lambda m: (m.last_call, m.penalty))

    async def _ring(
        self, q: Queue, entry: Entry, m: Member, left: float | None, keep_caller: bool
    ) -> bool:
        pbx, ch, clock = self.pbx, entry.channel, self.pbx.clock
        mch = pbx.new_channel(
            m.interface,
            num=ch.callerid_num,
            name=ch.callerid_name,
            context="from-queue",
            exten=m.interface,
            linkedid=ch.linkedid,
        )
        self._agent_event("AgentCalled", q, ch, mch, m, [])
        pbx.dial_begin(ch, mch, m.interface)
        bot = self.bots.get(m.interface)
        if bot is None:
            pbx.dial_end(ch, mch, "CHANUNAVAIL")
            pbx.hangup(mch, 20, "Subscriber absent")
            return False
        entry.ringing = True
        started = clock.now()
        pbx.set_state(mch, CH_RINGING)
        self.devices.change(m.interface, RINGING)
        limit = RING_TIMEOUT_S if left is None else min(RING_TIMEOUT_S, left)
        delay = bot.answer_delay()
        try:
            if delay is None or delay > limit:
                await clock.sleep(limit)
                ring_ms = int(limit * 1000)  # app_queue reports the ring timeout it used
                self._agent_event("AgentRingNoAnswer", q, ch, mch, m, [("RingTime", str(ring_ms))])
                pbx.dial_end(ch, mch, "NOANSWER")
                pbx.hangup(mch)
                self._free(m.interface)
                return False
            await clock.sleep(delay)
        except asyncio.CancelledError:
            pbx.dial_end(ch, mch, "CANCEL")
            pbx.hangup(mch)
            self._free(m.interface)
            raise
        finally:
            entry.ringing = False
        await self._connected(q, entry, m, mch, clock.now() - started, keep_caller)
        return True

    async def _connected(
        self, q: Queue, entry: Entry, m: Member, mch: Channel, ring: float, keep_caller: bool
    ) -> None:
        pbx, ch, clock = self.pbx, entry.channel, self.pbx.clock
        pbx.set_state(mch, UP)
        pbx.dial_end(ch, mch, "ANSWER")
        self.devices.change(m.interface, INUSE)
        self._leave(q, entry)
        hold = clock.now() - entry.joined_at
        timing = [("HoldTime", str(int(hold))), ("RingTime", str(int(ring)))]
        self._agent_event("AgentConnect", q, ch, mch, m, timing)
        self.truth.update(
            ch.uniqueid, answered_at=clock.now(), answered_by=m.interface, outcome="answered"
        )
        bridge = pbx.bridge(mch, ch)
        answered = clock.now()
        reason, first = "agent", mch
        try:
            await race(clock.sleep(self.bots[m.interface].handle_time()), mch.gone.wait())
        except asyncio.CancelledError:
            reason, first = ("transfer" if ch.interrupt == "redirect" else "caller"), ch
            raise
        finally:
            talk = [("HoldTime", str(int(hold))), ("TalkTime", str(int(clock.now() - answered)))]
            self._agent_event("AgentComplete", q, ch, mch, m, [*talk, ("Reason", reason)])
            pbx.unbridge(bridge, first)
            q.completed += 1
            q.holdtime = (3 * q.holdtime + hold) / 4
            q.talktime = (3 * q.talktime + clock.now() - answered) / 4
            m.calls_taken += 1
            m.last_call = clock.now()
            for gone in (first, mch if first is ch else ch):
                if gone is mch or (reason == "caller" or (reason == "agent" and not keep_caller)):
                    pbx.hangup(gone)
            self._free(m.interface, wrapup=True)

    def _free(self, interface: str, wrapup: bool = False) -> None:
        self.devices.change(interface, NOT_INUSE)
        self.poke()
        if wrapup:  # wake the callers again when the member's wrapup time is over
            task = asyncio.create_task(self._poke_after(WRAPUP_S))
            self._timers.add(task)
            task.add_done_callback(self._timers.discard)

    def _unanswered(self, q: Queue, entry: Entry, *, abandon: bool) -> None:
        ch = entry.channel
        position = q.entries.index(entry) + 1
        if abandon:
            wait = int(self.pbx.clock.now() - entry.joined_at)
            extra = [("OriginalPosition", str(entry.original_position)), ("HoldTime", str(wait))]
            self._caller_event("QueueCallerAbandon", q, ch, position, None, extra)
            q.abandoned += 1
        self._leave(q, entry)

    def _leave(self, q: Queue, entry: Entry) -> None:
        position = q.entries.index(entry) + 1
        q.entries.remove(entry)
        self._caller_event("QueueCallerLeave", q, entry.channel, position, len(q.entries))
        self.poke()

    def _caller_event(
        self,
        event: str,
        q: Queue,
        ch: Channel,
        position: int,
        count: int | None,
        extra: Headers | None = None,
    ) -> None:
        headers = [*ch.snapshot(), ("Queue", q.name), ("Position", str(position))]
        if count is not None:
            headers.append(("Count", str(count)))
        self.pbx.publish(event, AGENT, headers + (extra or []))

    def _agent_event(
        self, event: str, q: Queue, ch: Channel, mch: Channel, m: Member, extra: Headers
    ) -> None:
        who = [("Queue", q.name), ("Interface", m.interface), ("MemberName", m.name)]
        self.pbx.publish(event, AGENT, [*ch.snapshot(), *mch.snapshot("Dest"), *who, *extra])
