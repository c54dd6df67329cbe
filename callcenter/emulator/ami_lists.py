"""The AMI list actions: a Success with `EventList: start`, item events, a `...Complete` event.

Items are written to the asking session only and carry no Privilege header (Status alone has
'Privilege: Call'); the ActionID sits where Asterisk puts it (see shared/asterisk/ami_spec.json).
"""

from __future__ import annotations

import re

from callcenter.emulator.ami_session import Session
from callcenter.emulator.members import NOT_INUSE, UNAVAILABLE, Member, Queue
from callcenter.emulator.model import Channel, Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.wire import Headers, get

INVALID = 4


def _hms(seconds: float) -> str:
    secs = int(seconds)
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"


def _known(value: str) -> str:
    return value or "unknown"


class Lists:
    def __init__(self, *, pbx: Pbx, queues: QueueApp) -> None:
        self.pbx, self.queues = pbx, queues

    def _queues(self, m: Headers) -> list[Queue]:
        wanted = get(m, "Queue")
        return [q for q in self.queues.queues.values() if not wanted or q.name == wanted]

    # app_queue ----------------------------------------------------------------------------

    def queue_status(self, s: Session, m: Headers) -> None:
        s.list_start(m, "Queue status will follow")
        member_filter, now, count = get(m, "Member"), self.pbx.clock.now(), 0
        for q in self._queues(m):
            items: list[tuple[str, Headers]] = [("QueueParams", q.params())]
            items += [
                ("QueueMember", x.headers(listing=True))
                for x in q.members.values()
                if not member_filter or member_filter in (x.interface, x.name)
            ]
            for pos, e in enumerate(q.entries, 1):
                ch = e.channel
                entry = [
                    ("Queue", q.name),
                    ("Position", str(pos)),
                    ("Channel", ch.name),
                    ("Uniqueid", ch.uniqueid),
                    ("CallerIDNum", _known(ch.callerid_num)),
                    ("CallerIDName", _known(ch.callerid_name)),
                    ("ConnectedLineNum", "unknown"),
                    ("ConnectedLineName", "unknown"),
                    ("Wait", str(int(now - e.joined_at))),
                    ("Priority", str(e.priority)),
                ]
                items.append(("QueueEntry", entry))
            for event, body in items:
                s.list_item(event, m, body, id_last=True)
            count += len(items)
        s.list_complete("QueueStatusComplete", m, count)

    def queue_summary(self, s: Session, m: Headers) -> None:
        s.list_start(m, "Queue summary will follow")
        chosen = self._queues(m)
        for q in chosen:
            s.list_item("QueueSummary", m, self._summary(q), id_last=True)
        s.list_complete("QueueSummaryComplete", m, len(chosen))

    def _summary(self, q: Queue) -> Headers:
        devices = self.queues.devices
        members: list[Member] = list(q.members.values())
        logged_in = [x for x in members if devices.state(x.interface) not in (UNAVAILABLE, INVALID)]
        available = [
            x for x in logged_in if not x.paused and devices.state(x.interface) == NOT_INUSE
        ]
        now = self.pbx.clock.now()
        longest = max((now - e.joined_at for e in q.entries), default=0.0)
        return [
            ("Queue", q.name),
            ("LoggedIn", str(len(logged_in))),
            ("Available", str(len(available))),
            ("Callers", str(len(q.entries))),
            ("HoldTime", str(int(q.holdtime))),
            ("TalkTime", str(int(q.talktime))),
            ("LongestHoldTime", str(int(longest))),
        ]

    # channels -----------------------------------------------------------------------------

    def core_show_channels(self, s: Session, m: Headers) -> None:
        s.list_start(m, "Channels will follow")
        now = self.pbx.clock.now()
        channels = list(self.pbx.channels.values())
        for ch in channels:
            body = [
                *ch.snapshot(),
                ("Application", ch.application),
                ("ApplicationData", ch.app_data),
                ("Duration", _hms(now - ch.created_at)),
                ("BridgeId", ch.bridge_id),
            ]
            s.list_item("CoreShowChannel", m, body, id_last=False)
        s.list_complete("CoreShowChannelsComplete", m, len(channels))

    def status(self, s: Session, m: Headers) -> None:
        name = get(m, "Channel")
        channels = list(self.pbx.channels.values())
        if name:
            channels = [c for c in channels if c.name == name]
            if not channels:
                s.error(m, "No such channel")
                return
        s.list_start(m, "Channel status will follow")
        for ch in channels:
            s.send([("Event", "Status"), ("Privilege", "Call"), *self._status(ch, m)])
        s.list_complete("StatusComplete", m, len(channels), [("Items", str(len(channels)))])

    def _status(self, ch: Channel, m: Headers) -> Headers:
        wanted = [v.strip() for v in get(m, "Variables").split(",") if v.strip()]
        if get(m, "AllVariables").lower() == "true":
            wanted = list(ch.variables)
        aid = get(m, "ActionID")
        return [
            *ch.snapshot(),
            ("Type", ch.name.split("/", 1)[0]),
            ("DNID", ""),
            ("EffectiveConnectedLineNum", "<unknown>"),
            ("EffectiveConnectedLineName", "<unknown>"),
            ("TimeToHangup", "0"),
            ("BridgeID", ch.bridge_id),
            ("Application", ch.application),
            ("Data", ch.app_data),
            ("Nativeformats", "(ulaw)"),
            ("Readformat", "ulaw"),
            ("Readtrans", ""),
            ("Writeformat", "ulaw"),
            ("Writetrans", ""),
            ("Callgroup", "0"),
            ("Pickupgroup", "0"),
            ("Seconds", str(int(self.pbx.clock.now() - ch.created_at))),
            *(("Variable", f"{v}={ch.variables.get(v, '')}") for v in wanted),
            *([("ActionID", aid)] if aid else []),
        ]

    def hangup_matching(self, s: Session, m: Headers, pattern: str, cause: int) -> None:
        """Hangup with `Channel: /regex/`: every matching channel, listed."""
        try:
            regex = re.compile(pattern)
        except re.error:
            s.error(m, "Invalid regex")
            return
        s.list_start(m, "Channels hung up will follow")
        hit = [c for c in list(self.pbx.channels.values()) if regex.search(c.name)]
        for ch in hit:
            self.pbx.request_hangup(ch, cause=cause)
            s.list_item("ChannelHungup", m, [("Channel", ch.name)], id_last=True)
        s.list_complete("ChannelsHungupListComplete", m, len(hit))
