"""The mail outbox: messages wait in the database, a sender delivers them by SMTP to a real
server (aiosmtpd on 127.0.0.1), retries what was refused for now, gives up on what was refused
for good, and without an SMTP host coordinators read what would be sent at /praktik/post."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from indexer.build import Home
from indexer.errors import TvaersError
from service.config import Settings
from service.mail import (
    DeliveryReport,
    MailSender,
    Message,
    Outbox,
    SmtpSettings,
    SmtpTransport,
    deliver_due,
    render_message,
)
from tests.conftest_service import make_app
from tests.fakes import ManualClock
from tests.smtp_server import PASSWORD, USER, SmtpServer

pytest_plugins = ("tests.conftest_service", "tests.smtp_server")

TO = "søren.ålund@faxe.dk"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    store = Home(tmp_path / "home").open_store()
    yield store.engine
    store.close()


def _link_message() -> Message:
    return render_message(
        TO,
        "registration_link",
        {
            "name": "Søren Ålund",
            "season_name": "Innovationspraktik 2027, uge 37",
            "role_label": "praktikant",
            "deadline": dt.date(2027, 6, 15),
            "link": "https://tvaers.example/praktik/tilmeld/abc",
        },
        name="registration_link",
        season_id=1,
    )


def _transport(server: SmtpServer, **more: str) -> SmtpTransport:
    return SmtpTransport(
        SmtpSettings(
            server.host, server.port, "Innovationspraktik <praktik@faxe.dk>", "none", **more
        )
    )


def test_a_queued_message_arrives_at_the_smtp_server_in_danish(
    engine: sa.Engine, smtp_server: SmtpServer
) -> None:
    outbox = Outbox(engine)
    assert outbox.add([_link_message()]) == 1
    report = deliver_due(outbox, _transport(smtp_server))
    assert report == DeliveryReport(sent=1)
    (arrived,) = smtp_server.inbox.wait_for(1)
    assert arrived["Subject"] == "Din tilmelding til Innovationspraktik 2027, uge 37"
    assert arrived["To"] == TO and "praktik@faxe.dk" in arrived["From"]
    body = arrived.get_content()
    assert "Kære Søren Ålund" in body and "15. juni 2027" in body
    assert "https://tvaers.example/praktik/tilmeld/abc" in body
    (stored,) = outbox.messages()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, None)
    assert stored.sent_at is not None


def test_a_server_asking_for_a_password_gets_it(
    engine: sa.Engine, smtp_server_with_login: SmtpServer
) -> None:
    outbox = Outbox(engine)
    outbox.add([_link_message()])
    right = _transport(smtp_server_with_login, username=USER, password=PASSWORD)
    assert deliver_due(outbox, right) == DeliveryReport(sent=1)
    assert len(smtp_server_with_login.inbox.wait_for(1)) == 1


def test_a_message_refused_for_now_is_retried_later_and_each_attempt_is_recorded(
    engine: sa.Engine, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(dt.datetime(2027, 9, 1, 9, 0))
    outbox = Outbox(engine, clock, max_attempts=5, retry_seconds=60)
    outbox.add([_link_message()])
    smtp_server.inbox.refuse_data = ["451 Prøv igen senere", "451 Stadig travlt"]
    transport = _transport(smtp_server)
    assert deliver_due(outbox, transport) == DeliveryReport(retrying=1)
    (waiting,) = outbox.messages()
    assert (waiting.status, waiting.attempts) == ("waiting", 1)
    assert "451" in (waiting.last_error or "")
    assert deliver_due(outbox, transport) == DeliveryReport()  # not due before a minute
    clock.now += dt.timedelta(seconds=60)
    assert deliver_due(outbox, transport) == DeliveryReport(retrying=1)
    clock.now += dt.timedelta(seconds=119)
    assert deliver_due(outbox, transport) == DeliveryReport()  # the second wait is twice as long
    clock.now += dt.timedelta(seconds=1)
    assert deliver_due(outbox, transport) == DeliveryReport(sent=1)
    (sent,) = outbox.messages()
    assert (sent.status, sent.attempts) == ("sent", 3)
    assert len(smtp_server.inbox.wait_for(1)) == 1


def test_after_the_last_attempt_a_message_is_given_up(
    engine: sa.Engine, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(dt.datetime(2027, 9, 1, 9, 0))
    outbox = Outbox(engine, clock, max_attempts=2, retry_seconds=1)
    outbox.add([_link_message()])
    smtp_server.inbox.refuse_data = ["421 Lukker"] * 2
    transport = _transport(smtp_server)
    assert deliver_due(outbox, transport) == DeliveryReport(retrying=1)
    clock.now += dt.timedelta(seconds=1)
    assert deliver_due(outbox, transport) == DeliveryReport(failed=1)
    assert outbox.counts() == {"waiting": 0, "sending": 0, "sent": 0, "failed": 1}


def test_an_address_the_server_refuses_for_good_is_given_up_at_once(
    engine: sa.Engine, smtp_server: SmtpServer
) -> None:
    outbox = Outbox(engine)
    outbox.add([_link_message(), Message("anne@faxe.dk", "Hej", "Tekst", "season_letter")])
    smtp_server.inbox.refuse_rcpt[TO] = "550 Ukendt modtager"
    assert deliver_due(outbox, _transport(smtp_server)) == DeliveryReport(sent=1, failed=1)
    failed = outbox.messages(status="failed")
    assert [m.to_address for m in failed] == [TO] and "550" in (failed[0].last_error or "")
    assert [m["To"] for m in smtp_server.inbox.wait_for(1)] == ["anne@faxe.dk"]


def test_an_unreachable_server_costs_an_attempt_not_the_message(engine: sa.Engine) -> None:
    outbox = Outbox(engine)
    outbox.add([_link_message()])
    with __import__("socket").socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: the connection is refused
        nobody = SmtpTransport(SmtpSettings("127.0.0.1", port, "praktik@faxe.dk", "none"))
        assert deliver_due(outbox, nobody) == DeliveryReport(retrying=1)
    assert outbox.messages()[0].status == "waiting"


def test_two_senders_never_take_the_same_message(engine: sa.Engine) -> None:
    clock = ManualClock(dt.datetime(2027, 9, 1, 9, 0))
    outbox = Outbox(engine, clock)
    other = Outbox(engine, clock)  # another replica on the same database
    outbox.add([_link_message()])
    assert len(outbox.claim_due()) == 1
    assert other.claim_due() == []
    clock.now += dt.timedelta(minutes=10)  # the first stopped while sending: taken again
    assert len(other.claim_due()) == 1


def test_messages_commit_with_the_write_that_made_them(engine: sa.Engine) -> None:
    outbox = Outbox(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        outbox.add([_link_message()], conn=conn)
        raise RuntimeError("the publish failed after its letters")
    assert outbox.messages() == []


def test_the_background_sender_delivers_when_woken(
    engine: sa.Engine, smtp_server: SmtpServer
) -> None:
    outbox = Outbox(engine)
    passes: list[DeliveryReport] = []
    delivered = threading.Event()

    def on_pass(report: DeliveryReport) -> None:
        passes.append(report)
        if report.sent:
            delivered.set()

    sender = MailSender(outbox, _transport(smtp_server), poll_seconds=3600, on_pass=on_pass)
    sender.start()
    try:
        outbox.add([_link_message()])
        sender.wake()
        assert delivered.wait(10)
    finally:
        sender.stop()
    assert len(smtp_server.inbox.wait_for(1)) == 1


def test_an_smtp_host_without_a_sender_address_stops_the_service(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, smtp_host="mail.faxe.dk")
    with pytest.raises(TvaersError, match="TVAERS_SMTP_FROM"):
        settings.check_mail()
    assert Settings(home=tmp_path).smtp_settings() is None


def test_a_coordinators_own_letter_with_an_unknown_field_is_refused_in_danish() -> None:
    with pytest.raises(TvaersError, match="kan ikke udfyldes"):
        render_message(TO, "season_letter", {}, template="Emne: Hej\n\n{{ ukendt }}")
    with pytest.raises(TvaersError, match="Emne:"):
        render_message(TO, "season_letter", {}, template="Hej\n\nTekst")


def test_without_an_smtp_host_messages_wait_and_coordinators_see_them(
    home: Path, key_headers: dict[str, dict[str, str]]
) -> None:
    with TestClient(make_app(home)) as client:
        state = client.app.state.tvaers  # type: ignore[attr-defined]
        assert not state.mail.enabled
        state.outbox.add([_link_message()])
        page = client.get("/praktik/post", headers=key_headers["test-coordinator"])
        assert page.status_code == 200
        assert "intet bliver sendt" in page.text and TO in page.text
        assert "Din tilmelding til Innovationspraktik 2027, uge 37" in page.text
        csv = client.get("/praktik/post.csv", headers=key_headers["test-coordinator"])
        assert csv.status_code == 200 and TO in csv.content.decode("utf-8-sig")
        assert client.get("/praktik/post", headers=key_headers["test-reader"]).status_code == 403
        assert state.outbox.messages()[0].status == "waiting"
