"""AMI byte stream -> panoramisk `Message`s, with an incremental UTF-8 decoder.

panoramisk 1.4 decodes every TCP chunk on its own with errors ignored, so a Cyrillic letter
split across two reads vanishes ("Пётр" -> "Птр"). Here one `codecs` incremental decoder lives as
long as the connection, so a character may be split anywhere. Framing accepts CRLF (what Asterisk
writes) and bare LF. A malformed frame is logged and dropped on its own: the stream resumes at the
next blank line.
"""

from __future__ import annotations

import codecs
import logging
from typing import Any

from panoramisk.message import Message

log = logging.getLogger(__name__)

BANNER_PREFIX = "Asterisk Call Manager/"
MAX_FRAME_CHARS = 1 << 20


class AmiFrameDecoder:
    """Feed raw chunks, get complete messages (events and responses) in wire order."""

    def __init__(self, *, max_frame_chars: int = MAX_FRAME_CHARS) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._max_frame_chars = max_frame_chars
        self.version: str | None = None
        self.dropped_frames = 0

    def feed(self, data: bytes) -> list[Any]:
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
        for frame in frames:
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

    def _parse(self, frame: str) -> Any:
        lines = frame.split("\n")
        try:  # the common case: every line 'Key: value', no key twice
            headers = dict(line.split(": ", 1) for line in lines)
        except ValueError:
            headers = {}
        if len(headers) != len(lines) or "" in headers or any(" " in k for k in headers):
            headers = self._parse_carefully(frame, lines)
        if "Event" not in headers and "Response" not in headers:
            if headers or frame.strip():
                self.dropped_frames += 1
                log.warning("AMI frame without Event or Response dropped: %r", frame[:200])
            return None
        return AmiMessage(headers)

    def _parse_carefully(self, frame: str, lines: list[str]) -> dict[str, Any]:
        """Repeated headers become lists; malformed lines are logged and skipped."""
        headers: dict[str, Any] = {}
        for line in lines:
            if not line:
                continue
            parsed = _split_header(line)
            if parsed is None:
                log.warning("malformed AMI line dropped: %r (frame %r)", line, frame[:200])
                continue
            key, value = parsed
            old = headers.get(key)
            if old is None:
                headers[key] = value
            elif isinstance(old, list):
                old.append(value)
            else:
                headers[key] = [old, value]
        return headers


class AmiMessage(Message):  # type: ignore[misc]
    """panoramisk's `Message`, filled in one step (its per-key `update` is half the parse time).

    Same contents as `Message(headers)`, including the "content" key panoramisk adds;
    tests/unit/pbx/test_pbx_ami_wire.py checks the two stay equal.
    """

    def __init__(self, headers: dict[str, Any]) -> None:
        store = {key.lower(): (key, value) for key, value in headers.items()}
        store.setdefault("content", ("content", ""))
        self._store = store
        self.manager = None


def _split_header(line: str) -> tuple[str, str] | None:
    """'Key: value', 'Key:value' or 'Key:' -> (key, value); None for garbage."""
    index = line.find(":")
    if index <= 0 or " " in line[:index]:
        return None
    value = line[index + 1 :]
    return line[:index], (value[1:] if value.startswith(" ") else value).rstrip("\r")
