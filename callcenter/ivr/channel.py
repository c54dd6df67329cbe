"""The port through which the IVR runner talks to one call (implemented over FastAGI).

The runner only needs these five AGI-like operations; the PBX adapter maps its own FastAGI
commands and its hang-up exception onto them, so the runner stays testable with a scripted fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ChannelHungUp(Exception):
    """The caller hung up (or the AGI session was closed) while the IVR was running."""


@dataclass(frozen=True)
class Recording:
    """What RECORD FILE gave: the recording's path on the PBX ("" when nothing was recorded) and
    the key the caller pressed to stop it ("" when none): a pressed key answers the menu."""

    path: str
    digit: str = ""


class IvrChannel(Protocol):
    """One call, as seen by the IVR runner. Every method raises `ChannelHungUp` on hang-up."""

    async def stream_file(self, name: str, escape_digits: str = "") -> str:
        """Play sound `name`; return the escape digit pressed, or "" when it played to the end."""
        ...

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        """Play `prompt` (may be "") and collect DTMF digits; "" on timeout."""
        ...

    async def record_file(
        self, name: str, fmt: str, escape_digits: str, timeout_ms: int, silence_s: int
    ) -> Recording:
        """Record the caller into `name`.`fmt`, stopped early by one of `escape_digits`."""
        ...

    async def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable (the dialplan reads the IVR outcome from these)."""
        ...

    async def get_variable(self, name: str) -> str | None:
        """Read a channel variable or function, e.g. `CALLERID(num)`; None when unset."""
        ...
