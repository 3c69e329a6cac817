"""Every error class at the edge: 422 naming the field, 404, 405, 413, 415, 500, and startup."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.search import Searcher
from indexer.errors import IndexNotFoundError, ModelMismatchError
from service.api.errors import SERVER_ERROR_MESSAGE
from service.app import create_app
from service.config import Settings
from service.headers import SECURITY_HEADERS
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service",)


def test_search_limit_too_high(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "MitID", "limit": 101})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "limit", "message": "må højst være 100"}]
    assert body["detail"] == "Ugyldige data: 'limit' må højst være 100."


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        pytest.param(
            {"q": "MitID", "limit": "ti"},
            "limit",
            "skal være et helt tal",
            id="search_limit_not_a_number",
        ),
        pytest.param(
            {"q": "ord " * 200}, "q", "må højst være 500 tegn", id="search_query_too_long"
        ),
        pytest.param(
            {"q": "MitID", "offset": -1},
            "offset",
            "skal være mindst 0",
            id="search_negative_offset",
        ),
    ],
)
def test_search_bad_parameter(
    client: TestClient, params: dict[str, Any], field: str, message: str
) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]


def test_search_unknown_kind(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "MitID", "kind": "robot"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert response.json()["errors"][0]["message"].startswith("skal være en af:")


def test_similar_limit_too_high(client: TestClient) -> None:
    response = client.get("/api/units/u001/similar", params={"limit": 1000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_create_unit_missing_field(client: TestClient, auth: dict[str, str]) -> None:
    body = {"id": "u50", "organisation": "Faxe Kommune", "sector": "kommune", "description": "x"}
    response = client.post("/api/units", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "skal udfyldes"}]


def test_create_unit_bad_json(client: TestClient, auth: dict[str, str]) -> None:
    headers = {**auth, "content-type": "application/json"}
    response = client.post("/api/units", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "er ikke gyldig JSON"


NO_UNIT = "Der findes ingen enhed med id 'u404'."
NO_PERSON = "Der findes ingen person med id 'p404'."
NO_TRIAL = "Der findes ingen prøvehandling med id 't404'."


@pytest.mark.parametrize(
    ("method", "path", "body", "detail"),
    [
        pytest.param("GET", "/api/units/u404", None, NO_UNIT, id="read_unit_not_found"),
        pytest.param("GET", "/api/people/p404", None, NO_PERSON, id="read_person_not_found"),
        pytest.param("GET", "/api/trials/t404", None, NO_TRIAL, id="read_trial_not_found"),
        pytest.param("GET", "/api/units/u404/similar", None, NO_UNIT, id="similar_units_not_found"),
        pytest.param("DELETE", "/api/units/u404", None, NO_UNIT, id="delete_unit_not_found"),
        pytest.param("DELETE", "/api/people/p404", None, NO_PERSON, id="delete_person_not_found"),
    ],
)
def test_unknown_id_is_404(
    client: TestClient,
    auth: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    detail: str,
) -> None:
    headers = None if method == "GET" else auth  # reads are open; writes need the key
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    ("path", "body", "missing"),
    [
        ("/api/units/u404", {"name": "x"}, {"organisation", "sector", "description"}),
        ("/api/people/p404", {"title": "x"}, {"name", "unit_id", "expertise"}),
    ],
)
def test_put_of_an_unknown_id_with_too_little_to_create_is_422(
    client: TestClient, auth: dict[str, str], path: str, body: dict[str, Any], missing: set[str]
) -> None:
    """PUT creates what does not exist, so it asks for what a create needs (not 404)."""
    response = client.put(path, json=body, headers=auth)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == missing
    assert all(e["message"] == "skal udfyldes" for e in response.json()["errors"])


def test_unknown_path(client: TestClient) -> None:
    response = client.get("/api/ingenting")
    assert response.status_code == 404
    assert response.json() == {"detail": "Siden findes ikke."}


def test_unknown_page_is_a_danish_page(client: TestClient) -> None:
    response = client.get("/ingenting", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "Det kan vi ikke finde" in response.text


def test_method_not_allowed(client: TestClient) -> None:
    response = client.patch("/api/units/u001", json={})
    assert response.status_code == 405
    assert response.json() == {"detail": "Metoden er ikke tilladt her."}


def test_body_too_large(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/units",
        content=b"x" * (17 * 1024 * 1024),
        headers={**auth, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "for stor" in response.json()["detail"]


def test_unexpected_error_is_a_short_danish_500(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(Searcher, "search_by_text", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/search", params={"q": "MitID"})
        page = client.get("/", params={"q": "MitID"}, headers={"accept": "text/html"})
    assert response.status_code == page.status_code == 500
    assert response.json() == {"detail": SERVER_ERROR_MESSAGE}
    assert SERVER_ERROR_MESSAGE in page.text and "<html" in page.text
    for answer in (response, page):
        assert "secret" not in answer.text and "Traceback" not in answer.text
        for name, value in SECURITY_HEADERS:  # an error page is a page like any other
            assert answer.headers[name.decode()] == value.decode()


def test_startup_without_index(tmp_path: Path, settings_factory: Callable[..., Settings]) -> None:
    with pytest.raises(IndexNotFoundError, match="tvaers index"):
        create_app(settings_factory(tmp_path / "empty-home"), embedder=FakeEmbedder())


def test_startup_without_a_snapshot_heals_from_the_database(
    home: Path, settings_factory: Callable[..., Settings]
) -> None:
    """A lost index folder is rebuilt from the records and the cache: no one runs reindex."""
    shutil.rmtree(home / "index")
    embedder = FakeEmbedder()
    state = create_app(settings_factory(home), embedder=embedder).state.tvaers
    assert state.index.meta.count > 0
    assert embedder.embedded_count == 0  # every vector came from the store's cache
    assert (home / "index" / "CURRENT").exists()
    state.close()


def test_startup_with_another_model(home: Path, settings_factory: Callable[..., Settings]) -> None:
    with pytest.raises(ModelMismatchError, match="tvaers reindex"):
        create_app(settings_factory(home), embedder=FakeEmbedder(model_id="fake/other@2"))


def test_domain_error_at_runtime_is_503(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    def stale(*args: object, **kwargs: object) -> None:
        raise ModelMismatchError("fake/old@1", "fake/hashing@1")

    monkeypatch.setattr(Searcher, "search_by_text", stale)
    with TestClient(app) as client:
        response = client.get("/api/search", params={"q": "MitID"})
    assert response.status_code == 503
    assert "tvaers reindex" in json.loads(response.text)["detail"]
