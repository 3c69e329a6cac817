"""Reads through the HTTP API: search, units, people, trials, similar units, health, docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service",)


@pytest.fixture
def reader(key_headers: dict[str, dict[str, str]]) -> dict[str, str]:
    """A reader's key: contact details are shown only with a key or a session."""
    return key_headers["test-reader"]


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "documents": 12,
        "units": 6,
        "people": 4,
        "trials": 2,
        "model_id": "fake/hashing@1",
        "writes_enabled": True,
        "revision": 1,
    }


def test_docs_and_openapi(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text  # these machines have no internet: assets are served locally
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/search" in schema["paths"]
    assert "PairingRequest" in schema["components"]["schemas"]


def test_search(client: TestClient, reader: dict[str, str]) -> None:
    """Contact details need a session or a key: a reader's key."""
    response = client.get("/api/search", params={"q": "skærmbesøg om natten"}, headers=reader)
    assert response.status_code == 200
    body = response.json()
    # The trial named so comes first (a name weighs more than text), then the unit doing it.
    assert [h["id"] for h in body["hits"][:2]] == ["t001", "u001"]
    assert body["total"] >= 3
    assert body["took_ms"] >= 0
    hit = body["hits"][1]
    assert hit["kind_label"] == "Enhed"
    assert hit["url"] == "/enheder/u001"
    assert hit["contact"] == {
        "name": "Anne Holm",
        "email": "anne.holm@faxe.dk",
        "phone": "56 20 30 00",
    }
    explanation = hit["explanation"]
    assert explanation["matched_by"] in ("words", "both")
    marked = [explanation["snippet"][a:b].lower() for a, b in explanation["highlights"]]
    assert "skærmbesøg" in marked


def test_search_person_hit_has_contact_and_link(client: TestClient, reader: dict[str, str]) -> None:
    body = client.get("/api/search", params={"q": "MitID", "kind": "person"}, headers=reader).json()
    assert body["hits"][0]["id"] == "p002"
    assert body["hits"][0]["contact"]["email"] == "jens.mortensen@faxe.dk"
    assert body["hits"][0]["url"] == "/enheder/u002#person-p002"


def test_search_trial_hit_shows_its_units_contact(
    client: TestClient, reader: dict[str, str]
) -> None:
    body = client.get(
        "/api/search", params={"q": "drop-in MitID", "kind": "trial"}, headers=reader
    ).json()
    assert body["hits"][0]["id"] == "t002"
    assert body["hits"][0]["contact"]["email"] == "lone.bisgaard@faxe.dk"


def test_search_filters(client: TestClient) -> None:
    params = {"q": "skærmbesøg", "sector": "region"}
    body = client.get("/api/search", params=params).json()
    assert body["hits"]
    assert {h["sector"] for h in body["hits"]} == {"region"}
    body = client.get("/api/search", params={"q": "skærmbesøg", "organisation": "faxe kommune"})
    assert {h["organisation"] for h in body.json()["hits"]} == {"Faxe Kommune"}
    body = client.get("/api/search", params={"q": "telemedicin", "area": "Sundhed"}).json()
    assert {h["area"] for h in body["hits"]} == {"Sundhed"}


def test_search_paging(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "skærmbesøg", "limit": 2}).json()
    second = client.get("/api/search", params={"q": "skærmbesøg", "limit": 2, "offset": 2}).json()
    assert len(first["hits"]) == 2
    assert first["total"] == second["total"]
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_search_typo_without_danish_letters(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "skaermbesoeg"}).json()
    assert body["hits"][0]["id"] in {"u001", "p001", "t001", "u003"}


def test_search_empty_query(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "  "}).json()
    assert body["hits"] == [] and body["total"] == 0


def test_search_no_results(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "skærmbesøg", "organisation": "Ingen"}).json()
    assert body["hits"] == [] and body["total"] == 0


def test_facets(client: TestClient) -> None:
    body = client.get("/api/facets").json()
    assert body["sectors"] == ["kommune", "region", "stat"]
    assert "Region Sjælland" in body["organisations"]
    assert "Ældre og sundhed" in body["areas"]


def test_read_unit(client: TestClient, reader: dict[str, str]) -> None:
    response = client.get("/api/units/u001", headers=reader)
    assert response.status_code == 200
    unit = response.json()
    assert unit["name"] == "Hjemmeplejen Nat"
    assert unit["competencies"] == ["skærmbesøg", "velfærdsteknologi", "nattevagt"]
    assert unit["metadata"] == {"phone": "56 20 30 00"}
    assert [p["id"] for p in unit["people"]] == ["p001"]
    assert [t["id"] for t in unit["trials"]] == ["t001"]
    assert unit["trials"][0]["year"] == 2024


def test_read_person(client: TestClient) -> None:
    response = client.get("/api/people/p002")
    assert response.status_code == 200
    person = response.json()
    assert person["name"] == "Jens Mortensen"
    assert person["unit_name"] == "Borgerservice Haslev"
    assert person["expertise"] == ["MitID", "Digital Post"]


def test_read_trial(client: TestClient) -> None:
    response = client.get("/api/trials/t001")
    assert response.status_code == 200
    assert response.json()["status"] == "igangværende"
    assert response.json()["organisation"] == "Faxe Kommune"


def test_similar_units(client: TestClient) -> None:
    response = client.get("/api/units/u001/similar", params={"limit": 3})
    assert response.status_code == 200
    ids = [h["id"] for h in response.json()["hits"]]
    assert len(ids) == 3 and "u001" not in ids


def test_similar_units_other_organisations(client: TestClient) -> None:
    params = {"other_organisations": "true"}
    hits = client.get("/api/units/u001/similar", params=params).json()["hits"]
    assert hits
    assert all(h["organisation"] != "Faxe Kommune" for h in hits)


def test_unit_recommendations(client: TestClient) -> None:
    """Center for Digital Velfærd (region): the night home care's trial (Faxe) and the nurse who
    knows skærmbesøg, each with its reason."""
    response = client.get("/api/units/u003/recommendations")
    assert response.status_code == 200
    body = response.json()
    assert body["unit_id"] == "u003"
    trial = body["trials"][0]
    assert trial["hit"]["id"] == "t001" and trial["other_organisation"] is True
    assert "skærmbesøg" in trial["reason"]["competencies"]
    assert trial["reason"]["text"].startswith("Fælles kompetencer: ")
    people = body["people"]
    assert people and all(p["hit"]["unit_id"] != "u003" for p in people)
    assert people[0]["hit"]["id"] == "p001"
    assert "skærmbesøg" in people[0]["reason"]["text"]
    # Where nothing is shared, the reason names the unit's competency nearest in meaning.
    for item in [*body["trials"], *body["people"]]:
        reason = item["reason"]
        if reason["competencies"] or reason["words"]:
            assert reason["nearest_competency"] is None
        else:
            nearest = reason["nearest_competency"]
            assert reason["text"] == f"Nærmest enhedens kompetence »{nearest}« i betydning."
    assert any(item["reason"]["nearest_competency"] for item in body["people"])


def test_unit_recommendations_of_unknown_unit(client: TestClient) -> None:
    response = client.get("/api/units/nope/recommendations")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_reads_open_without_key(client_without_key: TestClient) -> None:
    assert client_without_key.get("/api/search", params={"q": "MitID"}).status_code == 200
    assert client_without_key.get("/api/units/u002").status_code == 200
    assert client_without_key.get("/health").json()["writes_enabled"] is False
