"""`total` counts every match (or says it is a lower bound), and offsets stop at what exists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from engine import search as search_module
from engine.results import Filters
from engine.search import Searcher

pytest_plugins = ("tests.conftest_service",)


def _rows_holding(searcher: Searcher, query_terms: set[str], kind: str | None = None) -> set[int]:
    """Brute force over the index's rows: live rows holding one of these terms."""
    lexical = searcher.index.lexical
    columns = {lexical.vocabulary[t] for t in query_terms if t in lexical.vocabulary}
    found = set()
    for row, document in enumerate(searcher.index.documents):
        if document is None or (kind and document.kind != kind):
            continue
        if columns & set(lexical.row_columns(row).tolist()):
            found.add(row)
    return found


def test_total_counts_word_matches_beyond_the_candidate_pool(
    mini_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = mini_searcher.search_by_text("skærmbesøg data klarsprog", limit=100)
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    monkeypatch.setattr(search_module, "KIND_POOL", 1)
    monkeypatch.setattr(search_module, "MEMBERS_INHERITED", 0)  # no units raised by members
    small = mini_searcher.search_by_text("skærmbesøg data klarsprog", limit=100)
    weights = mini_searcher._analyse("skærmbesøg data klarsprog").weights
    holding = _rows_holding(mini_searcher, set(weights))
    assert len(holding) > 6  # more word matches than the two-row lexical pool holds
    # The pool: two rows by meaning, two by words, the best of each kind those lack.
    assert small.available <= 6 < len(holding) <= small.total
    # With the whole index in the pool, every match is ranked and the count is exact.
    assert (whole.total, whole.total_relation) == (whole.available, "eq")
    assert len(holding) <= whole.total


def test_total_is_a_lower_bound_when_the_dense_pool_is_all_close(
    mini_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    results = mini_searcher.search_by_text("skærmbesøg om natten", limit=100)
    # The two nearest rows are the closest of the pool: rows beyond them may be close too.
    assert results.total_relation == "gte"
    assert results.total >= results.available > 0


def test_total_with_a_filter_counts_only_that_filter(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("MitID", Filters(kind="person"), limit=100)
    weights = mini_searcher._analyse("MitID").weights
    holding = _rows_holding(mini_searcher, set(weights), kind="person")
    dense_only = [h for h in results.hits if h.explanation.matched_by == "meaning"]
    assert results.total == len(holding) + len(dense_only)
    assert results.total_relation == "eq"


def test_no_query_has_no_total(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("   ")
    assert (results.total, results.available, results.total_relation) == (0, 0, "eq")


def test_api_says_how_total_counts(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "skærmbesøg", "limit": 2}).json()
    assert body["total_relation"] in ("eq", "gte")
    assert body["total"] >= body["available"] >= len(body["hits"]) == 2


def test_api_refuses_an_offset_past_the_results(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "skærmbesøg"}).json()
    available = first["available"]
    last = client.get("/api/search", params={"q": "skærmbesøg", "offset": available - 1})
    assert last.status_code == 200 and len(last.json()["hits"]) == 1
    past = client.get("/api/search", params={"q": "skærmbesøg", "offset": available})
    assert past.status_code == 422
    detail = past.json()["detail"]
    assert f"offset {available} er efter det sidste resultat" in detail
    assert f"Brug en offset fra 0 til {available - 1}." in detail


def test_api_answers_offset_zero_without_results(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "skærmbesøg", "organisation": "Ingen"})
    assert response.status_code == 200
    assert (response.json()["total"], response.json()["available"]) == (0, 0)


def test_page_says_at_least_for_a_lower_bound(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One row in the dense pool: it is the closest, so rows beyond it may be close too.
    monkeypatch.setattr(search_module, "CANDIDATES", 1)
    page = client.get("/", params={"q": "skærmbesøg om natten"}).text
    status = page.split('id="status"')[1].split("</p>")[0]
    assert "mindst " in status and " resultater for »skærmbesøg om natten«" in status, status
