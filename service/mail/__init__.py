"""Mail: an outbox in the database, and a sender that delivers it by SMTP with retries.

Features put messages in the outbox inside their own transaction (`Outbox.add(..., conn=)`), so
a publish and its letters commit together; `MailSender` delivers them in the background. Without
SMTP settings nothing is sent and coordinators read the waiting messages at /praktik/post.
"""

from __future__ import annotations

from service.mail.letters import danish_date, render_message
from service.mail.outbox import Message, Outbox, StoredMessage
from service.mail.sender import DeliveryReport, MailSender, deliver_due
from service.mail.smtp import SmtpSettings, SmtpTransport, Transport

__all__ = [
    "DeliveryReport",
    "MailSender",
    "Message",
    "Outbox",
    "SmtpSettings",
    "SmtpTransport",
    "StoredMessage",
    "Transport",
    "danish_date",
    "deliver_due",
    "render_message",
]
