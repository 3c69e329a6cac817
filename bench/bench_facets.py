"""What filter counts and search-gap counting add to a search, at 100k documents.

Counts: `search_by_text(..., with_facet_counts=True)` against the same search without, on the
synthetic corpus of `bench/synthetic.py` (HNSW above 20k rows). Query vectors come from the
hashing fake embedder (384 dimensions), so the figures are the pipeline around the model, which
is what the counts add to; the model's own ~15-20 ms per query is the same with or without.
Gap counting: what one counted search costs the request (an in-memory tally), and a flush of a
second's worth of distinct queries into SQLite, which the service thread does, not the request.

    python -m bench.bench_facets [--size 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from bench.bench_suggest import corpus
from engine.results import Filters
from engine.search import Searcher
from indexer.index import SearchIndex
from indexer.records import documents_from_records
from indexer.search_gaps import Asking, SearchGapLog, counted_query
from indexer.store import Store
from tests.fakes import FakeEmbedder

QUERIES = [
    "skærmbesøg om natten",
    "klarsprog i breve til borgerne",
    "velfærdsteknologi",
    "hjælp til ældre med MitID",
    "demens og nattevagter",
    "sprogscreening af børn",
    "rekruttering af sygeplejersker",
    "borgerservice",
]


def timed_ms(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    embedder = FakeEmbedder(dimension=384)
    started = time.perf_counter()
    documents = documents_from_records(corpus(args.size))
    vectors = embedder.embed_passages([d.text for d in documents])
    index = SearchIndex.build(documents, vectors, model_id=embedder.model_id)
    print(
        f"{len(documents)} documents, {index.meta.dense.type}, built in "
        f"{time.perf_counter() - started:.0f} s"
    )
    searcher = Searcher(index, embedder)
    unit = next(d for d in documents if d.kind == "unit")
    cases = {
        "unfiltered": Filters(),
        "by kind": Filters(kind="person"),
        "kind + sector": Filters(kind="person", sector=unit.sector),
        "all four": Filters("person", unit.organisation, unit.sector, unit.area),
    }
    for query in QUERIES:  # warm the query-vector cache and the compound lookup
        searcher.search_by_text(query)
    print("case            search p50 / p99 ms   with counts p50 / p99 ms   added p50")
    for label, filters in cases.items():
        plain: list[float] = []
        counted: list[float] = []
        for query in QUERIES:
            plain += timed_ms(partial(searcher.search_by_text, query, filters), args.repeat)
            counted += timed_ms(
                partial(searcher.search_by_text, query, filters, with_facet_counts=True),
                args.repeat,
            )
        print(
            f"{label:15s} {p(plain, 50):8.1f} / {p(plain, 99):6.1f}       "
            f"{p(counted, 50):8.1f} / {p(counted, 99):6.1f}          "
            f"+{p(counted, 50) - p(plain, 50):.1f}"
        )

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'gaps.db'}")
        log = SearchGapLog(store.engine)
        today = dt.datetime.now(dt.UTC).date()
        results = searcher.search_by_text(QUERIES[0])
        texts = [f"{q} {n}" for n in range(125) for q in QUERIES]  # 1,000 distinct queries
        tally = timed_ms(
            lambda: log.count(
                Asking(counted_query(texts[0]), today, results.total, results.best_cosine, 0.0)
            ),
            2000,
        )
        for text in texts:
            log.count(Asking(counted_query(text), today, 3, 0.8, 0.2))
        flush = timed_ms(log.flush, 1)
        print(
            f"gap count in the request: p50 {statistics.median(tally) * 1000:.1f} µs, "
            f"p99 {p(tally, 99) * 1000:.1f} µs; "
            f"a flush of 1,000 distinct queries (service thread): {flush[0]:.0f} ms"
        )
        store.close()


if __name__ == "__main__":
    main()
