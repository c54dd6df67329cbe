"""Helpers shared by the notify integration tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Inbox:
    """What the SMTP server accepted: (envelope sender, recipients, raw message bytes)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"
