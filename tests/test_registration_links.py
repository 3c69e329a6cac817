"""People without an account register through a personal link sent to their work e-mail: the
answer never says whether an address is known, the link is stored only as a hash, asking is
rate-limited, and the link opens the forms for that address only, until it expires."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from indexer.schema import audit_table, season_registration_links_table
from service.api.state import ServiceState
from service.season.registration import utc_now
from tests.seasons import SEASON_2027

pytest_plugins = ("tests.conftest_service",)

SEASON = SEASON_2027 | {"current": True}
INTERN = {
    "name": "Ida Krogh",
    "email": "someone.else@example.dk",
    "organisation": "Region Sjælland",
    "sector": "region",
    "wish": "Jeg vil lære, hvordan en kommune arbejder med klarsprog.",
    "duration": 2,
}


def _state(app: FastAPI) -> ServiceState:
    state: ServiceState = app.state.tvaers
    return state


@pytest.fixture
def season_app(
    home: Path, key_headers: dict[str, dict[str, str]], app_factory: Callable[..., FastAPI]
) -> Iterator[FastAPI]:
    app = app_factory(home, throttle_registration_links="4/hour")
    with TestClient(app) as coordinator:
        made = coordinator.post("/api/seasons", json=SEASON, headers=key_headers["test-admin"])
        assert made.status_code == 201, made.text
        yield app


def _links_sent(app: FastAPI, to: str) -> list[str]:
    return [
        re.search(r"http\S+", m.body).group(0)  # type: ignore[union-attr]
        for m in _state(app).outbox.messages()
        if m.to_address == to and m.topic == "registration_link"
    ]


def _follow(client: TestClient, link: str) -> TestClient:
    parts = urlsplit(link)
    opened = client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
    assert opened.status_code == 303, opened.text
    return client


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(season_app: FastAPI) -> None:
    with TestClient(season_app, base_url="https://testserver") as ida:
        _follow(ida, _ask(ida, "ida@regionsjaelland.dk"))
        token = _csrf(ida)
        saved = ida.put("/api/registration/intern", json=INTERN, headers={"X-CSRF-Token": token})
        assert saved.status_code == 200, saved.text
    with TestClient(season_app, base_url="https://testserver") as stranger:
        known = stranger.post("/api/registration/link", json={"email": "IDA@regionsjaelland.dk"})
        unknown = stranger.post("/api/registration/link", json={"email": "ny@faxe.dk"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert "Hvis adressen kan bruges" in known.json()["detail"]
    assert len(_links_sent(season_app, "ida@regionsjaelland.dk")) == 2
    assert len(_links_sent(season_app, "ny@faxe.dk")) == 1


def test_the_link_is_stored_only_as_its_hash(season_app: FastAPI) -> None:
    with TestClient(season_app, base_url="https://testserver") as ida:
        link = _ask(ida, "ida@regionsjaelland.dk")
    token = link.split("token=")[1]

    with _state(season_app).store.engine.connect() as conn:
        rows = conn.execute(sa.select(season_registration_links_table)).all()

    assert len(token) >= 43  # 32 random bytes
    assert len(rows) == 1 and token not in "".join(str(v) for v in rows[0])
    assert rows[0].email == "ida@regionsjaelland.dk"
    with _state(season_app).store.engine.connect() as conn:
        steps = conn.execute(sa.select(audit_table.c.action, audit_table.c.actor_subject)).all()
    assert ("link", "ida@regionsjaelland.dk") in [tuple(r) for r in steps]


def test_the_link_opens_the_forms_for_its_address_only(season_app: FastAPI) -> None:
    with TestClient(season_app, base_url="https://testserver") as ida:
        _follow(ida, _ask(ida, "Ida@RegionSjaelland.dk"))
        token = _csrf(ida)
        without_token = ida.put("/api/registration/intern", json=INTERN)
        saved = ida.put("/api/registration/intern", json=INTERN, headers={"X-CSRF-Token": token})
        page = ida.get("/praktik/tilmelding")

    assert without_token.status_code == 403
    assert saved.status_code == 200, saved.text
    assert saved.json()["email"] == "ida@regionsjaelland.dk"
    assert saved.json()["intern"]["email"] == "ida@regionsjaelland.dk"  # the confirmed one
    assert "personligt link til ida@regionsjaelland.dk" in page.text
    with TestClient(season_app, base_url="https://testserver") as other:
        assert other.get("/api/registration").status_code == 401


def test_a_wrong_or_expired_link_opens_nothing(season_app: FastAPI) -> None:
    with TestClient(season_app, base_url="https://testserver") as ida:
        link = _ask(ida, "ida@regionsjaelland.dk")
        wrong = ida.get("/praktik/tilmelding/adgang?token=gaet-et-link")
        registrations = _state(season_app).registrations
        registrations.clock = lambda: utc_now() + dt.timedelta(days=15)
        parts = urlsplit(link)
        late = ida.get(f"{parts.path}?{parts.query}")

    assert wrong.status_code == late.status_code == 404
    assert "Linket virker ikke" in late.text


def test_asking_for_links_is_limited_per_client_and_per_address(season_app: FastAPI) -> None:
    with TestClient(season_app, base_url="https://testserver") as asker:
        answers = [
            asker.post("/api/registration/link", json={"email": "ida@regionsjaelland.dk"})
            for _ in range(5)
        ]

    assert [a.status_code for a in answers] == [202, 202, 202, 202, 429]
    assert answers[3].json() == answers[0].json()  # over the address's limit: the same answer
    assert "Vent" in answers[4].json()["detail"] and answers[4].headers["Retry-After"]
    assert len(_links_sent(season_app, "ida@regionsjaelland.dk")) == 3  # 3/hour an address


def test_the_page_asks_for_a_link_and_says_the_same_whatever_the_address(
    season_app: FastAPI,
) -> None:
    with TestClient(season_app, base_url="https://testserver") as anonymous:
        landing = anonymous.get("/praktik/tilmelding")
        token = re.search(r'name="csrf_token" value="([^"]+)"', landing.text)
        assert token is not None
        bad = anonymous.post(
            "/praktik/tilmelding/link", data={"email": "ikke en mail", "csrf_token": token[1]}
        )
        sent = anonymous.post(
            "/praktik/tilmelding/link", data={"email": "ny@faxe.dk", "csrf_token": token[1]}
        )

    assert 'id="f-link-email"' in landing.text and 'for="f-link-email"' in landing.text
    assert bad.status_code == 422
    assert re.search(r'aria-invalid="true" aria-describedby="registration-error"', bad.text)
    assert sent.status_code == 200 and "Hvis adressen kan bruges" in sent.text
    assert _links_sent(season_app, "ny@faxe.dk")


def _ask(client: TestClient, email: str) -> str:
    asked = client.post("/api/registration/link", json={"email": email})
    assert asked.status_code == 202, asked.text
    app: FastAPI = client.app  # type: ignore[assignment]
    return _links_sent(app, email.lower())[0]


def _csrf(client: TestClient) -> str:
    match = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/praktik/tilmelding/praktikant").text
    )
    assert match is not None
    return match.group(1)


def test_an_archived_season_drops_its_registration_links_after_the_retention_period(
    season_app: FastAPI,
) -> None:
    from indexer.schema import seasons_table
    from service.season.retention import SeasonRetention

    with TestClient(season_app, base_url="https://testserver") as ida:
        _ask(ida, "ida@regionsjaelland.dk")
    state = _state(season_app)
    archived = dt.datetime(2027, 10, 1)
    with state.store.engine.begin() as conn:  # as if a coordinator archived it then
        conn.execute(seasons_table.update().values(phase="archived", phase_since=archived))
    later = SeasonRetention(
        state.store.engine,
        state.season_review,
        state.season_evaluation,
        clock=lambda: archived + dt.timedelta(days=400),
    )

    dropped = later.drop_personal_data(12)

    assert len(dropped) == 1
    with state.store.engine.connect() as conn:
        left = conn.execute(sa.select(season_registration_links_table)).all()
    assert left == []
