"""One ring attempt of Queue() and the bridged call that follows an answer.

`ring` is app_queue's ring_entry/wait_for_answer for the members the strategy chose; `talk` is
the connected call up to AgentComplete (shared/asterisk/queue_semantics.md sections 4, 5, 7).
A caller hang-up or Redirect arrives as cancellation of the caller channel's task.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.members import INUSE, NOT_INUSE, RINGING, Devices, Entry, Member, Queue
from callcenter.emulator.model import AGENT, UP, Bridge, Channel, Pbx, race
from callcenter.emulator.model import RINGING as CH_RINGING
from callcenter.emulator.queue_log import QueueLog
from callcenter.emulator.truth import TruthBook
from callcenter.emulator.wire import Headers


@dataclass
class QueueWorld:
    """What the queue application acts on."""

    pbx: Pbx
    devices: Devices
    bots: dict[str, OperatorBot]
    truth: TruthBook
    log: QueueLog
    service_s: dict[str, float] = field(default_factory=dict)  # by caller uniqueid (traces)

    def caller_event(self, event: str, q: Queue, ch: Channel, position: int, tail: Headers) -> None:
        head = [*ch.snapshot(), ("Queue", q.name), ("Position", str(position))]
        self.pbx.publish(event, AGENT, head + tail)

    def agent_event(
        self, event: str, q: Queue, ch: Channel, mch: Channel, m: Member, tail: Headers
    ) -> None:
        who = [("Queue", q.name), ("Interface", m.interface), ("MemberName", m.name)]
        self.pbx.publish(event, AGENT, [*ch.snapshot(), *mch.snapshot("Dest"), *who, *tail])


@dataclass
class Answer:
    member: Member
    channel: Channel
    ring_s: float
    handle_s: float | None = None  # what is left of the member's handle time, once drawn


async def member_delay(w: QueueWorld, q: Queue, entry: Entry, a: Answer) -> bool:
    """queues.conf `memberdelay`: the member waits that long before being bridged. A member
    whose call is over sooner hangs up on the customer: AgentDump and queue_log AGENTDUMP, and
    the caller stays in the queue (False)."""
    delay = q.settings.memberdelay
    if not delay:
        return True
    ch, mch, m = entry.channel, a.channel, a.member
    handle = _handle_time(w, ch, m)
    try:
        await w.pbx.clock.sleep(min(handle, delay))
    except asyncio.CancelledError:
        w.pbx.hangup(mch)
        w.devices.change(m.interface, NOT_INUSE)
        raise
    if handle >= delay:
        a.handle_s = handle - delay
        return True
    w.pbx.hangup_request(mch)
    w.log.write(ch.uniqueid, q.name, m.name, "AGENTDUMP", "")
    w.agent_event("AgentDump", q, ch, mch, m, [])
    w.pbx.hangup(mch)
    w.devices.change(m.interface, NOT_INUSE)
    return False


async def ring(
    w: QueueWorld, q: Queue, entry: Entry, members: list[Member], limit: float | None
) -> Answer | None:
    """Ring `members` at once for at most `limit` seconds (None: until the caller leaves)."""
    pbx, ch, clock = w.pbx, entry.channel, w.pbx.clock
    calls: list[tuple[Member, Channel]] = []
    for m in members:
        mch = pbx.new_channel(
            m.interface,
            num=ch.callerid_num,
            name=ch.callerid_name,
            context="from-queue",
            exten=m.interface,
            linkedid=ch.linkedid,
        )
        w.agent_event("AgentCalled", q, ch, mch, m, [])
        pbx.dial_begin(ch, mch, m.interface)
        calls.append((m, mch))
    for m, mch in calls:
        pbx.set_state(mch, CH_RINGING)
        w.devices.change(m.interface, RINGING)
    started = clock.now()
    first = _first_to_answer(w, calls, limit)
    entry.ringing = True
    try:
        await _sleep(w, limit if first is None else first[0])
    except asyncio.CancelledError:
        _cancel_all(w, q, entry, calls, int((clock.now() - started) * 1000))
        raise
    finally:
        entry.ringing = False
    if first is None:
        _no_answer(w, q, entry, calls, limit)
        return None
    return _answered(w, entry, calls, first[1], clock.now() - started)


def _first_to_answer(
    w: QueueWorld, calls: list[tuple[Member, Channel]], limit: float | None
) -> tuple[float, int] | None:
    """(delay, index) of the member that picks up first within `limit`, if any."""
    best: tuple[float, int] | None = None
    for i, (m, _) in enumerate(calls):
        bot = w.bots.get(m.interface)
        delay = bot.answer_delay() if bot is not None else None
        if delay is None or (limit is not None and delay > limit):
            continue
        if best is None or delay < best[0]:
            best = (delay, i)
    return best


async def _sleep(w: QueueWorld, seconds: float | None) -> None:
    if seconds is None:
        await asyncio.Event().wait()  # rings until the caller goes away
    else:
        await w.pbx.clock.sleep(seconds)


def _no_answer(
    w: QueueWorld, q: Queue, entry: Entry, calls: list[tuple[Member, Channel]], limit: float | None
) -> None:
    ring_ms = int((limit or 0) * 1000)  # app_queue reports the ring timeout it used
    ch = entry.channel
    for m, mch in calls:
        w.agent_event("AgentRingNoAnswer", q, ch, mch, m, [("RingTime", str(ring_ms))])
        w.log.write(ch.uniqueid, q.name, m.name, "RINGNOANSWER", ring_ms)
    for _, mch in calls:
        w.pbx.dial_end(ch, mch, "NOANSWER")
    for m, mch in calls:
        w.pbx.hangup(mch)
        w.devices.change(m.interface, NOT_INUSE)


def _cancel_all(
    w: QueueWorld, q: Queue, entry: Entry, calls: list[tuple[Member, Channel]], ms: int
) -> None:
    """The caller left while members rang: each ring is cancelled (RINGCANCELED)."""
    ch = entry.channel
    for m, mch in calls:
        w.pbx.dial_end(ch, mch, "CANCEL")
        w.log.write(ch.uniqueid, q.name, m.name, "RINGCANCELED", ms)
    for m, mch in calls:
        w.pbx.hangup(mch)
        w.devices.change(m.interface, NOT_INUSE)


def _answered(
    w: QueueWorld, entry: Entry, calls: list[tuple[Member, Channel]], index: int, ring_s: float
) -> Answer:
    m, mch = calls[index]
    w.pbx.set_state(mch, UP)
    w.pbx.dial_end(entry.channel, mch, "ANSWER")
    for other, och in calls:
        if och is not mch:
            w.pbx.dial_end(entry.channel, och, "CANCEL")
            w.pbx.hangup(och, 26, "Answered elsewhere")
            w.devices.change(other.interface, NOT_INUSE)
    w.devices.change(m.interface, INUSE)
    return Answer(m, mch, ring_s)


async def talk(w: QueueWorld, q: Queue, entry: Entry, a: Answer, *, go_on: bool) -> str:
    """The bridged call; returns QUEUESTATUS ("CONTINUE" when the caller goes on in the
    dialplan after the member hung up with option c, else "")."""
    pbx, ch, clock, m, mch = w.pbx, entry.channel, w.pbx.clock, a.member, a.channel
    hold = int(clock.now() - entry.joined_at)
    w.log.write(ch.uniqueid, q.name, m.name, "CONNECT", hold, mch.uniqueid, int(a.ring_s))
    timing = [("HoldTime", str(hold)), ("RingTime", str(int(a.ring_s)))]
    w.agent_event("AgentConnect", q, ch, mch, m, timing)
    w.truth.connected(ch.uniqueid, m.interface, clock.now())
    bridge = pbx.bridge(mch, ch)
    answered = clock.now()
    reason = "agent"
    try:
        handle = _handle_time(w, ch, m) if a.handle_s is None else a.handle_s
        await _converse(w, ch, mch, w.bots.get(m.interface), handle)
        pbx.hangup_request(mch)  # the operator hung up
    except asyncio.CancelledError:
        reason = "transfer" if ch.interrupt == "redirect" else "caller"
        raise
    finally:
        talk_s = int(clock.now() - answered)
        tail = [("HoldTime", str(hold)), ("TalkTime", str(talk_s)), ("Reason", reason)]
        w.agent_event("AgentComplete", q, ch, mch, m, tail)
        _log_complete(w, q, entry, m, reason, hold, talk_s)
        _end_bridge(pbx, bridge, ch, mch, reason, go_on)
        _update_queue(w, q, m, hold, clock.now() - answered)
    return "CONTINUE" if go_on else ""


async def _converse(
    w: QueueWorld, ch: Channel, mch: Channel, bot: OperatorBot | None, handle: float
) -> None:
    """`handle` seconds of conversation, unless the member's channel goes first; a bot with
    `hold_s` holds the caller halfway through (Hold on its phone, music to the caller)."""
    pbx, clock = w.pbx, w.pbx.clock
    hold_s = bot.hold_s if bot is not None else 0.0
    if 0 < hold_s < handle:
        before = (handle - hold_s) / 2
        await race(clock.sleep(before), mch.gone.wait())
        if mch.gone.is_set():
            return
        pbx.hold(mch)
        pbx.moh_start(ch)
        await race(clock.sleep(hold_s), mch.gone.wait())
        if mch.gone.is_set():
            return
        pbx.unhold(mch)
        pbx.moh_stop(ch)
        handle -= before + hold_s
    await race(clock.sleep(handle), mch.gone.wait())


def _end_bridge(
    pbx: Pbx, bridge: Bridge, ch: Channel, mch: Channel, reason: str, go_on: bool
) -> None:
    """The side that ended leaves first; a transferred caller, or one going on with option c
    after the operator hung up, stays in the dialplan."""
    first = mch if reason == "agent" else ch
    first_ends = reason != "transfer"
    second_ends = not (reason == "agent" and go_on)
    pbx.end_bridge(bridge, first, first_ends=first_ends, second_ends=second_ends)


def _handle_time(w: QueueWorld, ch: Channel, m: Member) -> float:
    service = w.service_s.get(ch.uniqueid)
    return service if service is not None else w.bots[m.interface].handle_time()


def _log_complete(
    w: QueueWorld, q: Queue, entry: Entry, m: Member, reason: str, hold: int, talk_s: int
) -> None:
    ch, opos = entry.channel, entry.original_position
    if reason == "transfer":
        context, exten = (ch.redirect_to or ("", "", 1))[:2]
        w.log.write(
            ch.uniqueid, q.name, m.name, "BLINDTRANSFER", exten, context, hold, talk_s, opos
        )
        return
    event = "COMPLETECALLER" if reason == "caller" else "COMPLETEAGENT"
    w.log.write(ch.uniqueid, q.name, m.name, event, hold, talk_s, opos)


def _update_queue(w: QueueWorld, q: Queue, m: Member, hold: int, talk_s: float) -> None:
    """app_queue's update_queue: member and queue statistics; the member is free again."""
    now = w.pbx.clock.now()
    q.completed += 1
    if hold <= q.settings.servicelevel:
        q.completed_in_sl += 1
    q.holdtime = (3 * q.holdtime + hold) / 4
    q.talktime = (3 * q.talktime + talk_s) / 4
    m.calls_taken += 1
    shared = q.settings.shared_lastcall
    for other in w.devices.members:
        if other is m or (shared and other.interface == m.interface):
            other.last_call = now
    bot = w.bots.get(m.interface)
    if bot is not None:
        bot.call_ended(now)
    w.devices.change(m.interface, NOT_INUSE)
