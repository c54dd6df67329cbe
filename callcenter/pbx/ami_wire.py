"""AMI byte stream -> `AmiMessage`s, with an incremental UTF-8 decoder.

panoramisk 1.4 decodes every TCP chunk on its own with errors ignored, so a Cyrillic letter
split across two reads vanishes ("Пётр" -> "Птр"). Here one `codecs` incremental decoder lives as
long as the connection, so a character may be split anywhere. Framing accepts CRLF (what Asterisk
writes) and bare LF. A malformed frame is logged and dropped on its own: the stream resumes at the
next blank line. Given the events someone reads, the decoder drops the others unparsed (most of a
real PBX's events: Newexten, RTCP, device states), unless they answer an action (an ActionID).
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator, Mapping
from itertools import repeat
from typing import Any

log = logging.getLogger(__name__)

BANNER_PREFIX = "Asterisk Call Manager/"
EVENT_PREFIX = "Event: "  # how Asterisk starts every event
MAX_FRAME_CHARS = 1 << 20


class AmiFrameDecoder:
    """Feed raw chunks, get complete messages (events and responses) in wire order."""

    def __init__(
        self,
        *,
        max_frame_chars: int = MAX_FRAME_CHARS,
        wanted_events: frozenset[str] | None = None,
    ) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._max_frame_chars = max_frame_chars
        self._wanted = wanted_events  # None: every event
        self.version: str | None = None
        self.dropped_frames = 0

    def feed(self, data: bytes) -> list[AmiMessage]:
        """Messages completed by `data` (a possibly empty list)."""
        text = self._utf8.decode(data)
        if not text:
            return []
        buffer = self._buffer + text
        if "\r" in buffer:
            # A trailing CR whose LF has not arrived stays in the buffer and is joined next time.
            buffer = buffer.replace("\r\n", "\n")
        if self.version is None:
            buffer = self._take_banner(buffer)
            if self.version is None:
                self._buffer = buffer
                return []
        frames = buffer.split("\n\n")
        self._buffer = self._guard_size(frames.pop())
        messages = []
        wanted = self._wanted
        for frame in frames:
            if wanted is not None and _unwanted(frame, wanted):
                continue
            message = self._parse(frame)
            if message is not None:
                messages.append(message)
        return messages

    def _take_banner(self, buffer: str) -> str:
        """Consume the banner line if present; a peer without one gets version ""."""
        head = buffer[: len(BANNER_PREFIX)]
        if not BANNER_PREFIX.startswith(head):
            self.version = ""
            return buffer
        if "\n" not in buffer:
            return buffer
        if len(head) < len(BANNER_PREFIX):
            self.version = ""
            return buffer
        line, _, rest = buffer.partition("\n")
        self.version = line[len(BANNER_PREFIX) :].strip()
        return rest

    def _guard_size(self, rest: str) -> str:
        if len(rest) <= self._max_frame_chars:
            return rest
        self.dropped_frames += 1
        log.error("AMI frame over %d characters dropped: %r...", self._max_frame_chars, rest[:200])
        return ""

    def _parse(self, frame: str) -> AmiMessage | None:
        lines = frame.split("\n")
        try:  # the common case: every line 'Key: value', all in C but the lowercasing
            fields = {k.lower(): v for k, v in map(str.split, lines, repeat(": "), repeat(1))}
        except ValueError:  # a line without ': '
            fields = {}
        # A name twice (in any case), an empty name or one with a space: read it line by line.
        if len(fields) != len(lines) or "" in fields or " " in "".join(fields):
            return self._parse_carefully(frame, lines)
        if "event" not in fields and "response" not in fields:
            self._drop_headless(frame)
            return None
        return AmiMessage(fields, frame)

    def _parse_carefully(self, frame: str, lines: list[str]) -> AmiMessage | None:
        """Repeated headers become lists; malformed lines are logged and skipped."""
        fields: dict[str, Any] = {}
        names: list[str] = []
        for line in lines:
            if not line:
                continue
            parsed = _split_header(line)
            if parsed is None:
                log.warning("malformed AMI line dropped: %r (frame %r)", line, frame[:200])
                continue
            name, value = parsed
            key = name.lower()
            old = fields.get(key)
            if old is None:
                fields[key] = value
                names.append(name)
            elif isinstance(old, list):
                old.append(value)
            else:
                fields[key] = [old, value]
        if "event" not in fields and "response" not in fields:
            if fields or frame.strip():  # a lone blank line between messages is no loss
                self._drop_headless(frame)
            return None
        return AmiMessage(fields, names=names)

    def _drop_headless(self, frame: str) -> None:
        self.dropped_frames += 1
        log.warning("AMI frame without Event or Response dropped: %r", frame[:200])


class AmiMessage(Mapping[str, Any]):
    """One AMI message (event or response).

    Header names are case-insensitive in AMI, so `fields` keeps them lowercased, values as sent
    (a repeated header: a list of its values). Translators read `fields` with plain dict access,
    which is most of the pipeline's reads; lowercasing once per header here is cheaper than on
    every read. As a `Mapping` the message answers names in any case and iterates them as
    Asterisk wrote them, in wire order (a user event's custom headers keep their spelling).
    """

    __slots__ = ("_frame", "_names", "fields")

    def __init__(self, fields: dict[str, Any], frame: str = "", names: list[str] | None = None):
        # `frame`: the text the fields came from, one 'Name: value' per line, no name repeated;
        # the names are read back from it only when someone asks for them.
        self.fields = fields
        self._frame = frame
        self._names = names

    @classmethod
    def from_headers(cls, headers: Mapping[str, Any]) -> AmiMessage:
        """A message from headers as written (names differing only in case: the last value)."""
        fields: dict[str, Any] = {}
        names: list[str] = []
        for name, value in headers.items():
            key = name.lower()
            if key not in fields:
                names.append(name)
            fields[key] = value
        return cls(fields, names=names)

    def names(self) -> list[str]:
        """Header names as written, in wire order (a repeated one: its first spelling)."""
        if self._names is None:
            self._names = [line.partition(": ")[0] for line in self._frame.split("\n")]
        return self._names

    def __getitem__(self, name: str) -> Any:
        return self.fields[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.fields

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.fields)

    def __repr__(self) -> str:
        return f"AmiMessage({dict(self.items())!r})"


def _unwanted(frame: str, wanted: frozenset[str]) -> bool:
    """An event nobody reads that answers no action: not worth parsing."""
    if not frame.startswith(EVENT_PREFIX):  # a response, or headers in another order
        return False
    end = frame.find("\n")
    name = frame[len(EVENT_PREFIX) : end if end >= 0 else len(frame)]
    return name not in wanted and "actionid:" not in frame.lower()


def _split_header(line: str) -> tuple[str, str] | None:
    """'Key: value', 'Key:value' or 'Key:' -> (key, value); None for garbage."""
    index = line.find(":")
    if index <= 0 or " " in line[:index]:
        return None
    value = line[index + 1 :]
    return line[:index], (value[1:] if value.startswith(" ") else value).rstrip("\r")
