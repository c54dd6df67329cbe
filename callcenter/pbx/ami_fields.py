"""Reading header values out of AMI messages: text, integers, flags, Asterisk's escapes.

Names are given lowercased (`text(m, "uniqueid")`): they are looked up in `AmiMessage.fields`,
a plain dict, with no case folding per read. A malformed number raises `ValueError`; the caller
logs the whole event and drops only it.
"""

from __future__ import annotations

from typing import Any

from callcenter.pbx.ami_wire import AmiMessage
from callcenter.pbx.facts import QueueMember

Headers = AmiMessage

_UNKNOWN = frozenset({"<unknown>", "unknown"})
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'", "?": "?"}


def text(m: AmiMessage, key: str) -> str:
    """A header's value (`key` lowercased); a repeated header gives its last value."""
    value = m.fields.get(key, "")
    if value.__class__ is str:  # nearly always: skip the list and str() checks
        return value
    return _last(value)


def _last(value: Any) -> str:
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return str(value)


def integer(m: AmiMessage, key: str) -> int:
    """An integer header; an absent or empty one is 0, anything else non-numeric raises."""
    value = text(m, key).strip()
    return int(value) if value else 0


def flag(m: Headers, key: str) -> bool:
    return text(m, key).strip().lower() in ("1", "true", "yes", "on")


def unescape_c(value: str) -> str:
    """Undo the C escaping Asterisk applies to caller names and VarSet values."""
    if "\\" not in value:
        return value
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, "")
        out.append(_ESCAPES.get(nxt, "\\" + nxt))
    return "".join(out)


def caller_text(m: Headers, key: str) -> str:
    """Caller id number/name with Asterisk's '<unknown>' placeholders mapped to ""."""
    value = text(m, key)
    return "" if value in _UNKNOWN else unescape_c(value)


def hms_seconds(value: str) -> int:
    """'HH:MM:SS' (CoreShowChannel Duration) to seconds."""
    total = 0
    for part in value.strip().split(":"):
        total = total * 60 + int(part)
    return total


def queue_member(m: Headers) -> QueueMember:
    """QueueMember* events say MemberName/Interface; the QueueStatus list says Name/Location."""
    interface = text(m, "interface") or text(m, "location")
    return QueueMember(
        queue=text(m, "queue"),
        interface=interface,
        name=text(m, "membername") or text(m, "name") or interface,
        state_interface=text(m, "stateinterface"),
        membership=text(m, "membership"),
        penalty=integer(m, "penalty"),
        calls_taken=integer(m, "callstaken"),
        last_call=integer(m, "lastcall"),
        last_pause=integer(m, "lastpause"),
        login_time=integer(m, "logintime"),
        in_call=flag(m, "incall"),
        status=integer(m, "status"),
        paused=flag(m, "paused"),
        paused_reason=text(m, "pausedreason") or text(m, "reason"),
        wrapuptime=integer(m, "wrapuptime"),
    )
