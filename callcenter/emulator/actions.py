"""The AMI actions past login, answered from the model with Asterisk 20's messages.

Calls and variables are here; queue members in `ami_members`, the list actions in `ami_lists`,
Command in `ami_command`. The server has already checked the user's permission.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from callcenter.emulator.ami_command import command_output
from callcenter.emulator.ami_lists import Lists
from callcenter.emulator.ami_members import Members
from callcenter.emulator.ami_session import Session
from callcenter.emulator.dial import Dialer, Originate
from callcenter.emulator.dialplan.interpreter import Interpreter
from callcenter.emulator.model import CALL, Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.wire import Headers, get, get_all

USER = "user,all"
_TRUE = frozenset({"yes", "true", "y", "t", "1", "on"})


def is_true(value: str) -> bool:
    return value.strip().lower() in _TRUE


def parse_callerid(text: str) -> tuple[str, str]:
    """'"Name" <number>' (or a bare number, or a bare name) -> (name, number)."""
    match = re.fullmatch(r'\s*"?(.*?)"?\s*<([^>]*)>\s*', text)
    if match:
        return match.group(1), match.group(2)
    text = text.strip()
    return ("", text) if re.fullmatch(r"[0-9+*#()\- ]*", text) else (text, "")


class Actions:
    def __init__(
        self,
        *,
        pbx: Pbx,
        queues: QueueApp,
        plan: Interpreter,
        dialer: Dialer,
        version: str,
    ) -> None:
        self.pbx, self.queues, self.plan, self.dialer = pbx, queues, plan, dialer
        self.version = version
        self.globals: dict[str, str] = {}
        self.lists = Lists(pbx=pbx, queues=queues)
        self.members = Members(pbx=pbx, queues=queues)
        self._table: dict[str, Callable[[Session, Headers], object]] = {
            "redirect": self.a_redirect,
            "blindtransfer": self.a_blind_transfer,
            "hangup": self.a_hangup,
            "setvar": self.a_setvar,
            "getvar": self.a_getvar,
            "userevent": self.a_userevent,
            "command": self.a_command,
            "queuestatus": self.lists.queue_status,
            "queuesummary": self.lists.queue_summary,
            "coreshowchannels": self.lists.core_show_channels,
            "status": self.lists.status,
            "queueadd": self.members.add,
            "queueremove": self.members.remove,
            "queuepause": self.members.pause,
            "queuepenalty": self.members.penalty,
            "queuelog": self.members.log,
        }

    def names(self) -> frozenset[str]:
        return frozenset([*self._table, "originate"])

    async def handle(self, s: Session, name: str, m: Headers) -> None:
        if name == "originate":
            await self.a_originate(s, m)
            return
        method = self._table.get(name)
        if method is None:  # known to the server's table but not modelled here
            s.error(m, f"Invalid/unknown command: {get(m, 'Action')}.")
            return
        method(s, m)

    # calls -------------------------------------------------------------------------------

    async def a_originate(self, s: Session, m: Headers) -> None:
        request = self._originate_request(s, m)
        if request is None:
            return
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        asynchronous = is_true(get(m, "Async"))

        def respond(headers: Headers) -> None:
            if asynchronous:
                self.pbx.publish("OriginateResponse", CALL, headers)
            if not outcome.done():
                outcome.set_result(get(headers, "Response") == "Success")

        if asynchronous:
            s.ack(m, "Originate successfully queued")
            self.dialer.originate(request, respond)
            return
        self.dialer.originate(request, respond)
        if await outcome:  # a synchronous Originate answers once the call was answered or not
            s.ack(m, "Originate successfully queued")
        else:
            s.error(m, "Originate failed")

    def _originate_request(self, s: Session, m: Headers) -> Originate | None:
        channel, context, exten = get(m, "Channel"), get(m, "Context"), get(m, "Exten")
        priority, timeout = get(m, "Priority"), get(m, "Timeout")
        problem = ""
        if not channel:
            problem = "Channel not specified"
        elif priority and not priority.isdigit():
            problem = "Invalid priority"
        elif timeout and not timeout.lstrip("-").isdigit():
            problem = "Invalid timeout"
        elif "/" not in channel:
            problem = "Invalid channel"
        elif get(m, "Application"):
            problem = "Originate failed"  # the emulator only originates into the dialplan
        elif not (exten and context and priority):
            problem = "Originate with 'Exten' requires 'Context' and 'Priority'"
        if problem:
            s.error(m, problem)
            return None
        variables = []
        for item in get_all(m, "Variable"):
            for pair in item.split(","):
                key, _, value = pair.partition("=")
                variables.append((key.strip(), value))
        name, number = parse_callerid(get(m, "CallerID"))
        return Originate(
            channel=channel,
            context=context,
            exten=exten,
            timeout_s=int(timeout or 30000) / 1000,
            variables=variables,
            action_id=get(m, "ActionID"),
            caller_id=number,
            caller_name=name,
            channel_id=get(m, "ChannelId"),
        )

    def a_redirect(self, s: Session, m: Headers) -> None:
        name, context, exten, priority = (
            get(m, "Channel"),
            get(m, "Context"),
            get(m, "Exten"),
            get(m, "Priority"),
        )
        for value, problem in (
            (name, "Channel not specified"),
            (context, "Context not specified"),
            (exten, "Exten not specified"),
            (priority, "Priority not specified"),
        ):
            if not value:
                s.error(m, problem)
                return
        if not priority.isdigit() or int(priority) < 1:
            s.error(m, "Priority is invalid")
            return
        ch = self.pbx.by_name(name)
        if ch is None:
            s.error(m, f"Channel does not exist: {name}")
        elif self.plan.redirect(ch, context, exten, int(priority)):
            s.ack(m, "Redirect successful")
        else:
            s.error(m, "Redirect failed")

    def a_blind_transfer(self, s: Session, m: Headers) -> None:
        """ast_bridge_transfer_blind for the AMI: the channels bridged with `Channel` go to
        Context (default: the transferer's) / Exten; BlindTransfer tells how it went."""
        name, exten = get(m, "Channel"), get(m, "Exten")
        if not name:
            s.error(m, "No channel specified")
            return
        if not exten:
            s.error(m, "No extension specified")
            return
        ch = self.pbx.by_name(name)
        if ch is None:
            s.error(m, "Channel specified does not exist")
            return
        context = get(m, "Context") or ch.context
        bridge = self.pbx.bridge_of(ch)
        others = [c for c in bridge.members if c is not ch] if bridge is not None else []
        result, problem = "Success", ""
        if not others:
            result, problem = "Invalid", "Transfer invalid"
        elif not all(self.plan.can_redirect(c, context, exten) for c in others):
            result, problem = "Fail", "Transfer failed"
        head = [("Result", result), *ch.snapshot("Transferer")]
        if others:
            head += others[0].snapshot("Transferee")
        if bridge is not None:
            head += bridge.snapshot()
        tail = [("IsExternal", "Yes"), ("Context", context), ("Extension", exten)]
        self.pbx.publish("BlindTransfer", CALL, head + tail)
        if problem:
            s.error(m, problem)
            return
        for other in others:
            self.plan.redirect(other, context, exten)
        s.ack(m, "Transfer succeeded")

    def a_hangup(self, s: Session, m: Headers) -> None:
        name = get(m, "Channel")
        if not name:
            s.error(m, "No channel specified")
            return
        cause_text = get(m, "Cause")
        cause = int(cause_text) if cause_text.isdigit() and int(cause_text) <= 127 else 0
        if len(name) > 1 and name.startswith("/") and name.endswith("/"):
            self.lists.hangup_matching(s, m, name[1:-1], cause)
            return
        ch = self.pbx.by_name(name)
        if ch is None:
            s.error(m, "No such channel")
            return
        self.pbx.request_hangup(ch, cause=cause)
        s.ack(m, "Channel Hungup")

    def a_setvar(self, s: Session, m: Headers) -> None:
        name, value, channel = get(m, "Variable"), get(m, "Value"), get(m, "Channel")
        if not name:
            s.error(m, "No variable specified")
            return
        if channel:
            ch = self.pbx.by_name(channel)
            if ch is None:
                s.error(m, "No such channel")
                return
            self.pbx.setvar(ch, name, value)
        else:
            self.globals[name] = value
            self.pbx.set_global(name, value)
        s.ack(m, "Variable Set")

    def a_getvar(self, s: Session, m: Headers) -> None:
        name, channel = get(m, "Variable"), get(m, "Channel")
        if not name:
            s.error(m, "No variable specified")
            return
        if channel:
            ch = self.pbx.by_name(channel)
            if ch is None:
                s.error(m, "No such channel")
                return
            value = ch.variables.get(name, self.globals.get(name, ""))
        else:
            value = self.globals.get(name, "")
        s.respond(m, "Success", [("Variable", name), ("Value", value)])

    # messages ----------------------------------------------------------------------------

    def a_userevent(self, s: Session, m: Headers) -> None:
        name = get(m, "UserEvent")
        body = [(k, v) for k, v in m if k.lower() not in ("action", "userevent")]
        s.ack(m, "Event Sent")
        self.pbx.publish("UserEvent", USER, [("UserEvent", name), *body])

    def a_command(self, s: Session, m: Headers) -> None:
        line = get(m, "Command").strip()
        if not line:
            s.error(m, "No command provided")
            return
        ok, lines = command_output(line, version=self.version, pbx=self.pbx, queues=self.queues)
        s.respond(
            m,
            "Success" if ok else "Error",
            [("Message", "Command output follows"), *(("Output", x) for x in lines)],
        )
