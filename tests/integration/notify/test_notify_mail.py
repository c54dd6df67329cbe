"""The e-mail leg against a real SMTP server over TCP: headers and a UTF-8 Russian body."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from notify_fixtures import Inbox

from callcenter.notify.mail import SmtpMailer, SmtpSettings

TEXT = "Документы по заявлению ОБ-000123 готовы. Их можно получить в МФЦ «Мои документы»."


async def test_the_message_arrives_with_russian_subject_and_utf8_body(
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, sender="notify@mfc.example"))
    await mailer.send(to="ivanov@example.ru", subject="Документы готовы", text=TEXT)

    [(sender, recipients, raw)] = inbox.messages
    assert (sender, recipients) == ("notify@mfc.example", ["ivanov@example.ru"])
    assert raw.isascii()  # 8-bit-clean transport not assumed: headers and body are encoded
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Документы готовы"
    assert parsed["To"] == "ivanov@example.ru"
    assert parsed["From"].addresses[0].display_name == "Единый контакт-центр"
    assert parsed["From"].addresses[0].addr_spec == "notify@mfc.example"
    assert parsed["Message-ID"]
    assert parsed["Date"]
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    body = parsed.get_content()
    assert TEXT in body
    assert body.startswith("Здравствуйте!")


async def test_a_server_that_is_not_there_is_an_error_not_a_hang() -> None:
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=1, timeout_s=5))
    with pytest.raises(ConnectionRefusedError):
        await mailer.send(to="a@example.ru", subject="Тема", text="Текст")
