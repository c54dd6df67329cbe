"""A notification campaign as loaded from a file: its settings and its recipients.

The message is a text with `{name}` placeholders filled from each recipient's own variables
(e.g. `{document}`); the rendered text is what the citizen hears and reads.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from callcenter.notify.policy import AllowedHours, CampaignRules

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PROMPT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class CampaignError(ValueError):
    """The campaign file is unusable; the message says where and why. Nothing was stored."""


@dataclass(frozen=True)
class Campaign:
    name: str
    message: str
    prompt: str
    email_subject: str
    rules: CampaignRules
    ring_timeout_s: float = 30.0

    def to_json(self) -> dict[str, Any]:
        r = self.rules
        return {
            "message": self.message,
            "prompt": self.prompt,
            "email_subject": self.email_subject,
            "ring_timeout_s": self.ring_timeout_s,
            "allowed_hours": f"{r.allowed.start:%H:%M}-{r.allowed.end:%H:%M}",
            "timezone": r.timezone,
            "calls_per_minute": r.calls_per_minute,
            "max_concurrent": r.max_concurrent,
            "max_attempts": r.max_attempts,
            "retry_delay_s": r.retry_delay_s,
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> Campaign:
        return cls(
            name=name,
            message=str(data["message"]),
            prompt=str(data["prompt"]),
            email_subject=str(data["email_subject"]),
            ring_timeout_s=float(data["ring_timeout_s"]),
            rules=CampaignRules(
                allowed=AllowedHours.parse(str(data["allowed_hours"])),
                timezone=str(data["timezone"]),
                calls_per_minute=int(data["calls_per_minute"]),
                max_concurrent=int(data["max_concurrent"]),
                max_attempts=int(data["max_attempts"]),
                retry_delay_s=float(data["retry_delay_s"]),
            ),
        )


@dataclass(frozen=True)
class NewRecipient:
    """One row of the file. `number` is E.164, or None with `problem` saying why not."""

    position: int
    phone: str
    number: str | None
    email: str | None
    variables: dict[str, str] = field(default_factory=dict)
    text: str = ""
    problem: str = ""


def placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise CampaignError(f"message: bad placeholder: {exc}") from exc


def render(template: str, variables: dict[str, str]) -> str:
    return template.format_map(variables)


WHOLE_DAY = AllowedHours(time(0, 0), time(0, 0))
