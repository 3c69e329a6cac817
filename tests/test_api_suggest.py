"""GET /api/suggest: its shape, its bounds, no contact details, and it follows writes."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service",)


def test_suggestions_say_what_they_are_and_where_they_lead(client: TestClient) -> None:
    response = client.get("/api/suggest", params={"q": "ska"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "ska" and body["took_ms"] >= 0
    competency = next(s for s in body["suggestions"] if s["text"] == "skærmbesøg")
    assert competency == {
        "text": "skærmbesøg",
        "kind": "competency",
        "kind_label": "Kompetence",
        "id": None,
        "unit_name": None,
        "url": None,
        "count": 3,  # two units and a person
    }
    units = client.get("/api/suggest", params={"q": "plejec sol"}).json()["suggestions"]
    assert units == [
        {
            "text": "Plejecenter Solgården",
            "kind": "unit",
            "kind_label": "Enhed",
            "id": "u006",
            "unit_name": None,
            "url": "/enheder/u006",
            "count": 1,
        }
    ]
    (person,) = client.get("/api/suggest", params={"q": "ingeb"}).json()["suggestions"]
    assert person["url"] == "/enheder/u001#person-p001"
    assert person["unit_name"] == "Hjemmeplejen Nat" and person["kind_label"] == "Kollega"


def test_no_contact_details_ever(client: TestClient) -> None:
    for typed in ("ingeborg", "anne", "lone", "faxe", "56 20", "hvest"):
        text = client.get("/api/suggest", params={"q": typed}).text
        assert "@" not in text and "56 20 30" not in text, typed
        assert "Anne Holm" not in text  # a contact name is not a person record


def test_limit_bounds_and_an_empty_query(client: TestClient) -> None:
    assert client.get("/api/suggest").json()["suggestions"] == []
    assert client.get("/api/suggest", params={"q": " - "}).json()["suggestions"] == []
    assert len(client.get("/api/suggest", params={"q": "s", "limit": 2}).json()["suggestions"]) == 2
    for bad in (0, 21):
        response = client.get("/api/suggest", params={"q": "s", "limit": bad})
        assert response.status_code == 422
    assert client.get("/api/suggest", params={"q": "x" * 101}).status_code == 422


def test_a_written_and_deleted_unit_shows_at_once(client: TestClient, auth: dict[str, str]) -> None:
    unit = {
        "id": "u77",
        "name": "Kystsikring Stevns",
        "organisation": "Kystdirektoratet",
        "sector": "stat",
        "area": "Klima og kyst",
        "description": "Vi rådgiver kommuner om diger og stormflod.",
        "competencies": ["stormflod"],
        "contact_name": "Eva Strand",
        "contact_email": "eva@kyst.dk",
    }
    assert client.get("/api/suggest", params={"q": "kyst"}).json()["suggestions"] == []
    assert client.post("/api/units", json=unit, headers=auth).status_code == 201
    found = client.get("/api/suggest", params={"q": "kyst"}).json()["suggestions"]
    assert [s["url"] for s in found] == ["/enheder/u77"]
    assert client.delete("/api/units/u77", headers=auth).status_code in (200, 204)
    assert client.get("/api/suggest", params={"q": "kyst"}).json()["suggestions"] == []
    assert client.get("/api/suggest", params={"q": "stormf"}).json()["suggestions"] == []


def test_a_compaction_is_warmed_in_the_background(
    app: FastAPI, client: TestClient, auth: dict[str, str]
) -> None:
    """After a compaction the new base block's suggestions and unit profiles are built by the
    service's own thread, so no user's request waits for them."""
    state = app.state.tvaers
    unit = {
        "id": "u78",
        "name": "Digebyg Køge",
        "organisation": "Køge Kommune",
        "sector": "kommune",
        "area": "Klima og kyst",
        "description": "Vi bygger diger.",
    }
    assert client.post("/api/units", json=unit, headers=auth).status_code == 201
    state.live.compact()
    compacted = state.live.current
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
        state.suggester.is_warm(compacted) and state.searchers.caches.has_profiles_of(compacted)
    ):
        time.sleep(0.05)
    assert state.suggester.is_warm(compacted)
    assert state.searchers.caches.has_profiles_of(compacted)
