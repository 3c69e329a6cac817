"""GET /metrics: a Prometheus scrape shows request latency by route template, search latency,
the index's revision and its lag behind the database log, snapshot age, the model queue and
refused sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from indexer.build import Home
from indexer.records import Record
from indexer.updates import upsert_record
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_timed_by_route_template(client: TestClient) -> None:
    for q in ("skærmbesøg", "MitID"):
        assert client.get("/api/search", params={"q": q}).status_code == 200
    assert client.get("/api/units/u001").status_code == 200
    assert client.get("/api/units/u999").status_code == 404
    assert client.get("/findes/ikke").status_code == 404
    samples = scrape(client)
    count = "tvaers_http_request_duration_seconds_count"
    assert value(samples, count, method="GET", route="/api/search", status="200") == 2
    assert value(samples, count, method="GET", route="/api/units/{unit_id}", status="200") == 1
    assert value(samples, count, method="GET", route="/api/units/{unit_id}", status="404") == 1
    assert value(samples, count, method="GET", route="(ingen rute)", status="404") == 1
    routes = {dict(labels).get("route") for (_, labels) in samples}
    assert not any(r and ("u001" in r or "findes" in r) for r in routes)  # templates only


def test_searches_from_the_api_and_the_page_are_timed(client: TestClient) -> None:
    client.get("/api/search", params={"q": "skærmbesøg"})
    client.get("/", params={"q": "MitID"})
    client.get("/")  # no query: no search
    samples = scrape(client)
    assert value(samples, "tvaers_search_duration_seconds_count") == 2
    assert value(samples, "tvaers_search_duration_seconds_sum") > 0


def test_index_revision_documents_snapshot_and_queue(client: TestClient) -> None:
    health = client.get("/health").json()
    samples = scrape(client)
    assert value(samples, "tvaers_index_revision") == health["revision"]
    assert value(samples, "tvaers_database_revision") == health["revision"]
    assert value(samples, "tvaers_index_lag_revisions") == 0
    assert value(samples, "tvaers_index_documents", kind="person") == health["people"]
    assert value(samples, "tvaers_index_documents", kind="unit") == health["units"]
    assert ("tvaers_snapshot_age_seconds", frozenset()) in samples
    assert value(samples, "tvaers_snapshot_age_seconds") >= 0
    assert value(samples, "tvaers_embedding_queue") == 0


def test_lag_counts_revisions_the_index_has_not_shown(
    home: Path, app_factory: Callable[..., FastAPI]
) -> None:
    """Another process writes; this app does not follow the log (no lifespan), so it lags."""
    app = app_factory(home)
    try:
        client = TestClient(app)  # no `with`: the follower thread never starts
        before = scrape(client)
        store = Home(home).open_store()
        try:
            person = {"name": "Ida Ølgaard", "title": "Konsulent", "unit_id": "u001"}
            person |= {"expertise": "zebraavl", "email": ""}
            upsert_record(store, FakeEmbedder(), Record("person", "p9", person), new=True)
        finally:
            store.close()
        after = scrape(client)
        revision = value(before, "tvaers_index_revision")
        assert value(after, "tvaers_index_revision") == revision
        assert value(after, "tvaers_database_revision") == revision + 1
        assert value(after, "tvaers_index_lag_revisions") == 1
    finally:
        app.state.tvaers.close()


def test_a_bad_api_key_counts_as_a_refused_sign_in(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    client.get("/api/search", params={"q": "x"}, headers=key_headers["test-reader"])
    client.get("/api/search", params={"q": "x"}, headers={"Authorization": "Bearer tvaers_nej"})
    samples = scrape(client)
    assert value(samples, "tvaers_sign_in_failures_total", reason="api_key") == 1


def test_a_failed_oidc_sign_in_is_counted_and_metrics_stay_open(
    signed_in: Callable[..., TestClient],
) -> None:
    """Reading needs sign-in here, yet a scraper without one gets the metrics, as with /health."""
    anonymous = signed_in(None)
    refused = anonymous.get("/log-ind/svar", params={"code": "x", "state": "forfalsket"})
    assert refused.status_code == 401
    samples = scrape(anonymous)
    assert value(samples, "tvaers_sign_in_failures_total", reason="oidc_refused") == 1
    assert value(samples, "tvaers_sign_in_failures_total", reason="api_key") == 0


def test_metrics_can_be_switched_off(home: Path, app_factory: Callable[..., FastAPI]) -> None:
    app = app_factory(home, metrics=False)
    try:
        assert TestClient(app).get("/metrics").status_code == 404
    finally:
        app.state.tvaers.close()
