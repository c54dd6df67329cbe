"""The AMI actions the engine sends, answered from the model with Asterisk's messages."""

from __future__ import annotations

from callcenter.emulator.ami_server import Session
from callcenter.emulator.dial import Dialer, Originate
from callcenter.emulator.dialplan.interpreter import Interpreter
from callcenter.emulator.members import Member
from callcenter.emulator.model import CALL, Channel, Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.wire import Headers, get, get_all


class Actions:
    def __init__(self, *, pbx: Pbx, queues: QueueApp, plan: Interpreter, dialer: Dialer) -> None:
        self.pbx, self.queues, self.plan, self.dialer = pbx, queues, plan, dialer
        self.globals: dict[str, str] = {}

    async def handle(self, s: Session, name: str, m: Headers) -> None:
        method = getattr(self, f"a_{name}", None)
        if method is None:
            s.error(m, "Invalid/unknown command")
            return
        method(s, m)

    # calls -------------------------------------------------------------------------------

    def a_originate(self, s: Session, m: Headers) -> None:
        channel = get(m, "Channel")
        if not channel or not get(m, "Context"):
            s.error(m, "Channel not specified" if not channel else "Context not specified")
            return
        variables = []
        for item in get_all(m, "Variable"):
            for pair in item.split(","):
                key, _, value = pair.partition("=")
                variables.append((key.strip(), value))
        o = Originate(
            channel=channel,
            context=get(m, "Context"),
            exten=get(m, "Exten"),
            timeout_s=int(get(m, "Timeout", "30000") or 30000) / 1000,
            variables=variables,
            action_id=get(m, "ActionID"),
            caller_id=get(m, "CallerID"),
        )
        s.respond(m, "Success", [("Message", "Originate successfully queued")])
        self.dialer.originate(o, lambda h: self.pbx.publish("OriginateResponse", CALL, h))

    def a_redirect(self, s: Session, m: Headers) -> None:
        ch = self.pbx.by_name(get(m, "Channel"))
        if ch is None:
            s.error(m, "Channel specified does not exist")
        elif self.plan.redirect(ch, get(m, "Context"), get(m, "Exten") or "s", _priority(m)):
            s.respond(m, "Success", [("Message", "Redirect successful")])
        else:
            s.error(m, "Redirect failed")

    def a_hangup(self, s: Session, m: Headers) -> None:
        ch = self.pbx.by_name(get(m, "Channel"))
        if ch is None:
            s.error(m, "No such channel")
            return
        self.pbx.request_hangup(ch)
        s.respond(m, "Success", [("Message", "Channel Hungup")])

    def a_setvar(self, s: Session, m: Headers) -> None:
        name, value = get(m, "Variable"), get(m, "Value")
        channel = get(m, "Channel")
        if not name:
            s.error(m, "No variable specified")
            return
        if channel:
            ch = self.pbx.by_name(channel)
            if ch is None:
                s.error(m, "Channel not found")
                return
            self.pbx.setvar(ch, name, value)
        else:
            self.globals[name] = value
        s.respond(m, "Success", [("Message", "Variable Set")])

    def a_getvar(self, s: Session, m: Headers) -> None:
        name, channel = get(m, "Variable"), get(m, "Channel")
        if channel:
            ch = self.pbx.by_name(channel)
            if ch is None:
                s.error(m, "No such channel")
                return
            value = ch.variables.get(name, "")
        else:
            value = self.globals.get(name, "")
        s.respond(m, "Success", [("Variable", name), ("Value", value)])

    # queue members -----------------------------------------------------------------------

    def a_queueadd(self, s: Session, m: Headers) -> None:
        paused = get(m, "Paused").lower() in ("1", "true", "yes")
        error = self.queues.add_member(
            get(m, "Queue"),
            get(m, "Interface"),
            name=get(m, "MemberName"),
            state_interface=get(m, "StateInterface"),
            penalty=int(get(m, "Penalty", "0") or 0),
            paused=paused,
            reason=get(m, "Reason") if paused else "",
        )
        if error:
            s.error(m, error)
        else:
            s.respond(m, "Success", [("Message", "Added interface to queue")])

    def a_queueremove(self, s: Session, m: Headers) -> None:
        q = self.queues.queues.get(get(m, "Queue"))
        member = q.members.pop(get(m, "Interface"), None) if q else None
        if member is None:
            s.error(m, "Unable to remove interface: Not there")
            return
        self.queues.devices.members.remove(member)
        self.queues.devices.member_event("QueueMemberRemoved", member)
        s.respond(m, "Success", [("Message", "Removed interface from queue")])

    def _members(self, m: Headers) -> list[Member]:
        interface, queue = get(m, "Interface"), get(m, "Queue")
        return [
            x
            for x in self.queues.devices.members
            if x.interface == interface and (not queue or x.queue == queue)
        ]

    def a_queuepause(self, s: Session, m: Headers) -> None:
        members = self._members(m)
        if not members:
            s.error(m, "Interface not found")
            return
        paused = get(m, "Paused").lower() in ("1", "true", "yes")
        for member in members:
            member.paused = paused
            member.reason = get(m, "Reason") if paused else ""
            member.last_pause = self.pbx.clock.now() if paused else member.last_pause
            self.queues.devices.member_event("QueueMemberPause", member)
        s.respond(m, "Success", [("Message", "Interface paused successfully")])
        self.queues.poke()

    def a_queuepenalty(self, s: Session, m: Headers) -> None:
        members = self._members(m)
        if not members:
            s.error(m, "Invalid interface, queuename or penalty")
            return
        for member in members:
            member.penalty = int(get(m, "Penalty", "0") or 0)
            self.queues.devices.member_event("QueueMemberPenalty", member)
        s.respond(m, "Success", [("Message", "Interface penalty set successfully")])

    # snapshots ---------------------------------------------------------------------------

    def a_queuestatus(self, s: Session, m: Headers) -> None:
        s.respond(m, "Success", [("EventList", "start"), ("Message", "Queue status will follow")])
        aid = [("ActionID", get(m, "ActionID"))] if get(m, "ActionID") else []
        wanted, now, count = get(m, "Queue"), self.pbx.clock.now(), 0
        for q in self.queues.queues.values():
            if wanted and q.name != wanted:
                continue
            items: list[tuple[str, Headers]] = [("QueueParams", q.params())]
            items += [("QueueMember", x.headers(listing=True)) for x in q.members.values()]
            for pos, e in enumerate(q.entries, 1):
                items.append(
                    ("QueueEntry", _entry(q.name, pos, e.channel, now - e.joined_at, e.priority))
                )
            for event, headers in items:
                s.send([("Event", event), ("Privilege", "agent,all"), *aid, *headers])
                count += 1
        s.send(
            [
                ("Event", "QueueStatusComplete"),
                *aid,
                ("EventList", "Complete"),
                ("ListItems", str(count)),
            ]
        )

    def a_coreshowchannels(self, s: Session, m: Headers) -> None:
        s.respond(m, "Success", [("EventList", "start"), ("Message", "Channels will follow")])
        aid = [("ActionID", get(m, "ActionID"))] if get(m, "ActionID") else []
        now = self.pbx.clock.now()
        channels = list(self.pbx.channels.values())
        for ch in channels:
            secs = int(now - ch.created_at)
            duration = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            s.send(
                [
                    ("Event", "CoreShowChannel"),
                    ("Privilege", "system,all"),
                    *aid,
                    *ch.snapshot(),
                    ("Application", ch.application),
                    ("ApplicationData", ch.app_data),
                    ("Duration", duration),
                    ("BridgeId", ch.bridge_id),
                ]
            )
        s.send(
            [
                ("Event", "CoreShowChannelsComplete"),
                *aid,
                ("EventList", "Complete"),
                ("ListItems", str(len(channels))),
            ]
        )


def _priority(m: Headers) -> int:
    text = get(m, "Priority", "1")
    return int(text) if text.isdigit() else 1


def _entry(queue: str, pos: int, ch: Channel, wait: float, prio: int) -> Headers:
    return [
        ("Queue", queue),
        ("Position", str(pos)),
        ("Channel", ch.name),
        ("Uniqueid", ch.uniqueid),
        ("CallerIDNum", ch.callerid_num or "<unknown>"),
        ("CallerIDName", ch.callerid_name or "<unknown>"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Wait", str(int(wait))),
        ("Priority", str(prio)),
    ]
