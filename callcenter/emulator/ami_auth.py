"""AMI users and permissions as Asterisk's manager.c has them, read from manager.conf.

Classes are bit masks (`read`/`write` of a user, the class of an event, the authority an action
is registered with). An action runs if the user's write mask shares a bit with the action's
authority (or the authority is 0); an event reaches a session only if the user's read mask and
the session's event mask both hold every class of the event. A user's permit/deny lines are
applied in order and the last one matching the client's address decides (default: allow).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.emulator.conf import Section, read_conf

CLASSES = (
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
)
BIT = {name: 1 << i for i, name in enumerate(CLASSES)}
ALL = 0x7FFFFFFF  # "all" is INT_MAX in manager.c
_TRUE = frozenset({"yes", "true", "y", "t", "1", "on"})
_FALSE = frozenset({"no", "false", "n", "f", "0", "off"})


def _b(*names: str) -> int:
    return sum(BIT[n] for n in names)


# The authority each action is registered with (main/manager.c, apps/app_queue.c); 0 = anyone
# logged in. Login, Challenge and Logoff are also allowed before login.
ACTION_AUTHORITY: dict[str, int] = {
    "login": 0,
    "challenge": 0,
    "logoff": 0,
    "ping": 0,
    "events": 0,
    "originate": _b("originate"),
    "redirect": _b("call"),
    "blindtransfer": _b("call"),
    "hangup": _b("system", "call"),
    "getvar": _b("call", "reporting"),
    "setvar": _b("call"),
    "status": _b("system", "call", "reporting"),
    "coreshowchannels": _b("system", "reporting"),
    "command": _b("command"),
    "userevent": _b("user"),
    "queuestatus": 0,
    "queuesummary": 0,
    "queueadd": _b("agent"),
    "queueremove": _b("agent"),
    "queuepause": _b("agent"),
    "queuepenalty": _b("agent"),
    "queuelog": _b("agent"),
}


def get_perm(text: str) -> int:
    """A comma list of class names -> mask; unknown names count for nothing."""
    words = {w.strip().lower() for w in text.split(",")}
    mask = ALL if "all" in words else 0
    return mask | sum(BIT[w] for w in words if w in BIT)


def strings_to_mask(text: str) -> int | None:
    """An event mask as Login's `Events` and the Events action read it; None if empty."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text.lower() in _FALSE:
        return 0
    if text.lower() in _TRUE:
        return ALL
    return get_perm(text)


def privilege(mask: int) -> str:
    """The `Privilege` header of an event of these classes, e.g. 'call,all'."""
    names = [n for n in CLASSES if mask & BIT[n]]
    return ",".join([*names, "all"]) if mask else "<none>"


@dataclass(frozen=True)
class Rule:
    permit: bool
    network: ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AmiUser:
    name: str
    secret: str
    read: int = ALL
    write: int = ALL
    acl: tuple[Rule, ...] = ()

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return not self.acl
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        allowed = True
        for rule in self.acl:
            if ip.version == rule.network.version and ip in rule.network:
                allowed = rule.permit
        return allowed

    def key_matches(self, challenge: str, key: str) -> bool:
        """MD5 login: Key is md5(challenge + secret) in hex."""
        if not challenge or not key:
            return False
        digest = hashlib.md5((challenge + self.secret).encode("utf-8")).hexdigest()
        return digest == key.strip().lower()


@dataclass(frozen=True)
class ManagerConf:
    users: dict[str, AmiUser] = field(default_factory=dict)  # by lower-cased name
    timestampevents: bool = False
    authtimeout: float = 30.0
    authlimit: int = 50
    allowmultiplelogin: bool = True

    def user(self, name: str) -> AmiUser | None:
        return self.users.get(name.strip().lower())

    def with_secrets(self, secrets: dict[str, str]) -> ManagerConf:
        """Other secrets for some users; a name the file lacks becomes a user with every class."""
        users = dict(self.users)
        for name, secret in secrets.items():
            old = users.get(name.lower())
            users[name.lower()] = (
                AmiUser(name, secret)
                if old is None
                else AmiUser(name, secret, old.read, old.write, old.acl)
            )
        return ManagerConf(
            users, self.timestampevents, self.authtimeout, self.authlimit, self.allowmultiplelogin
        )


def _rule(permit: bool, text: str) -> Rule:
    return Rule(permit, ipaddress.ip_network(text.strip(), strict=False))


def _user(section: Section) -> AmiUser:
    acl = tuple(
        _rule(key == "permit", value) for key, value in section.items if key in ("permit", "deny")
    )
    return AmiUser(
        name=section.name,
        secret=section.get("secret"),
        read=get_perm(section.get("read")),
        write=get_perm(section.get("write")),
        acl=acl,
    )


def load_manager_conf(path: Path) -> ManagerConf:
    sections = read_conf(path)
    general = next((s for s in sections if s.name == "general"), Section("general"))
    users = {s.name.lower(): _user(s) for s in sections if s.name != "general"}
    return ManagerConf(
        users=users,
        timestampevents=general.get("timestampevents", "no").lower() in _TRUE,
        authtimeout=float(general.get("authtimeout", "30")),
        authlimit=int(general.get("authlimit", "50")),
        allowmultiplelogin=general.get("allowmultiplelogin", "yes").lower() in _TRUE,
    )
