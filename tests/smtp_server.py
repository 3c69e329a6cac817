"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests: it keeps what arrives, can
refuse the next attempts, and lets a test wait for a message instead of sleeping."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Inbox:
    """What the server received, and what it should answer next."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_data: list[str] = field(default_factory=list)  # answers to the next DATA commands
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> answer
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data.pop(0)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.arrived:
            self.messages.append(parsed)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self.arrived:
            ok = self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert ok, f"{len(self.messages)} of {count} messages arrived"
        return list(self.messages)


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


USER, PASSWORD = "praktik", "hemmeligt-kodeord"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, auth_data=data)


def _serve(**options: Any) -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from _serve()


@pytest.fixture
def smtp_server_with_login() -> Iterator[SmtpServer]:
    """Asks for a user name and password (over a plain connection: 127.0.0.1 only)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
        yield from _serve(authenticator=_authenticate, auth_required=True, auth_require_tls=False)
