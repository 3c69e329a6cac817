"""Counts beside every filter value: per facet, the search with the other facets' filters."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from fastapi.testclient import TestClient

import engine.search as search_module
from engine.results import Filters
from engine.search import FACETS, Searcher
from indexer.analysis import fold
from indexer.index import SearchIndex

pytest_plugins = ("tests.conftest_service",)
QUERIES = ["skærmbesøg om natten", "klarsprog", "borgerservice", "zebra giraf", "ældre"]


def _filter_sets(searcher: Searcher) -> list[Filters]:
    documents = [d for d in searcher.index.live_documents()]
    organisations = sorted({d.organisation for d in documents if d.organisation})
    sectors = sorted({d.sector for d in documents if d.sector})
    areas = sorted({d.area for d in documents if d.area})
    sets = [Filters()]
    sets += [Filters(kind=k) for k in ("unit", "person", "trial")]  # type: ignore[arg-type]
    sets += [Filters(organisation=o) for o in organisations[:2]]
    sets += [Filters(sector=s, area=a) for s, a in itertools.product(sectors[:2], areas[:2])]
    sets.append(Filters("person", organisations[0], sectors[0], areas[0]))
    return sets


def _value(hit: object, facet: str) -> str:
    value: str = getattr(hit, facet)
    return value if facet == "kind" else fold(value.strip())


def _as_hnsw(searcher: Searcher) -> SearchIndex:
    """The small index again, searched through HNSW (as above 20k rows)."""
    documents = list(searcher.index.live_documents())
    embedder = searcher.embedder
    vectors = embedder.embed_passages([d.text for d in documents])
    index = SearchIndex.build(documents, vectors, model_id=embedder.model_id, exact_search_limit=0)
    assert index.meta.dense.type == "hnsw"
    return index


def _all_values(searcher: Searcher, facet: str) -> set[str]:
    return {_value(d, facet) for d in searcher.index.live_documents()} - {""}


@pytest.mark.parametrize("query", QUERIES)
def test_the_count_beside_a_value_is_the_total_that_choosing_it_gives(
    mini_searcher: Searcher, query: str
) -> None:
    """What the filters promise: choose a value, get as many results as it said (0 included)."""
    for filters in _filter_sets(mini_searcher):
        results = mini_searcher.search_by_text(query, filters, with_facet_counts=True)
        assert results.facet_counts is not None
        for facet in FACETS:
            for value in _all_values(mini_searcher, facet):
                chosen = dataclasses.replace(filters, **{facet: value})
                found = mini_searcher.search_by_text(query, chosen, limit=10**6)
                assert found.total_relation == "eq"
                count = results.facet_counts[facet].get(value, 0)
                assert count == found.total, (query, filters, facet, value)
                assert {_value(h, facet) for h in found.hits} <= {value}


@pytest.mark.parametrize("dense", ["flat", "hnsw"])
def test_counts_hold_when_the_matches_outgrow_the_candidate_pool(
    mini_searcher: Searcher, monkeypatch: pytest.MonkeyPatch, dense: str
) -> None:
    """A pool of 3 rows, as a large index has 100 among many more: where the search without
    filters knows all its matches ("eq"), every count is exactly what choosing the value gives,
    by meaning too; where it does not ("gte"), a count is at most that. Also through HNSW, where
    broad filters search the graph and narrow ones scan their rows."""
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    # Without pieces: a row's raise toward its best piece stretches the pool's range, so on the
    # mini data no pool of 3 is all above the bar, and the "gte" case is never met.
    mini_searcher.fusion = dataclasses.replace(mini_searcher.fusion, piece_share=0.0)
    if dense == "hnsw":
        mini_searcher = Searcher(
            _as_hnsw(mini_searcher), mini_searcher.embedder, fusion=mini_searcher.fusion
        )
    relations = set()
    for query in QUERIES:
        for filters in _filter_sets(mini_searcher):
            results = mini_searcher.search_by_text(query, filters, with_facet_counts=True)
            assert results.facet_counts is not None
            relation = results.relation_without_filters
            relations.add(relation)
            for facet in FACETS:
                for value in _all_values(mini_searcher, facet):
                    chosen = dataclasses.replace(filters, **{facet: value})
                    found = mini_searcher.search_by_text(query, chosen)
                    count = results.facet_counts[facet].get(value, 0)
                    if relation == "eq":
                        assert (count, found.total_relation) == (found.total, "eq"), (
                            query,
                            filters,
                            facet,
                            value,
                        )
                    else:
                        assert count <= found.total, (query, filters, facet, value)
    assert relations == {"eq", "gte"}  # both cases were met


def _found(searcher: Searcher, query: str, filters: Filters) -> dict[tuple[str, str], float]:
    hits = searcher.search_by_text(query, filters, limit=10**6).hits
    return {(h.kind, h.id): h.score for h in hits}


@pytest.mark.parametrize("query", QUERIES)
def test_a_filter_narrows_the_results_and_adds_none(mini_searcher: Searcher, query: str) -> None:
    """A row that is no match without filters is none with them: the threshold by meaning is
    the unfiltered search's, not one re-measured within the few rows a filter leaves. A type
    filter is the one exception, by design: under it the bar is the kind's own (its best rows
    always show) and units match through their people and trials; every other filter narrows
    the search with that type filter."""
    everything = _found(mini_searcher, query, Filters())
    for filters in _filter_sets(mini_searcher):
        narrowed = _found(mini_searcher, query, filters)
        base = _found(mini_searcher, query, Filters(kind=filters.kind))
        assert narrowed.keys() <= base.keys(), (query, filters)
        if filters.kind:
            of_kind = {key for key in everything if key[0] == filters.kind}
            assert of_kind <= base.keys() and base, (query, filters)


def test_the_chosen_values_count_is_the_total(mini_searcher: Searcher) -> None:
    filters = Filters(kind="person")
    results = mini_searcher.search_by_text("skærmbesøg", filters, with_facet_counts=True)
    assert results.facet_counts is not None
    assert results.facet_counts["kind"]["person"] == results.total > 0
    assert sum(results.facet_counts["kind"].values()) >= results.total


def test_no_counts_unless_asked_and_none_for_an_empty_query(mini_searcher: Searcher) -> None:
    assert mini_searcher.search_by_text("klarsprog").facet_counts is None
    assert mini_searcher.search_by_text("  ", with_facet_counts=True).facet_counts == {}


def test_the_api_and_the_page_show_a_count_beside_every_filter_value(client: TestClient) -> None:
    facets = client.get("/api/facets").json()
    body = client.get("/api/search", params={"q": "skærmbesøg", "sector": "kommune"}).json()
    counts = body["facet_counts"]
    assert set(counts["organisation"]) == set(facets["organisations"])
    assert set(counts["area"]) == set(facets["areas"]) and set(counts["kind"]) == {
        "unit",
        "person",
        "trial",
    }
    # Kind is not filtered: every result counts, and a type's own bar and members may add more.
    assert sum(counts["kind"].values()) >= body["total"]
    for kind, count in counts["kind"].items():
        chosen = {"q": "skærmbesøg", "sector": "kommune", "kind": kind}
        assert client.get("/api/search", params=chosen).json()["total"] == count
    assert counts["sector"]["kommune"] == body["total"]  # the chosen value: the results shown
    assert counts["sector"]["region"] > 0  # another sector would have results too
    # Choosing the value gives as many results as its count said.
    narrowed = client.get("/api/search", params={"q": "skærmbesøg", "sector": "region"}).json()
    assert narrowed["total"] == counts["sector"]["region"]
    page = client.get("/", params={"q": "skærmbesøg", "sector": "kommune"}).text
    assert f">kommune ({counts['sector']['kommune']})</option>" in page
    assert f">Kolleger ({counts['kind']['person']})</option>" in page
    plain = client.get("/api/search", params={"q": "skærmbesøg", "facet_counts": "false"}).json()
    assert plain["facet_counts"] is None and plain["total"] > 0


@pytest.mark.parametrize("query", QUERIES)
def test_a_filter_keeps_each_results_score(mini_searcher: Searcher, query: str) -> None:
    """Where the search without filters knows all its matches, a filter only leaves some out: a
    result scores and ranks as it did without the filter (with its type filter alone, where a
    unit may be raised by its members)."""
    everything = mini_searcher.search_by_text(query, limit=10**6)
    assert everything.total_relation == "eq"
    for filters in _filter_sets(mini_searcher):
        scores = _found(mini_searcher, query, Filters(kind=filters.kind))
        found = mini_searcher.search_by_text(query, filters, limit=10**6).hits
        assert [scores[h.kind, h.id] for h in found] == [h.score for h in found], filters
    unraised = {(h.kind, h.id): h.score for h in everything.hits if h.kind != "unit"}
    for kind in ("person", "trial"):
        for key, score in _found(mini_searcher, query, Filters(kind=kind)).items():
            assert unraised.get(key, score) == score


def test_one_hnsw_search_serves_the_filtered_and_the_unfiltered_pool(
    mini_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broad filter on HNSW shares one FAISS search with the search without it; the results
    are those of searching the two apart."""
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    index, embedder = _as_hnsw(mini_searcher), mini_searcher.embedder
    shared = Searcher(index, embedder)
    apart = Searcher(index, embedder)
    monkeypatch.setattr(apart, "_nearest_with_and_without", lambda vector, mask: None)
    used = 0
    for query in QUERIES:
        for filters in _filter_sets(shared):
            mask = shared._mask(filters)
            used += shared._nearest_with_and_without(shared._embed_query(query), mask) is not None
            one = shared.search_by_text(query, filters, limit=50, with_facet_counts=True)
            two = apart.search_by_text(query, filters, limit=50, with_facet_counts=True)
            assert [(h.id, h.score) for h in one.hits] == [(h.id, h.score) for h in two.hits]
            assert (one.total, one.facet_counts) == (two.total, two.facet_counts)
    assert used > 0
