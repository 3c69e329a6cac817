"""Delivering one message by SMTP (the standard library's client), in UTF-8."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal, Protocol

from service.mail.outbox import StoredMessage

Security = Literal["starttls", "tls", "none"]


class DeliveryError(Exception):
    """A message could not be delivered; `permanent` when trying again cannot help (the
    server refused the address for good)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: StoredMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From header: "Innovationspraktik <praktik@faxe.dk>"
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


class SmtpTransport:
    """One connection per message: a few hundred letters a season do not need a pool, and a
    broken connection then costs one message's attempt, not the rest."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: StoredMessage) -> None:
        email = build_email(message, self.settings.sender)
        s = self.settings
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                context = ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with smtp:
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"modtageren blev afvist: {exc.recipients}",
                permanent=all(500 <= c < 600 for c in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
            raise DeliveryError(
                f"SMTP-fejl {exc.smtp_code}: {text}", permanent=500 <= exc.smtp_code < 600
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def build_email(message: StoredMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(idstring=f"tvaers-{message.id}", domain=domain)
    email.set_content(message.body, charset="utf-8")
    return email
