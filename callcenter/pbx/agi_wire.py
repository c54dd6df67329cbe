"""FastAGI wire format: the `agi_*` environment, reply lines, and command quoting.

Pure functions on text (no sockets), shared by the server and the tests. Facts come from
`shared/asterisk/agi_spec.json`: Asterisk writes LF-terminated lines, the environment ends with an
empty line, a reply is `<code> result=<value>[ (<data>)][ endpos=<n>]`, and `520-` starts a
multi-line usage message ended by a `520 ` line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

HANGUP_LINE = "HANGUP"
_ENV_LINE = re.compile(r"agi_[a-z0-9_]+$")
_REPLY = re.compile(r"(\d{3})([ -])(.*)$")
_ENDPOS = re.compile(r"\s*endpos=(-?\d+)$")


class AgiProtocolError(Exception):
    """The peer broke the FastAGI wire format."""


@dataclass(frozen=True, slots=True)
class AgiReply:
    code: int  # 200 ok, 510 unknown command, 511 dead channel, 520 usage error
    result: str  # the value after result= ("" when absent)
    data: str  # the text in parentheses, or the usage text of a 520
    endpos: int | None
    line: str

    @property
    def ok(self) -> bool:
        return self.code == 200

    @property
    def result_int(self) -> int | None:
        try:
            return int(self.result)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class AgiRequest:
    """One FastAGI session's start: the route asked for and the channel it is about."""

    route: str
    query: Mapping[str, str]
    args: tuple[str, ...]
    env: Mapping[str, str]

    @property
    def channel(self) -> str:
        return self.env.get("agi_channel", "")

    @property
    def uniqueid(self) -> str:
        return self.env.get("agi_uniqueid", "")

    @property
    def callerid(self) -> str:
        """The caller's number; "" when withheld (PJSIP privacy gives "anonymous")."""
        value = self.env.get("agi_callerid", "")
        return "" if value.lower() in ("unknown", "anonymous") else value

    @property
    def calleridname(self) -> str:
        value = self.env.get("agi_calleridname", "")
        return "" if value == "unknown" else value


def parse_env_line(line: str) -> tuple[str, str]:
    """'agi_name: value' -> (name, value); anything else is a protocol error."""
    key, sep, value = line.partition(":")
    if not sep or not _ENV_LINE.match(key):
        raise AgiProtocolError(f"not an AGI environment line: {line[:120]!r}")
    return key, value[1:] if value.startswith(" ") else value


def build_request(env: Mapping[str, str]) -> AgiRequest:
    """Route = agi_network_script without its query; args from agi_arg_1..N in order."""
    script = env.get("agi_network_script", "")
    path, _, query = script.partition("?")
    args: list[tuple[int, str]] = []
    for key, value in env.items():
        if key.startswith("agi_arg_") and key[8:].isdigit():
            args.append((int(key[8:]), value))
    return AgiRequest(
        route=path.strip("/"),
        query=dict(parse_qsl(query, keep_blank_values=True)),
        args=tuple(value for _, value in sorted(args)),
        env=dict(env),
    )


def parse_reply(line: str, usage: str = "") -> AgiReply:
    """Parse one reply line (for a 520 block, `line` is its last line and `usage` the rest)."""
    match = _REPLY.match(line)
    if match is None:
        raise AgiProtocolError(f"not an AGI reply: {line[:120]!r}")
    code = int(match.group(1))
    rest = match.group(3)
    if code != 200:
        return AgiReply(code, "", usage or rest, None, line)
    if not rest.startswith("result="):
        raise AgiProtocolError(f"200 reply without result=: {line[:120]!r}")
    rest = rest[len("result=") :]
    endpos = None
    found = _ENDPOS.search(rest)
    if found is not None:
        endpos = int(found.group(1))
        rest = rest[: found.start()]
    result, _, tail = rest.partition(" ")
    tail = tail.strip()
    data = tail[1:-1] if tail.startswith("(") and tail.endswith(")") else tail
    return AgiReply(code, result, data, endpos, line)


def quote(arg: str) -> str:
    """One command argument, always double-quoted; line breaks cannot be sent at all."""
    if "\n" in arg or "\r" in arg:
        raise ValueError(f"AGI argument with a line break: {arg[:60]!r}")
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def command_line(*words: str, args: tuple[str, ...] = ()) -> str:
    """Command words as they are, then each argument quoted."""
    return " ".join([*words, *(quote(a) for a in args)])
