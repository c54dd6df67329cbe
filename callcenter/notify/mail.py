"""The notification by e-mail: a plain-text UTF-8 message sent over SMTP.

`smtplib` is blocking, so each message is sent in a worker thread; one connection per message
keeps the code simple at campaign volumes (thousands a day, not per second).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SECURITY = ("none", "starttls", "tls")
SENDER_NAME = "Единый контакт-центр"
FOOTER = "Это письмо отправлено автоматически, отвечать на него не нужно."


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "noreply@localhost"
    user: str = ""
    password: str = ""
    security: str = "none"
    timeout_s: float = 20.0


def build_message(*, sender: str, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    local, _, domain = sender.partition("@")
    message["From"] = Address(SENDER_NAME, local, domain)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain or None)
    message.set_content(f"Здравствуйте!\n\n{text}\n\n{FOOTER}\n", charset="utf-8")
    return message


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        if settings.security not in SECURITY:
            raise ValueError(f"smtp_security: must be one of {', '.join(SECURITY)}")
        self.settings = settings

    async def send(self, *, to: str, subject: str, text: str) -> None:
        """Raises `smtplib.SMTPException` or `OSError` when the server does not take it."""
        message = build_message(sender=self.settings.sender, to=to, subject=subject, text=text)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        if s.security == "tls":
            context = ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        with smtp:
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
            smtp.send_message(message)
