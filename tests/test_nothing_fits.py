"""An honest "nothing fits": hits hold only records that fit; otherwise the answer says so and
shows the nearest records apart."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from engine.fusion import Fusion
from engine.search import Searcher


def gated(searcher: Searcher, bar: float) -> Searcher:
    fusion = dataclasses.replace(Fusion(), fit_cosine=bar)
    return Searcher(searcher.index, searcher.embedder, fusion)


def test_nonsense_gets_no_hits_but_the_nearest_apart(mini_searcher: Searcher) -> None:
    searcher = gated(mini_searcher, 1.01)  # no record is that close: only words can fit
    results = searcher.search_by_text("asdfgh qwerty", with_facet_counts=True)
    assert results.nothing_fits and results.hits == [] and results.total == 0
    assert results.nearest and len(results.nearest) <= 3
    assert results.facet_counts is not None and not any(results.facet_counts.values())


def test_a_query_of_known_words_fits(mini_searcher: Searcher) -> None:
    results = gated(mini_searcher, 1.01).search_by_text("skærmbesøg om natten")
    assert not results.nothing_fits and results.hits and not results.nearest


def test_without_a_calibrated_bar_every_query_fits(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("asdfgh qwerty")
    assert not results.nothing_fits and results.hits


pytest_plugins = ("tests.conftest_service",)


def test_the_api_and_the_page_say_that_nothing_fits(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.fusion

    monkeypatch.setitem(engine.fusion.FIT_COSINE, "", 1.01)  # every model: only words fit
    body = client.get("/api/search", params={"q": "asdfgh qwerty"}).json()
    assert body["nothing_fits"] is True and body["hits"] == [] and body["nearest"]
    page = client.get("/", params={"q": "asdfgh qwerty"}).text
    assert "Ingen gode træf" in page and "Det nærmeste, men ikke et godt træf" in page
