"""The Innovationspraktik season: phases in order, dates that make sense, one current season,
every step audit-logged; the API and the coordinators' pages show where it stands."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.season import PHASES, SeasonDates, SeasonError, next_phase
from indexer.audit import Actor
from indexer.build import Home
from indexer.schema import audit_table
from service.season.book import SeasonBook
from tests.fakes import ManualClock

pytest_plugins = ("tests.conftest_service", "tests.oidc")

DATES = SeasonDates(
    dt.date(2027, 5, 1), dt.date(2027, 6, 15), dt.date(2027, 9, 13), dt.date(2027, 9, 17)
)
KIM = Actor("kim@faxe.dk", "Kim Koordinator")
SEASON = {
    "name": "Innovationspraktik 2027, uge 37",
    "registration_opens": "2027-05-01",
    "registration_deadline": "2027-06-15",
    "week_starts": "2027-09-13",
    "week_ends": "2027-09-17",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    store = Home(tmp_path / "home").open_store()
    yield store.engine
    store.close()


def _audit(engine: sa.Engine) -> list[tuple[str, str, str, dict[str, list[str | None]]]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_table).order_by(audit_table.c.seq)).all()
    return [(r.kind, r.record_id, r.action, json.loads(r.changes)) for r in rows]


# The phases ------------------------------------------------------------------------------------


def test_the_phases_run_from_registration_to_archive() -> None:
    assert PHASES == (
        "registration_open",
        "registration_closed",
        "review",
        "published",
        "week",
        "evaluation",
        "archived",
    )
    assert next_phase("review") == "published"
    with pytest.raises(SeasonError, match="arkiveret"):
        next_phase("archived")


def test_dates_out_of_order_are_refused_in_danish() -> None:
    with pytest.raises(SeasonError, match="Praktikugen skal begynde efter tilmeldingsfristen"):
        SeasonDates(
            dt.date(2027, 5, 1), dt.date(2027, 9, 20), dt.date(2027, 9, 13), DATES.week_ends
        )
    with pytest.raises(SeasonError, match="før tilmeldingen åbner"):
        SeasonDates(dt.date(2027, 5, 1), dt.date(2027, 4, 1), DATES.week_starts, DATES.week_ends)


# The book of seasons ---------------------------------------------------------------------------


def test_a_new_season_opens_for_registration_and_the_first_is_current(engine: sa.Engine) -> None:
    clock = ManualClock()
    book = SeasonBook(engine, clock)
    season = book.create("Innovationspraktik 2027, uge 37", DATES, KIM, current=False)
    assert season.phase == "registration_open" and season.phase_number == 1
    assert season.is_current and season.phase_since == clock.now
    assert book.current() == season
    assert _audit(engine)[-1][:3] == ("season", str(season.id), "create")


def test_a_season_moves_on_one_phase_at_a_time_and_each_step_is_logged(engine: sa.Engine) -> None:
    clock = ManualClock()
    book = SeasonBook(engine, clock)
    season = book.create("2027", DATES, KIM, current=True)
    for expected in PHASES[:-1]:
        clock.now += dt.timedelta(days=1)
        season = book.advance(season.id, expected, KIM)
        assert season.phase == next_phase(expected) and season.phase_since == clock.now
    assert season.phase == "archived"
    moves = [c["phase"] for kind, _, action, c in _audit(engine) if action == "phase"]
    assert moves == [[a, b] for a, b in itertools.pairwise(PHASES)]
    with pytest.raises(SeasonError, match="arkiveret"):
        book.advance(season.id, "archived", KIM)


def test_moving_from_a_phase_the_season_has_left_is_refused(engine: sa.Engine) -> None:
    book = SeasonBook(engine, ManualClock())
    season = book.create("2027", DATES, KIM, current=True)
    book.advance(season.id, "registration_open", KIM)
    with pytest.raises(SeasonError, match="allerede flyttet videre"):
        book.advance(season.id, "registration_open", KIM)  # a second coordinator's click
    assert book.get(season.id).phase == "registration_closed"


def test_several_seasons_one_current(engine: sa.Engine) -> None:
    book = SeasonBook(engine, ManualClock())
    first = book.create("2026", DATES, KIM, current=False)
    second = book.create("2027", DATES, KIM, current=False)
    assert book.current() == book.get(first.id) and not second.is_current
    book.make_current(second.id, KIM)
    assert [s.is_current for s in book.all()] == [True, False]  # newest first
    assert _audit(engine)[-1][2] == "current"


# The API -----------------------------------------------------------------------------------------


@pytest.fixture
def coordinator_api(app: FastAPI, key_headers: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(app, headers=key_headers["test-coordinator"]) as client:
        yield client


def test_api_creates_a_season_and_shows_where_it_stands(coordinator_api: TestClient) -> None:
    created = coordinator_api.post("/api/seasons", json=SEASON)
    assert created.status_code == 201
    body = created.json()
    assert body["phase"] == "registration_open" and body["phase_label"] == "Tilmelding åben"
    assert [p["label"] for p in body["phases"]][-1] == "Arkiveret"
    moved = coordinator_api.post(
        f"/api/seasons/{body['id']}/phase", json={"expected": "registration_open"}
    )
    assert moved.status_code == 200 and moved.json()["phase_label"] == "Tilmelding lukket"
    current = coordinator_api.get("/api/seasons/current").json()
    assert current["id"] == body["id"] and current["phase_number"] == 2
    listed = coordinator_api.get("/api/seasons").json()
    assert listed["count"] == 1 and listed["current_id"] == body["id"]


def test_api_refuses_a_stale_move_and_bad_dates(coordinator_api: TestClient) -> None:
    season = coordinator_api.post("/api/seasons", json=SEASON).json()
    stale = coordinator_api.post(f"/api/seasons/{season['id']}/phase", json={"expected": "review"})
    assert stale.status_code == 400
    assert "allerede flyttet videre" in stale.json()["detail"]
    bad = coordinator_api.post("/api/seasons", json={**SEASON, "week_ends": "2027-09-01"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Praktikugen kan ikke slutte, før den begynder."
    missing = coordinator_api.get("/api/seasons/999")
    assert missing.status_code == 404 and "sæson" in missing.json()["detail"]


def test_api_seasons_need_a_coordinator(
    app: FastAPI, key_headers: dict[str, dict[str, str]]
) -> None:
    reader = next(h for name, h in key_headers.items() if "reader" in name)
    with TestClient(app, headers=reader) as client:
        assert client.post("/api/seasons", json=SEASON).status_code == 403
    with TestClient(app) as client:
        assert client.get("/api/seasons/current").status_code == 401


# The pages -------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(signed_in: Callable[..., TestClient]) -> TestClient:
    return signed_in("kim", "tvaers-koordinatorer")


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def test_a_coordinator_creates_and_moves_a_season_on_the_pages(coordinator: TestClient) -> None:
    assert "Der er ingen aktuel sæson" in coordinator.get("/praktik").text
    token = _csrf(coordinator, "/praktik/saesoner")
    page = coordinator.post("/praktik/saesoner", data={**SEASON, "csrf_token": token})
    assert page.status_code == 200 and "<h1>Innovationspraktik 2027, uge 37</h1>" in page.text
    assert 'aria-current="step">Tilmelding åben</li>' in page.text
    path = str(page.url.path)
    page = coordinator.post(
        path + "/fase", data={"expected": "registration_open", "csrf_token": token}
    )
    assert "Fase 2 af 7: <strong>Tilmelding lukket</strong>" in page.text
    again = coordinator.post(
        path + "/fase", data={"expected": "registration_open", "csrf_token": token}
    )
    assert again.status_code == 409 and "allerede flyttet videre" in again.text
    pairing = coordinator.get("/praktik").text
    assert "Innovationspraktik 2027, uge 37" in pairing and "Tilmelding lukket" in pairing


def test_the_new_season_form_says_what_is_wrong_beside_the_field(coordinator: TestClient) -> None:
    token = _csrf(coordinator, "/praktik/saesoner")
    page = coordinator.post(
        "/praktik/saesoner", data={**SEASON, "name": "", "week_starts": "", "csrf_token": token}
    )
    assert page.status_code == 422
    assert 'id="season-name-error">Giv sæsonen et navn.' in page.text
    assert 'id="season-week_starts-error">Skriv en dato (åååå-mm-dd).' in page.text
