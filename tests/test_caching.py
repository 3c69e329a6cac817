"""The store-backed embedding cache used for repeated free texts (pairing re-runs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from indexer.build import Home
from indexer.caching import CachedEmbedder
from tests.fakes import FakeEmbedder


def test_second_run_embeds_nothing_and_returns_the_same_vectors(tmp_path: Path) -> None:
    inner = FakeEmbedder()
    store = Home(tmp_path).open_store()
    cached = CachedEmbedder(inner, store)
    offers = ["Skærmbesøg om natten", "Klarsprog i breve", "Skærmbesøg om natten"]
    first = cached.embed_passages(offers)
    again = CachedEmbedder(inner, store).embed_passages(offers)  # a new process, same store
    assert inner.calls == [["Skærmbesøg om natten", "Klarsprog i breve"]]  # duplicates once
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, inner.embed_passages(offers), atol=1e-6)


def test_queries_and_passages_are_cached_apart(tmp_path: Path) -> None:
    inner = FakeEmbedder()
    cached = CachedEmbedder(inner, Home(tmp_path).open_store())
    cached.embed_passages(["Power BI"])
    cached.embed_queries(["Power BI"])
    cached.embed_queries(["Power BI"])
    assert inner.calls == [["Power BI"]]
    assert inner.query_calls == [["Power BI"]]


def test_empty_input_gives_an_empty_matrix(tmp_path: Path) -> None:
    cached = CachedEmbedder(FakeEmbedder(dimension=8), Home(tmp_path).open_store())
    assert cached.embed_passages([]).shape == (0, 8)


def test_forgetting_more_hashes_than_one_sql_statement_takes(tmp_path: Path) -> None:
    """A data folder replaced wholesale can drop hundreds of thousands of cached texts at once."""
    store = Home(tmp_path).open_store()
    store.cache_vectors("m", {"keep": np.ones(4, np.float32), "gone": np.zeros(4, np.float32)})
    store.forget_vectors([f"{i:064x}" for i in range(300_000)] + ["gone"])
    assert set(store.cached_vectors("m", ["keep", "gone"])) == {"keep"}
    store.close()
