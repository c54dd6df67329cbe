"""AMI framing: `Key: Value` lines, a blank line ends a message.

The reader decodes UTF-8 incrementally so a multi-byte character split across two TCP reads
survives, accepts `\\r\\n` or a bare `\\n` like Asterisk's `get_input`, and counts lines that
are not headers so the server can drop a client that only sends garbage.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

Headers = list[tuple[str, str]]

MAX_LINE = 1024


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


class MessageReader:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._current: Headers = []
        self.garbage_lines = 0
        self.long_lines = 0

    def feed(self, data: bytes) -> list[Headers]:
        self._buffer += self._decoder.decode(data)
        messages: list[Headers] = []
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            message = self._line(line.rstrip("\r"))
            if message is not None:
                messages.append(message)
        if len(self._buffer) > MAX_LINE * 4:
            self._buffer = ""
            self.long_lines += 1
        return messages

    def _line(self, line: str) -> Headers | None:
        if not line:
            message, self._current = self._current, []
            return message or None
        if len(line.encode("utf-8")) > MAX_LINE:
            self.long_lines += 1
            return None
        key, sep, value = line.partition(":")
        if not sep:
            self.garbage_lines += 1
            return None
        self._current.append((key.strip(), value.strip()))
        return None
