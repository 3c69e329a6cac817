"""`make bench` is not in the default run, so the part of it that reaches into the engine's
internals (timing each stage of a search by wrapping it) is run here on the small index: a
rename in engine/ or indexer/ breaks this test instead of the next benchmark run."""

from __future__ import annotations

from bench.bench_search import profile_search
from bench.synthetic import Query
from engine.search import Searcher


def test_the_search_profile_times_every_stage(mini_searcher: Searcher) -> None:
    queries = [Query("skærmbesøg om natten", "phrase"), Query("klarsprg", "typo")] * 3
    for filtered in (False, True):
        stages = profile_search(
            mini_searcher.index, mini_searcher.embedder, queries, filtered=filtered
        )
        assert {"query_embedding", "faiss", "typo_correction", "total"} <= set(stages)
        assert stages["total"]["mean_ms"] > 0
        assert stages["faiss"]["mean_ms"] > 0  # the wrapped FAISS call was reached
