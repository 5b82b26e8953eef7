"""Sending email by SMTP: one sender for reminders and digests.

Settings: TRACKER_SMTP_HOST, TRACKER_SMTP_PORT, TRACKER_MAIL_FROM, and optionally
TRACKER_SMTP_STARTTLS=1, TRACKER_SMTP_USER and TRACKER_SMTP_PASSWORD.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any


class MailError(Exception):
    """The message could not be handed to the SMTP server. `sent`: how many of the messages
    given to `send` the server had accepted before it failed (they are not to be sent again)."""

    def __init__(self, message: str, *, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "treaty-tracker@localhost"
    starttls: bool = False
    user: str = ""
    password: str = ""
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailSettings:
        return cls(
            host=config.get("SMTP_HOST", "localhost"),
            port=int(config.get("SMTP_PORT", 25)),
            sender=config.get("MAIL_FROM", "treaty-tracker@localhost"),
            starttls=bool(config.get("SMTP_STARTTLS", False)),
            user=config.get("SMTP_USER", ""),
            password=config.get("SMTP_PASSWORD", ""),
        )


def message(
    settings: MailSettings, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """A plain-text message, with an HTML alternative when given."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail


def send(settings: MailSettings, mails: list[EmailMessage]) -> None:
    """Hand the messages to the SMTP server in one connection; raise MailError on failure."""
    if not mails:
        return
    sent = 0
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            for mail in mails:
                smtp.send_message(mail)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"could not send mail through {settings.host}:{settings.port}: {exc}", sent=sent
        ) from exc
