"""Delivering what is due in the outbox: now (`deliver_due`) or in the background
(`MailSender`, woken when messages are added and every poll interval for retries)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from service.mail.outbox import Outbox
from service.mail.smtp import DeliveryError, Transport

log = logging.getLogger("tvaers.mail")


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(outbox: Outbox, transport: Transport, *, limit: int = 200) -> DeliveryReport:
    """Send every message due now; a failure is recorded on its message and the rest go on."""
    sent = retrying = failed = 0
    for message in outbox.claim_due(limit):
        try:
            transport.send(message)
        except DeliveryError as exc:
            status = outbox.mark_failed_attempt(message, str(exc), permanent=exc.permanent)
            if status == "failed":
                failed += 1
                log.warning("gave up mail %s to %s: %s", message.id, message.to_address, exc)
            else:
                retrying += 1
                log.info("mail %s to %s will be retried: %s", message.id, message.to_address, exc)
        else:
            outbox.mark_sent(message.id)
            sent += 1
    return DeliveryReport(sent, retrying, failed)


class MailSender:
    """A daemon thread delivering the outbox; `transport` None (no SMTP host) sends nothing."""

    def __init__(
        self,
        outbox: Outbox,
        transport: Transport | None,
        poll_seconds: float = 30.0,
        on_pass: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.poll_seconds = poll_seconds
        self._on_pass = on_pass
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.transport is not None

    def start(self) -> None:
        if self.transport is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="tvaers-mail", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """New messages are waiting: deliver them now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        assert self.transport is not None
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = deliver_due(self.outbox, self.transport)
            except Exception:
                log.exception("delivering mail failed; retrying")
                report = DeliveryReport()
            if self._on_pass is not None:
                self._on_pass(report)
            self._wake.wait(self.poll_seconds)
