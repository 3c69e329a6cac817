"""Writes through the HTTP API: the key, create/update/delete, search after write, GDPR erasure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from indexer.analysis import terms
from tests.folders import assert_no_traces_soon, traces

pytest_plugins = ("tests.conftest_service",)

NEW_UNIT: dict[str, Any] = {
    "id": "u50",
    "name": "Robotlaboratoriet",
    "organisation": "Region Hovedstaden",
    "sector": "region",
    "area": "Sundhed",
    "description": "Vi afprøver robotter, der hjælper ældre med at rejse sig og spise selv.",
    "competencies": ["robotteknologi", "spiserobotter"],
    "contact_name": "Ole Bak",
    "contact_email": "ole.bak@regionh.dk",
    "metadata": {"phone": "38 66 00 00"},
}
NO_KEY = "Det kræver, at du er logget ind (eller sender en API-nøgle)."
BAD_KEY = (
    "API-nøglen i headeren 'Authorization: Bearer …' er ugyldig eller tilbagekaldt. "
    "Lav en ny med `tvaers keys create NAVN --role ROLLE`."
)


def _ids(client: TestClient, query: str, **params: Any) -> list[str]:
    body = client.get("/api/search", params={"q": query, **params}).json()
    return [h["id"] for h in body["hits"]]


# The key ------------------------------------------------------------------------------------


def test_create_unit_with_a_revoked_key(
    client_without_key: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    headers = key_headers["test-admin"]  # revoked by the fixture
    response = client_without_key.post("/api/units", json=NEW_UNIT, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == BAD_KEY
    assert client_without_key.get("/health").json()["writes_enabled"] is False


def test_delete_person_without_key_configured(client_without_key: TestClient) -> None:
    response = client_without_key.delete("/api/people/p002")
    assert response.status_code == 401
    assert response.json()["detail"] == NO_KEY
    assert client_without_key.get("/api/people/p002").status_code == 200


def test_create_unit_without_key(client: TestClient) -> None:
    response = client.post("/api/units", json=NEW_UNIT)
    assert response.status_code == 401
    assert response.json()["detail"] == NO_KEY
    assert response.headers["www-authenticate"] == "Bearer"


def test_create_unit_with_wrong_key(client: TestClient) -> None:
    response = client.post("/api/units", json=NEW_UNIT, headers={"Authorization": "Bearer nej"})
    assert response.status_code == 401
    assert response.json()["detail"] == BAD_KEY


def test_update_unit_without_key(client: TestClient) -> None:
    response = client.put("/api/units/u001", json={"name": "Hacket"})
    assert response.status_code == 401
    assert client.get("/api/units/u001").json()["name"] == "Hjemmeplejen Nat"


# Units ----------------------------------------------------------------------------------------


def test_create_unit(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/units", json=NEW_UNIT, headers=auth)
    assert response.status_code == 201
    assert response.json()["competencies"] == ["robotteknologi", "spiserobotter"]
    assert response.json()["metadata"] == {"phone": "38 66 00 00"}
    assert _ids(client, "spiserobotter")[0] == "u50"  # a search right after the write sees it
    assert client.get("/api/units/u50").json()["name"] == "Robotlaboratoriet"


def test_create_unit_already_exists(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/units", json={**NEW_UNIT, "id": "u001"}, headers=auth)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Der findes allerede en enhed med id 'u001'. Brug PUT for at ændre den."
    )


def test_create_unit_bad_sector(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/units", json={**NEW_UNIT, "sector": "firma"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sector"


def test_create_unit_blank_name(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/units", json={**NEW_UNIT, "name": "   "}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "skal udfyldes"}]


def test_create_unit_metadata_clashes_with_column(client: TestClient, auth: dict[str, str]) -> None:
    body = {**NEW_UNIT, "metadata": {"name": "x"}}
    response = client.post("/api/units", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "metadata må ikke hedde som en kolonne: name"
    )


def test_update_unit(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put("/api/units/u001", json={"name": "Natplejen"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["name"] == "Natplejen"
    assert response.json()["description"].startswith("Nattevagterne")  # kept
    assert client.get("/api/people/p001").json()["unit_name"] == "Natplejen"  # people follow
    assert "u001" in _ids(client, "natplejen")[:3]


def test_delete_unit(client: TestClient, auth: dict[str, str]) -> None:
    client.post("/api/units", json=NEW_UNIT, headers=auth)
    response = client.delete("/api/units/u50", headers=auth)
    assert response.status_code == 200
    assert response.json() == {"id": "u50", "deleted": True, "message": "Enheden 'u50' er slettet."}
    assert client.get("/api/units/u50").status_code == 404
    assert "u50" not in _ids(client, "spiserobotter")


def test_delete_unit_with_people(client: TestClient, auth: dict[str, str]) -> None:
    response = client.delete("/api/units/u001", headers=auth)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        "Enheden 'u001' kan ikke slettes: enheden har stadig"
    )
    assert response.json()["problems"][0]["column"] == "id"


# People and trial actions ---------------------------------------------------------------------


def test_create_person(client: TestClient, auth: dict[str, str]) -> None:
    body = {
        "id": "p50",
        "name": "Nanna Lykke",
        "title": "Jordemoder",
        "unit_id": "u003",
        "expertise": ["fødselsforberedelse", "videokonsultation"],
        "email": "nly@regionsjaelland.dk",
    }
    response = client.post("/api/people", json=body, headers=auth)
    assert response.status_code == 201
    assert response.json()["organisation"] == "Region Sjælland"
    assert _ids(client, "fødselsforberedelse")[0] == "p50"


def test_create_person_in_unknown_unit(client: TestClient, auth: dict[str, str]) -> None:
    body = {"id": "p50", "name": "Nanna Lykke", "unit_id": "u404", "expertise": ["jura"]}
    response = client.post("/api/people", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["problems"][0]["column"] == "unit_id"
    assert "u404" in response.json()["problems"][0]["message"]


def test_update_person(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put("/api/people/p002", json={"unit_id": "u005"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["unit_name"] == "Frivilligsekretariatet"
    assert [p["id"] for p in client.get("/api/units/u005").json()["people"]] == ["p002"]


def test_create_trial(client: TestClient, auth: dict[str, str]) -> None:
    body = {
        "id": "t50",
        "title": "Klarsprog i rykkerbreve",
        "unit_id": "u004",
        "description": "Vi omskrev rykkerbreve, så færre borgere ringer ind.",
        "status": "afsluttet",
        "year": 2022,
    }
    response = client.post("/api/trials", json=body, headers=auth)
    assert response.status_code == 201
    assert response.json()["year"] == 2022
    assert _ids(client, "rykkerbreve")[0] == "t50"


def test_create_trial_bad_year(client: TestClient, auth: dict[str, str]) -> None:
    body = {"id": "t50", "title": "x", "unit_id": "u004", "description": "y", "year": 1066}
    response = client.post("/api/trials", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "year", "message": "skal være mindst 1900"}]


def test_update_trial(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put("/api/trials/t001", json={"status": "afsluttet"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["status"] == "afsluttet"


def test_delete_trial(client: TestClient, auth: dict[str, str]) -> None:
    response = client.delete("/api/trials/t002", headers=auth)
    assert response.status_code == 200
    assert client.get("/api/trials/t002").status_code == 404
    assert "t002" not in _ids(client, "drop-in MitID")


def test_writes_survive_a_restart(
    client: TestClient, auth: dict[str, str], home: Path, app_factory: Any
) -> None:
    client.post("/api/units", json=NEW_UNIT, headers=auth)
    with TestClient(app_factory(home)) as again:  # the saved index matches the database
        assert _ids(again, "spiserobotter")[0] == "u50"


# GDPR erasure ---------------------------------------------------------------------------------


def _assert_p001_forgotten(client: TestClient, name: str, email: str) -> None:
    """Neither search, pages nor API answers show person p001 (Ingeborg Skovsgaard) any more."""
    for query in (name, "Ingeborg", "Skovsgaard", email, "Ingebor Skovsgard"):
        body = client.get("/api/search", params={"q": query, "limit": 100}).json()
        assert "p001" not in [h["id"] for h in body["hits"]]
        assert "ingeborg" not in str(body["hits"]).lower()
    assert client.get("/api/people/p001").status_code == 404
    unit = client.get("/api/units/u001")
    assert "Ingeborg" not in unit.text and "ingeborg" not in unit.text
    assert "Ingeborg" not in client.get("/enheder/u001").text
    for path in ("/api/facets", "/health"):
        assert "ingeborg" not in client.get(path).text.lower()
    page = client.get("/", params={"q": name}).text  # the page echoes the query only
    assert "person-p001" not in page and email not in page


@pytest.mark.parametrize("restart", [False, True])
def test_delete_person_erases_every_trace(
    app: FastAPI, home: Path, auth: dict[str, str], app_factory: Any, restart: bool
) -> None:
    name, email = "Ingeborg Skovsgaard", "ingeborg.skovsgaard@faxe.dk"
    needles = [b"ingeborg", b"skovsgaard", *(t.encode() for t in terms(name))]
    with TestClient(app) as client:
        # Before: found everywhere (so the checks below can see traces at all).
        assert _ids(client, name)[0] == "p001"
        assert _ids(client, "Ingeborg")[0] == "p001"
        assert traces(home, needles)

        response = client.delete("/api/people/p001", headers=auth)
        assert response.status_code == 200
        assert response.json()["message"] == "Personen 'p001' og alle spor af dem er slettet."

        state = client.app.state.tvaers  # type: ignore[attr-defined]
        assert not [q for q in state.searchers.caches.query_vectors if "ingeborg" in q.lower()]
        assert state.index.lexical.column("skovsgaard") is None
        # No file in the home folder (database and counted searches included) holds the name,
        # its terms or the email once the erasure snapshot is written (`erasure_snapshot_delay`,
        # 0 here). Checked before searching for her again: a later search is counted anew.
        if restart:
            with TestClient(app_factory(home)) as restarted:
                assert_no_traces_soon(home, [*needles, email.encode()])
                _assert_p001_forgotten(restarted, name, email)
        else:
            assert_no_traces_soon(home, [*needles, email.encode()])
            _assert_p001_forgotten(client, name, email)


def test_renamed_person_leaves_no_trace_of_the_old_name(
    client: TestClient, home: Path, auth: dict[str, str]
) -> None:
    body = {"name": "Ingeborg Lund", "email": "ingeborg.lund@faxe.dk"}
    response = client.put("/api/people/p001", json=body, headers=auth)
    assert response.status_code == 200
    assert _ids(client, "Ingeborg Lund")[0] == "p001"
    hits = client.get("/api/search", params={"q": "Skovsgaard"}).json()["hits"]
    assert "skovsgaard" not in str(hits).lower()
    # The database forgets the old text at once; a snapshot on disk with the next snapshot.
    client.app.state.tvaers.live.snapshot()  # type: ignore[attr-defined]
    assert traces(home, [b"skovsgaard"]) == []
