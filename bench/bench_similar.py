"""What "similar units" costs at 100k documents, against a free-text search in the same run.

Unit profiles (engine/profiles.py) are worked out once per base block: the first request after
a compaction pays for them, the rest reuse them; units whose people or trials were written
since are profiled on the spot. The figures: that first request, a request after, and a request
after 500 people were written into base-block units, each also as a multiple of one search's
p50 (the baseline, measured in the same run, because these machines are shared and noisy).
Vectors come from the hashing fake embedder: the figures are the work around the model.

    python -m bench.bench_similar [--size 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from bench.bench_suggest import corpus
from engine.recommend import recommend_for_unit
from engine.search import Searcher
from indexer.index import SearchIndex
from indexer.records import Document, Record, documents_from_records
from tests.fakes import FakeEmbedder

QUERIES = ["skærmbesøg om natten", "klarsprog i breve til borgerne", "velfærdsteknologi"]
RESULTS = Path(__file__).parent / "results" / "similar.json"


def timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    embedder = FakeEmbedder(dimension=384)
    records = corpus(args.size)
    documents = documents_from_records(records)
    index = SearchIndex.build(
        documents, embedder.embed_passages([d.text for d in documents]), model_id=embedder.model_id
    )
    searcher = Searcher(index, embedder)
    for query in QUERIES:
        searcher.search_by_text(query)  # warm the query vectors and the compound lookup
    search_ms = [timed_ms(partial(searcher.search_by_text, q)) for q in QUERIES * 10]
    baseline = float(np.percentile(search_ms, 50))

    rng = random.Random(3)
    units = [d.id for d in documents if d.kind == "unit"]
    first = timed_ms(lambda: searcher.similar_units(units[0]))
    sample = rng.sample(units, args.requests)
    warm = [timed_ms(partial(searcher.similar_units, u)) for u in sample]

    people = [r for r in records if r.kind == "person"][:500]
    written = [
        Record("person", f"bench{n}", r.fields | {"unit_id": rng.choice(units)})
        for n, r in enumerate(people)
    ]
    unit_records = [r for r in records if r.kind == "unit"]
    new_documents: list[Document] = [
        d for d in documents_from_records([*unit_records, *written]) if d.kind == "person"
    ]
    later = index.applied(
        [],
        new_documents,
        embedder.embed_passages([d.text for d in new_documents]),
        revision=index.revision + 1,
    )
    after = Searcher(later, embedder, caches=searcher.caches)
    touched = timed_ms(lambda: after.similar_units(units[1]))  # finds the changed units once
    after_writes = [
        timed_ms(partial(after.similar_units, u)) for u in rng.sample(units, args.requests)
    ]
    # The unit page asks for recommendations too: similar units, their trials, nearest people.
    recommendations = [
        timed_ms(partial(recommend_for_unit, searcher, u)) for u in rng.sample(units, args.requests)
    ]

    figures = {
        "documents": len(documents),
        "units": len(units),
        "search_p50_ms": round(baseline, 2),
        "first_request_ms": round(first, 1),
        "request_p50_ms": round(float(np.percentile(warm, 50)), 2),
        "request_p99_ms": round(float(np.percentile(warm, 99)), 2),
        "first_after_500_writes_ms": round(touched, 1),
        "after_500_writes_p50_ms": round(float(np.percentile(after_writes, 50)), 2),
        "after_500_writes_p99_ms": round(float(np.percentile(after_writes, 99)), 2),
        "recommendations_p50_ms": round(float(np.percentile(recommendations, 50)), 2),
        "recommendations_p99_ms": round(float(np.percentile(recommendations, 99)), 2),
    }
    for name in list(figures):
        if name.endswith("_ms") and name != "search_p50_ms":
            figures[name.replace("_ms", "_x_search")] = round(figures[name] / baseline, 1)
    print(json.dumps(figures, indent=2))
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
