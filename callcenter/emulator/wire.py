"""AMI framing: `Key: Value` lines, a blank line ends a message.

The reader decodes UTF-8 incrementally so a multi-byte character split across two TCP reads
survives, and takes in what Asterisk's `get_input`/`do_message` take in: `\\r\\n` or a bare
`\\n`; any line, even one without a colon, as a header; an empty message (a lone blank line),
which Asterisk answers "Missing action in request"; a line over 1024 bytes is dropped and its
message answered "Failed to parse message: line too long"; more than 128 lines make the message
"Too many lines in message or allocation failure".
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]

MAX_LINE = 1024  # bytes, line ending included (Asterisk's inbuf holds 1024 + NUL)
MAX_HEADERS = 128  # AST_MAX_MANHEADERS
LINE_TOO_LONG = "Failed to parse message: line too long"
TOO_MANY_LINES = "Too many lines in message or allocation failure"

# ast_escape_c: the characters Asterisk writes as C escapes in caller names and VarSet values.
_C_ESCAPES = str.maketrans(
    {
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
        "\\": "\\\\",
        "'": "\\'",
        '"': '\\"',
        "?": "\\?",
    }
)


def escape_c(value: str) -> str:
    return value.translate(_C_ESCAPES)


def encode(headers: Iterable[tuple[str, str]]) -> bytes:
    lines = [f"{k}: {v}\r\n" for k, v in headers]
    return ("".join(lines) + "\r\n").encode("utf-8")


def get(headers: Headers, key: str, default: str = "") -> str:
    """First value of a header, looked up case-insensitively as Asterisk does."""
    low = key.lower()
    for k, v in headers:
        if k.lower() == low:
            return v
    return default


def get_all(headers: Headers, key: str) -> list[str]:
    low = key.lower()
    return [v for k, v in headers if k.lower() == low]


@dataclass
class Request:
    """One message as the server took it in; `problem` is Asterisk's error if it was damaged."""

    headers: Headers = field(default_factory=list)
    problem: str = ""


class MessageReader:
    """`for_client`: read what a server wrote ('Key: value', exactly one space dropped) instead
    of what a client sent (Asterisk skips every blank after the colon)."""

    def __init__(self, *, for_client: bool = False) -> None:
        self._for_client = for_client
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._current = Request()
        self._lines = 0
        self._skipping = False  # inside a line that was too long, until its end

    def feed_requests(self, data: bytes) -> list[Request]:
        """Every message completed by `data`, empty and damaged ones included."""
        self._buffer += self._decoder.decode(data)
        done: list[Request] = []
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            request = self._line(line)
            if request is not None:
                done.append(request)
        if len(self._buffer.encode("utf-8")) >= MAX_LINE:
            self._buffer = ""
            self._skipping = True
            self._current.problem = self._current.problem or LINE_TOO_LONG
        return done

    def feed(self, data: bytes) -> list[Headers]:
        """The non-empty messages completed by `data` (what a client wants to see)."""
        return [r.headers for r in self.feed_requests(data) if r.headers]

    def _line(self, line: str) -> Request | None:
        if self._skipping:  # the tail of a line that was already dropped
            self._skipping = False
            return None
        if len(line.encode("utf-8")) + 1 > MAX_LINE:
            self._current.problem = self._current.problem or LINE_TOO_LONG
            return None
        line = line.removesuffix("\r")
        if not line:
            request, self._current, self._lines = self._current, Request(), 0
            return request
        self._lines += 1
        if self._lines > MAX_HEADERS:
            self._current.problem = TOO_MANY_LINES
            return None
        key, _, value = line.partition(":")
        value = value.removeprefix(" ") if self._for_client else value.lstrip(" \t")
        self._current.headers.append((key, value))
        return None
