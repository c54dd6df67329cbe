"""app_queue's queue_log: `epoch|callid|queue|agent|EVENT|data1|data2|...`, one line per event.

Written the way Asterisk's `ast_queue_log` writes it: there is always a `|` after the event name,
even without data (`ADDMEMBER|`). Lines go to a file (appended, flushed per line) and are kept
in memory for the control API and tests.
"""

from __future__ import annotations

from pathlib import Path

from callcenter.clock import Clock

NONE = "NONE"


class QueueLog:
    def __init__(self, *, clock: Clock, path: Path | None = None) -> None:
        self.clock = clock
        self.path = path
        self.lines: list[str] = []

    def write(self, callid: str, queue: str, agent: str, event: str, *data: object) -> str:
        fields = "|".join(str(d) for d in data)
        line = f"{int(self.clock.now())}|{callid}|{queue}|{agent}|{event}|{fields}"
        self.lines.append(line)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return line
