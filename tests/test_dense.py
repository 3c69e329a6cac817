"""FAISS against brute-force numpy: exact search must agree, HNSW must keep recall@10 ≥ 0.95."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.dense import (
    EXACT_SEARCH_LIMIT,
    DenseSpec,
    build_dense,
    choose_spec,
    load_dense,
    save_dense,
    search_dense,
)


def normalised(rng: np.random.Generator, count: int, dimension: int) -> np.ndarray:
    vectors = rng.standard_normal((count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def clustered(rng: np.random.Generator, count: int, dimension: int, clusters: int) -> np.ndarray:
    """Like real embeddings: topics (clusters) with texts spread around them."""
    centres = normalised(rng, clusters, dimension)
    labels = rng.integers(0, clusters, size=count)
    vectors = centres[labels] + 0.35 * normalised(rng, count, dimension)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = vectors.astype(np.float64) @ query.astype(np.float64)
    top = np.argsort(-scores, kind="stable")[:k]
    return top, scores[top]


@pytest.mark.parametrize(("seed", "count", "dimension"), [(0, 1, 8), (1, 50, 16), (2, 2_000, 64)])
def test_flat_top_k_equals_brute_force(seed: int, count: int, dimension: int) -> None:
    rng = np.random.default_rng(seed)
    vectors = normalised(rng, count, dimension)
    index = build_dense(vectors, DenseSpec("flat"))
    for query in normalised(rng, 20, dimension):
        rows, scores = search_dense(index, query, 10)
        expected_rows, expected_scores = brute_force(vectors, query, 10)
        np.testing.assert_array_equal(rows, expected_rows)
        np.testing.assert_allclose(scores, expected_scores, atol=1e-5)


def test_flat_search_with_k_above_count_returns_every_row() -> None:
    vectors = normalised(np.random.default_rng(3), 4, 8)
    rows, scores = search_dense(build_dense(vectors, DenseSpec("flat")), vectors[2], 10)
    assert sorted(rows.tolist()) == [0, 1, 2, 3]
    assert rows[0] == 2
    assert scores[0] == pytest.approx(1.0, abs=1e-5)


def test_search_of_an_empty_index_returns_nothing() -> None:
    index = build_dense(np.zeros((0, 8), dtype=np.float32), DenseSpec("flat"))
    rows, scores = search_dense(index, np.ones(8, dtype=np.float32), 10)
    assert (rows.shape, scores.shape) == ((0,), (0,))


def test_choose_spec_is_exact_up_to_the_limit_then_hnsw() -> None:
    assert choose_spec(EXACT_SEARCH_LIMIT) == DenseSpec("flat")
    spec = choose_spec(EXACT_SEARCH_LIMIT + 1)
    assert spec.type == "hnsw"
    assert set(spec.params) == {"M", "efConstruction", "efSearch"}


def test_hnsw_recall_at_10_against_brute_force() -> None:
    rng = np.random.default_rng(11)
    vectors = clustered(rng, 5_000, 64, clusters=50)
    queries = clustered(rng, 200, 64, clusters=50)
    spec = choose_spec(5_000, exact_search_limit=1_000)
    assert spec.type == "hnsw"
    index = build_dense(vectors, spec)

    found = 0
    for query in queries:
        rows, _ = search_dense(index, query, 10)
        expected, _ = brute_force(vectors, query, 10)
        found += len(set(rows.tolist()) & set(expected.tolist()))

    assert found / (10 * len(queries)) >= 0.95


def test_hnsw_save_and_load_keep_results_and_ef_search(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    vectors = normalised(rng, 500, 32)
    spec = DenseSpec("hnsw", {"M": 16, "efConstruction": 40, "efSearch": 77})
    index = build_dense(vectors, spec)
    save_dense(index, tmp_path / "dense.faiss")

    loaded = load_dense(tmp_path / "dense.faiss", spec)

    assert loaded.hnsw.efSearch == 77
    for query in normalised(rng, 10, 32):
        np.testing.assert_array_equal(
            search_dense(loaded, query, 10)[0], search_dense(index, query, 10)[0]
        )


def test_hnsw_top_k_is_the_start_of_a_larger_search_within_ef_search() -> None:
    """One HNSW search serves a search with a broad filter and the one without it: asked for
    up to efSearch rows, its first k are what asking for k gives (the same exploration)."""
    rng = np.random.default_rng(5)
    vectors = clustered(rng, 5_000, 64, clusters=50)
    spec = choose_spec(5_000, exact_search_limit=1_000)
    index = build_dense(vectors, spec)
    ef_search = spec.params["efSearch"]
    for query in clustered(rng, 100, 64, clusters=50):
        small, _ = search_dense(index, query, 100)
        for fetch in (300, ef_search):
            large, _ = search_dense(index, query, fetch)
            assert large[:100].tolist() == small.tolist()
