"""Dial() and Originate: the legs the dialplan and the engine start.

Dial() reaches three kinds of destination: an operator's softphone (`PJSIP/101`, a bot), a
partner center (`PJSIP/<number>@<trunk>` where the trunk is linked to another emulator, which
receives the call with the SIP headers the pre-dial subroutine added), and the public network
behind the citizens' trunk. There a number with a caller script is that citizen (a callback: they
answer if their script says so); any other number is an agency line that answers when a citizen
is transferred to it, and rings unanswered otherwise. An answered leg is bridged with the caller
until one side hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.dialplan.interpreter import Interpreter
from callcenter.emulator.dialplan.state import DialplanFailure, Target
from callcenter.emulator.members import INUSE, NOT_INUSE, RINGING, Devices
from callcenter.emulator.model import RINGING as CH_RINGING
from callcenter.emulator.model import UP, Channel, race

EXTERNAL_ANSWER_S = 1.0
CITIZEN_ANSWER_S = 3.0
DEFAULT_TALK_S = 60.0


class Trunk(Protocol):
    def inbound(
        self, number: str, source: Channel, headers: dict[str, str], script: CallerScript | None
    ) -> Channel: ...


@dataclass
class Originate:
    channel: str
    context: str
    exten: str
    timeout_s: float
    variables: list[tuple[str, str]]
    action_id: str
    caller_id: str = ""
    caller_name: str = ""
    channel_id: str = ""  # Originate's ChannelId: the Uniqueid the new channel gets


@dataclass
class Callee:
    """Who answers a leg and when: `answer_s` None = never; `talk_s` = when the callee ends;
    `patience_s` = how long a called citizen waits in a queue for an operator."""

    answer_s: float | None
    talk_s: float | None = None
    status: str = ""  # set for a leg that cannot ring at all (BUSY, CHANUNAVAIL)
    patience_s: float | None = None


class Dialer:
    def __init__(
        self,
        *,
        plan: Interpreter,
        devices: Devices,
        bots: dict[str, OperatorBot],
        trunks: dict[str, Trunk],
        callback_scripts: Callable[[str], CallerScript | None],
        pstn_trunks: tuple[str, ...] = ("citizen-trunk",),
    ) -> None:
        self.plan, self.pbx = plan, plan.pbx
        self.devices, self.bots, self.trunks = devices, bots, trunks
        self.callback_scripts = callback_scripts
        self.pstn_trunks = pstn_trunks
        plan.dialer = self

    # Dial() ------------------------------------------------------------------------------------

    async def dial(
        self,
        ch: Channel,
        dialstring: str,
        timeout_s: float | None,
        *,
        predial: tuple[Target, list[str]] | None = None,
        go_on: bool = False,
    ) -> str:
        tech, _, resource = dialstring.partition("/")
        if tech.upper() != "PJSIP" or not resource:
            raise DialplanFailure(f"Dial({dialstring}): only PJSIP/... is emulated")
        number, _, trunk = resource.partition("@")
        out = self.pbx.new_channel(
            f"PJSIP/{trunk or number}",
            num=ch.callerid_num,
            name=ch.callerid_name,
            context=ch.context,
            exten=number,
            linkedid=ch.linkedid,
        )
        for name, prefix in ch.inheritable.items():  # `_X` / `__X` reach the new channel
            out.variables[name] = ch.variables.get(name, "")
            if prefix == "__":
                out.inheritable[name] = prefix
        if predial is not None:
            try:
                await self.plan.run_subroutine(out, *predial)
            except BaseException:
                self.pbx.hangup(out)
                raise
        self.pbx.dial_begin(ch, out, resource)
        if trunk and trunk in self.trunks:
            return await self._partner(ch, out, number, self.trunks[trunk])
        if trunk and trunk not in self.pstn_trunks:
            self.plan.truth.update(ch.uniqueid, outcome="overflow-failed")
            return self._unavailable(ch, out)
        callee = self._pstn(ch, number) if trunk else self._operator(number)
        return await self._ring(ch, out, callee, timeout_s, go_on)

    def _unavailable(self, ch: Channel, out: Channel, status: str = "CHANUNAVAIL") -> str:
        self.pbx.dial_end(ch, out, status)
        self.pbx.hangup(out, 17 if status == "BUSY" else 20, _TEXT[status])
        return status

    def _operator(self, number: str) -> Callee:
        bot = self.bots.get(f"PJSIP/{number}")
        if bot is None or bot.interface not in self.devices.known:  # none, or unregistered
            return Callee(None, status="CHANUNAVAIL")
        if self.devices.state(bot.interface) != NOT_INUSE or bot.busy:
            return Callee(None, status="BUSY")
        return Callee(bot.answer_delay(), bot.handle_time())

    def _pstn(self, ch: Channel, number: str) -> Callee:
        citizen = self.callback_scripts(number) or self.callback_scripts(f"+{number}")
        if citizen is not None and citizen.busy:
            return Callee(None, status="BUSY")
        if citizen is not None:
            answer_s = CITIZEN_ANSWER_S if citizen.answers_callback else None
            return Callee(answer_s, citizen.talk_s, patience_s=citizen.patience_s)
        if ch.uniqueid in self.plan.scripts:  # a citizen transferred to an agency line
            return Callee(EXTERNAL_ANSWER_S)
        return Callee(None)

    async def _ring(
        self, ch: Channel, out: Channel, callee: Callee, timeout_s: float | None, go_on: bool
    ) -> str:
        if callee.status:
            return self._unavailable(ch, out, callee.status)
        interface = out.name.rsplit("-", 1)[0]
        bot = self.bots.get(interface)
        if bot is not None:
            self.devices.change(interface, RINGING)
        try:
            self.pbx.set_state(out, CH_RINGING)
            answers = callee.answer_s is not None and (
                timeout_s is None or callee.answer_s <= timeout_s
            )
            if not answers:
                await (ch.gone.wait() if timeout_s is None else self.pbx.clock.sleep(timeout_s))
                self.pbx.dial_end(ch, out, "NOANSWER")
                self.pbx.hangup(out, 19, "No answer")
                return "NOANSWER"
            await self.pbx.clock.sleep(callee.answer_s or 0.0)
        except asyncio.CancelledError:
            self.pbx.dial_end(ch, out, "CANCEL")
            self.pbx.hangup(out)
            raise
        finally:
            if bot is not None and out.uniqueid not in self.pbx.channels:
                self._release(interface)
        return await self._answered(ch, out, callee, go_on, bot)

    async def _answered(
        self, ch: Channel, out: Channel, callee: Callee, go_on: bool, bot: OperatorBot | None
    ) -> str:
        self.pbx.set_state(out, UP)
        self.pbx.dial_end(ch, out, "ANSWER")
        if bot is not None:
            self.devices.change(bot.interface, INUSE)
        elif ch.uniqueid in self.plan.scripts:
            self.plan.truth.update(ch.uniqueid, outcome="transferred")
        else:  # the center's own leg reached a citizen on the public network: a callback
            self.plan.truth.citizen_answered(out.exten, self.pbx.clock.now())
        try:
            await self._talk(ch, out, self._local_talk(ch), callee.talk_s, keep_local=go_on)
        finally:
            if bot is not None:
                self._release(bot.interface)
        return "ANSWER"

    def _local_talk(self, ch: Channel) -> float | None:
        """When the dialling side ends the call: an operator's handle time, a citizen's talk."""
        bot = self.bots.get(ch.name.rsplit("-", 1)[0])
        if bot is not None:
            return bot.handle_time()
        script = self.plan.scripts.get(ch.uniqueid)
        return (script.talk_s if script else None) or DEFAULT_TALK_S

    def _release(self, interface: str) -> None:
        self.devices.change(interface, NOT_INUSE)
        self.plan.queues.poke()

    async def _partner(self, ch: Channel, out: Channel, number: str, trunk: Trunk) -> str:
        script = self.plan.scripts.get(ch.uniqueid)
        remote = trunk.inbound(number, ch, dict(out.out_headers), script)
        self.pbx.set_state(out, UP)
        self.pbx.dial_end(ch, out, "ANSWER")
        self.plan.truth.update(ch.uniqueid, outcome="overflow")
        watch = asyncio.ensure_future(remote.gone.wait())
        watch.add_done_callback(lambda _: self.pbx.request_hangup(out, remote=True))
        try:
            await self._talk(ch, out, None, None, keep_local=False)
        finally:
            watch.cancel()
        return "ANSWER"

    async def _talk(
        self,
        local: Channel,
        remote: Channel,
        local_s: float | None,
        remote_s: float | None,
        *,
        keep_local: bool,
    ) -> None:
        """Bridged until a side hangs up: `remote` after `remote_s` (or when it goes away),
        `local` after `local_s` (or when it is hung up). Without Dial's `g` option the caller
        leaves with the callee."""
        bridge = self.pbx.bridge(local, remote)
        first = remote
        remote_first = remote_s is not None and (local_s is None or remote_s <= local_s)
        limit = remote_s if remote_first else local_s
        try:
            await race(remote.gone.wait(), *([self.pbx.clock.sleep(limit)] if limit else []))
            if not remote.gone.is_set() and not remote_first:
                first = local
        except asyncio.CancelledError:
            first = local
            raise
        finally:
            moved = first is local and local.interrupt == "redirect"  # leaves alive
            self.pbx.end_bridge(
                bridge, first, first_ends=not moved, second_ends=first is local or not keep_local
            )

    # Originate ---------------------------------------------------------------------------------

    def originate(self, o: Originate, respond: Callable[[list[tuple[str, str]]], None]) -> None:
        task = asyncio.create_task(self._originate(o, respond))
        self.plan.tasks.add(task)
        task.add_done_callback(self.plan.tasks.discard)

    async def _originate(
        self, o: Originate, respond: Callable[[list[tuple[str, str]]], None]
    ) -> None:
        tech, _, resource = o.channel.partition("/")
        number, _, trunk = resource.partition("@")
        interface = f"{tech}/{trunk}" if trunk else o.channel
        if not trunk and (interface not in self.bots or interface not in self.devices.known):
            respond(_originate_response(o, None, 0))  # no such endpoint: no channel at all
            return
        if o.channel_id and o.channel_id in self.pbx.channels:
            respond(_originate_response(o, None, 0))  # Asterisk refuses a Uniqueid in use
            return
        ch = self.pbx.new_channel(
            interface,
            num=o.caller_id,
            name=o.caller_name,
            context=o.context,
            exten=o.exten,
            uniqueid=o.channel_id,
        )
        for name, value in o.variables:
            self.plan.set_variable(ch, name, value)
        truth = self.plan.truth
        truth.arrived(ch.uniqueid, number if trunk else o.exten, self.pbx.clock.now(), "outbound")
        callee = self._pstn(ch, number) if trunk else None
        reason = await self._originate_ring(ch, o, interface, callee)
        respond(_originate_response(o, ch if reason == 4 else None, reason))
        now = self.pbx.clock.now()
        if reason != 4:
            truth.update(ch.uniqueid, outcome=_REASONS.get(reason, "failed"))
            truth.ended(ch.uniqueid, now)
            self.pbx.hangup(ch, 19 if reason == 3 else 17, "No answer" if reason == 3 else "Busy")
            return
        truth.update(ch.uniqueid, answered_at=now, answered_by=number if trunk else interface)
        if trunk:
            truth.update(ch.uniqueid, outcome="answered")
            truth.citizen_answered(number, now)
        self.plan.spawn(ch, o.context, o.exten)
        if interface in self.bots and ch.task is not None:
            ch.task.add_done_callback(lambda _: self._release(interface))
        if callee is not None:
            await self._citizen_on_line(ch, callee)

    async def _citizen_on_line(self, ch: Channel, callee: Callee) -> None:
        """A citizen who answered the center's call ends it themselves: `talk_s` after an
        operator took them from a queue (citizen-first callback), or gives up waiting there
        after `patience_s`; `talk_s` after answering when no queue is involved (a message)."""
        truth, clock = self.plan.truth, self.pbx.clock
        while not ch.gone.is_set():
            t = truth.get(ch.uniqueid)
            if t is None:
                return
            if t.connected_at is not None:
                deadline = _after(t.connected_at, callee.talk_s)
            elif t.joined_at is not None:
                deadline = _after(t.joined_at, callee.patience_s)
            else:
                deadline = _after(t.answered_at, callee.talk_s)
            now = clock.now()
            if deadline is not None and now >= deadline:
                self.pbx.request_hangup(ch, remote=True)
                return
            step = 1.0 if deadline is None else min(1.0, deadline - now)
            await race(clock.sleep(step), ch.gone.wait())

    async def _originate_ring(
        self, ch: Channel, o: Originate, interface: str, callee: Callee | None
    ) -> int:
        """Originate's Reason: 4 answered, 3 no answer, 5 busy, 0 could not ring; `callee` is
        the citizen when the call goes out on a trunk."""
        bot = self.bots.get(interface)
        if callee is not None:
            if callee.status == "BUSY":
                return 5
        elif bot is None:
            return 0
        elif self.devices.state(interface) != NOT_INUSE:
            return 5
        else:
            callee = Callee(bot.answer_delay())
        self.pbx.set_state(ch, CH_RINGING)
        if callee.answer_s is None or callee.answer_s > o.timeout_s:
            await self.pbx.clock.sleep(o.timeout_s)
            return 3
        if bot is not None:
            self.devices.change(interface, INUSE)
        await self.pbx.clock.sleep(callee.answer_s)
        self.pbx.set_state(ch, UP)
        return 4


_REASONS = {3: "noanswer", 5: "busy"}  # Originate's Reason -> ground-truth outcome
_TEXT = {"CHANUNAVAIL": "Subscriber absent", "BUSY": "User busy", "NOANSWER": "No answer"}


def _after(start: float | None, seconds: float | None) -> float | None:
    return None if start is None or seconds is None else start + seconds


def _originate_response(o: Originate, ch: Channel | None, reason: int) -> list[tuple[str, str]]:
    """`ch` is the answered channel; Asterisk names the requested channel, and no Uniqueid
    unless ChannelId gave one, when the call did not come up."""
    return [
        *([("ActionID", o.action_id)] if o.action_id else []),
        ("Response", "Success" if ch is not None else "Failure"),
        ("Channel", ch.name if ch is not None else o.channel),
        ("Context", o.context),
        ("Exten", o.exten),
        ("Reason", str(reason)),
        ("Uniqueid", ch.uniqueid if ch is not None else (o.channel_id or "<unknown>")),
        ("CallerIDNum", o.caller_id or "<unknown>"),
        ("CallerIDName", o.caller_name or "<unknown>"),
    ]
