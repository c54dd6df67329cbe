"""Outbound legs: overflow to a partner trunk, blind transfer out, and the callback Originate.

Each leg is a channel of its own; when it answers it is bridged with the channel that dialled
it until one side hangs up. Partner trunks are other emulators (`Trunk.inbound`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.flow import Dialplan
from callcenter.emulator.members import INUSE, NOT_INUSE, Devices
from callcenter.emulator.model import RINGING, UP, Channel, race

EXTERNAL_ANSWER_S = 1.0
CITIZEN_ANSWER_S = 3.0
NO_ANSWER_S = 30.0
DEFAULT_TALK_S = 60.0


class Trunk(Protocol):
    def inbound(self, number: str, source: Channel, script: CallerScript | None) -> Channel: ...


@dataclass
class Originate:
    channel: str
    context: str
    exten: str
    timeout_s: float
    variables: list[tuple[str, str]]
    action_id: str
    caller_id: str = ""


class Dialer:
    def __init__(
        self,
        *,
        plan: Dialplan,
        devices: Devices,
        bots: dict[str, OperatorBot],
        trunks: dict[str, Trunk],
        callback_scripts: Callable[[str], CallerScript | None],
    ) -> None:
        self.plan, self.pbx = plan, plan.pbx
        self.devices, self.bots, self.trunks = devices, bots, trunks
        self.callback_scripts = callback_scripts
        plan.contexts["cc-overflow-out"] = self.overflow_out
        plan.contexts["cc-transfer"] = self.transfer
        plan.contexts["cc-callback-out"] = self.callback_out

    async def _talk(self, local: Channel, remote: Channel, seconds: float | None) -> None:
        """Bridge until `remote` goes away, `local` is hung up, or `local` ends it after
        `seconds`; then both hang up, the side that ended it first."""
        bridge = self.pbx.bridge(local, remote)
        first = remote
        try:
            waits = [remote.gone.wait()] + ([self.pbx.clock.sleep(seconds)] if seconds else [])
            await race(*waits)
            if not remote.gone.is_set():
                first = local
        except asyncio.CancelledError:
            first = local
            raise
        finally:
            self.pbx.unbridge(bridge, first)
            self.pbx.hangup(first)
            self.pbx.hangup(remote if first is local else local)

    async def overflow_out(self, ch: Channel) -> None:
        number = ch.variables.get("CC_PARTNER_NUMBER", "")
        trunk_name = ch.variables.get("CC_PARTNER_TRUNK", "")
        dialstring = f"PJSIP/{number}@{trunk_name}"
        self.pbx.newexten(ch, "Dial", dialstring)
        out = self.pbx.new_channel(
            f"PJSIP/{trunk_name or 'none'}",
            num=ch.callerid_num,
            name=ch.callerid_name,
            context="cc-overflow-out",
            exten=number,
            linkedid=ch.linkedid,
        )
        self.pbx.dial_begin(ch, out, dialstring)
        trunk = self.trunks.get(trunk_name)
        if trunk is None:
            self.pbx.dial_end(ch, out, "CHANUNAVAIL")
            self.pbx.hangup(out, 20, "Subscriber absent")
            self.pbx.setvar(ch, "DIALSTATUS", "CHANUNAVAIL")
            self.plan.truth.update(ch.uniqueid, outcome="overflow-failed")
            return
        remote = trunk.inbound(number, ch, self.plan.scripts.get(ch.uniqueid))
        self.pbx.set_state(out, UP)
        self.pbx.dial_end(ch, out, "ANSWER")
        self.pbx.setvar(ch, "DIALSTATUS", "ANSWER")
        self.plan.truth.update(ch.uniqueid, outcome="overflow")
        watch = asyncio.ensure_future(remote.gone.wait())
        watch.add_done_callback(lambda _: self.pbx.request_hangup(out))
        try:
            await self._talk(ch, out, None)
        finally:
            watch.cancel()

    async def transfer(self, ch: Channel) -> None:
        number = ch.variables.get("CC_TRANSFER_NUMBER", "")
        self.pbx.newexten(ch, "Dial", number)
        out = self.pbx.new_channel(
            "PJSIP/external",
            num=ch.callerid_num,
            name=ch.callerid_name,
            context="cc-transfer",
            exten=number,
            linkedid=ch.linkedid,
        )
        self.pbx.dial_begin(ch, out, number)
        self.pbx.set_state(out, RINGING)
        await self.pbx.clock.sleep(EXTERNAL_ANSWER_S)
        self.pbx.set_state(out, UP)
        self.pbx.dial_end(ch, out, "ANSWER")
        self.plan.truth.update(ch.uniqueid, outcome="transferred")
        script = self.plan.scripts.get(ch.uniqueid)
        await self._talk(ch, out, (script.talk_s if script else None) or DEFAULT_TALK_S)

    # Originate -----------------------------------------------------------------------------

    def originate(self, o: Originate, respond: Callable[[list[tuple[str, str]]], None]) -> None:
        task = asyncio.create_task(self._originate(o, respond))
        self.plan.tasks.add(task)
        task.add_done_callback(self.plan.tasks.discard)

    async def _originate(
        self, o: Originate, respond: Callable[[list[tuple[str, str]]], None]
    ) -> None:
        interface = o.channel
        ch = self.pbx.new_channel(
            interface, num=o.caller_id, name="", context=o.context, exten=o.exten
        )
        for name, value in o.variables:
            self.pbx.setvar(ch, name, value)
        if interface not in self.bots and "@" in interface:
            await self._originate_citizen(o, ch, respond)
            return
        bot = self.bots.get(interface)
        state = self.devices.state(interface)
        reason = 0 if bot is None else (5 if state != NOT_INUSE else 3)
        delay = bot.answer_delay() if bot is not None and state == NOT_INUSE else None
        if delay is not None and delay <= o.timeout_s:
            reason = 4
            self.pbx.set_state(ch, RINGING)
            self.devices.change(interface, INUSE)
            await self.pbx.clock.sleep(delay)
            self.pbx.set_state(ch, UP)
        elif bot is not None and state == NOT_INUSE:
            self.pbx.set_state(ch, RINGING)
            await self.pbx.clock.sleep(o.timeout_s)
        ok = reason == 4
        respond(_originate_response(o, ch, ok, reason))
        if not ok:
            self.pbx.hangup(ch, 19 if reason == 3 else 17, "No answer" if reason == 3 else "Busy")
            return
        self.plan.spawn(ch, o.context)

    async def _originate_citizen(
        self, o: Originate, ch: Channel, respond: Callable[[list[tuple[str, str]]], None]
    ) -> None:
        """Originate to `PJSIP/<number>@<trunk>`: the citizen's script says whether they answer
        (after CITIZEN_ANSWER_S), are busy, or let it ring; an unknown number rings unanswered.
        A citizen with `talk_s` hangs up that long after answering."""
        number = o.channel.split("/", 1)[1].split("@", 1)[0]
        script = self.callback_scripts(number) or self.callback_scripts(f"+{number}")
        if script is not None and script.busy:
            respond(_originate_response(o, ch, False, 5))
            self.pbx.hangup(ch, 17, "User busy")
            return
        self.pbx.set_state(ch, RINGING)
        if script is None or not script.answers_callback or o.timeout_s < CITIZEN_ANSWER_S:
            await self.pbx.clock.sleep(o.timeout_s)
            respond(_originate_response(o, ch, False, 3))
            self.pbx.hangup(ch, 19, "No answer")
            return
        await self.pbx.clock.sleep(CITIZEN_ANSWER_S)
        self.pbx.set_state(ch, UP)
        respond(_originate_response(o, ch, True, 4))
        self.plan.spawn(ch, o.context)
        if script.talk_s is not None:
            await race(self.pbx.clock.sleep(script.talk_s), ch.gone.wait())
            self.pbx.request_hangup(ch)

    async def callback_out(self, ch: Channel) -> None:
        interface = ch.name.rsplit("-", 1)[0]
        try:
            await self._dial_citizen(ch, interface)
        finally:
            self.devices.change(interface, NOT_INUSE)
            self.plan.queues.poke()

    async def _dial_citizen(self, ch: Channel, interface: str) -> None:
        number = ch.variables.get("CC_CALLBACK_NUMBER", "") or ch.exten
        dialstring = f"PJSIP/{number}@citizens"
        self.pbx.newexten(ch, "Dial", dialstring)
        out = self.pbx.new_channel(
            "PJSIP/citizens",
            num=number,
            name="",
            context="cc-callback-out",
            exten=number,
            linkedid=ch.linkedid,
        )
        self.pbx.dial_begin(ch, out, dialstring)
        self.pbx.set_state(out, RINGING)
        script = self.callback_scripts(number)
        if script is None or not script.answers_callback:
            await self.pbx.clock.sleep(NO_ANSWER_S)
            self.pbx.dial_end(ch, out, "NOANSWER")
            self.pbx.hangup(out, 19, "No answer")
            self.pbx.setvar(ch, "DIALSTATUS", "NOANSWER")
            return
        await self.pbx.clock.sleep(CITIZEN_ANSWER_S)
        self.pbx.set_state(out, UP)
        self.pbx.dial_end(ch, out, "ANSWER")
        self.pbx.setvar(ch, "DIALSTATUS", "ANSWER")
        bot = self.bots.get(interface)
        await self._talk(ch, out, bot.handle_time() if bot else DEFAULT_TALK_S)


def _originate_response(o: Originate, ch: Channel, ok: bool, reason: int) -> list[tuple[str, str]]:
    return [
        ("ActionID", o.action_id),
        ("Response", "Success" if ok else "Failure"),
        ("Channel", ch.name if ok else o.channel),
        ("Context", o.context),
        ("Exten", o.exten),
        ("Reason", str(reason)),
        ("Uniqueid", ch.uniqueid if ok else "<null>"),
        ("CallerIDNum", ch.callerid_num or "<unknown>"),
        ("CallerIDName", ch.callerid_name or "<unknown>"),
    ]
