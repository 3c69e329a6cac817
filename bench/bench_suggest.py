"""What suggestions while typing cost, at 1,500 and 100k documents, and what a write adds to them.

    python -m bench.bench_suggest

1. Latency: p50/p99 server time (`Suggester.suggest`, as GET /api/suggest runs it) of 1-6 typed
   letters and of two-word prefixes ("plejec sol"), each the start of a real suggestion.
   Target: p99 <= 30 ms at 100k documents. Baselines measured in the same run (the machine is
   shared and noisy): one plain lexical lookup (BM25 scores of one common term over every row)
   and the work behind an uncached GET /api/facets.
2. Writes: a stream of single-record writes (new units, as `LiveIndex` applies them); per write,
   the time the suggester needs to follow the new version, against `SearchIndex.applied` itself;
   then suggestion latency again, with the written rows in runs beside the base block.
3. The first build of the base block (done at service start).

The corpus is bench/synthetic.py's (as bench_live writes it: units with competencies, people
with expertise, trial actions); vectors are random, as suggestions never read them. Results go
to bench/results/suggest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.bench_live import records_from_items
from bench.synthetic import CorpusMaker, derive, make_base, sources_from_records
from engine.suggest import Suggester, query_words, suggestion_items
from indexer.index import SearchIndex
from indexer.loading import load_data_folder
from indexer.records import Document, Record, documents_from_records
from service.api.hits import facets_of

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "suggest.json"
SAMPLE = ROOT / "data" / "sample"
SIZES = (1_500, 100_000)
TARGET_MS = 30.0
DIM = 8
BASE_ITEMS = 1500


def corpus(size: int) -> list[Record]:
    maker = CorpusMaker(sources_from_records(load_data_folder(SAMPLE).records))
    base = make_base(maker, min(size, BASE_ITEMS))
    vectors = _random_vectors(len(base), seed=1)
    derived, _ = derive(maker, base, vectors, size - len(base)) if size > len(base) else ([], None)
    return records_from_items([*base, *derived])


def _random_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, DIM)).astype(np.float32)
    norms: np.ndarray = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = vectors / norms
    return unit


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def stats(ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(max(ms)), 3),
    }


def typed_queries(
    documents: Sequence[Document], rng: random.Random, count: int
) -> dict[str, list[str]]:
    """Starts of real suggestions: n letters of one of its words, or two of its words' starts."""
    texts = [text for d in documents for _, text in suggestion_items(d)]
    queries: dict[str, list[str]] = {f"{n} letters": [] for n in range(1, 7)}
    queries["two-word prefix"] = []
    while any(len(q) < count for q in queries.values()):
        words = query_words(rng.choice(texts))
        if not words:
            continue
        word = rng.choice(words)
        for n in range(1, 7):
            if len(word) >= n and len(queries[f"{n} letters"]) < count:
                queries[f"{n} letters"].append(word[:n])
        if len(words) >= 2 and len(queries["two-word prefix"]) < count:
            first = rng.randrange(len(words) - 1)
            a, b = words[first], words[first + 1]
            queries["two-word prefix"].append(f"{a[: rng.randint(3, 6)]} {b[: rng.randint(1, 4)]}")
    return queries


def latency(
    index: SearchIndex, suggester: Suggester, rng: random.Random, count: int
) -> dict[str, Any]:
    documents = list(index.live_documents())
    queries = typed_queries(documents, rng, count)
    term = max(index.lexical.vocabulary, key=index.lexical.document_frequency)
    lexical_ms = [timed(lambda: index.lexical.scores({term: 1.0})) for _ in range(count)]
    facets_ms = [timed(lambda: facets_of(index)) for _ in range(max(5, count // 20))]
    lexical_p50 = float(np.median(lexical_ms))
    facets_p50 = float(np.median(facets_ms))
    rows: dict[str, Any] = {}
    for name, texts in queries.items():
        ms = [timed(lambda q=q: suggester.suggest(index, q)) for q in texts]  # type: ignore[misc]
        row = stats(ms)
        row["per_lexical_lookup"] = round(row["p50_ms"] / lexical_p50, 2)
        row["per_facets"] = round(row["p50_ms"] / facets_p50, 3)
        row["ok"] = row["p99_ms"] <= TARGET_MS
        empty = sum(not suggester.suggest(index, q).suggestions for q in texts)
        row["answers_without_suggestions"] = empty
        rows[name] = row
    return {
        "baseline_lexical_lookup": {"term": term, **stats(lexical_ms)},
        "baseline_facets": stats(facets_ms),
        "queries_per_shape": count,
        "suggest": rows,
        "ok": all(r["ok"] for r in rows.values()),
    }


def writes(
    index: SearchIndex, suggester: Suggester, count: int, rng: random.Random
) -> dict[str, Any]:
    """New units one at a time: what following each version costs the suggester."""
    units = [d for d in index.live_documents() if d.kind == "unit"]
    apply_ms: list[float] = []
    follow_ms: list[float] = []
    for number in range(count):
        model = rng.choice(units)
        metadata = dict(model.metadata) | {"name": f"Skrivestue {number}"}
        fields = {"id": f"w{number:05d}", **metadata}
        (document,) = documents_from_records([Record("unit", fields["id"], fields)])
        vector = _random_vectors(1, seed=number)
        started = time.perf_counter()
        index = index.applied([], [document], vector, revision=index.revision + 1)
        apply_ms.append((time.perf_counter() - started) * 1000)
        follow_ms.append(timed(lambda: suggester.warm(index)))  # noqa: B023 - called at once
    queries = typed_queries(list(index.live_documents()), rng, 200)
    after = {
        name: stats([timed(lambda q=q: suggester.suggest(index, q)) for q in queries[name]])  # type: ignore[misc]
        for name in ("1 letters", "3 letters", "two-word prefix")
    }
    found = suggester.suggest(index, f"skrivestue {count - 1}").suggestions
    assert [s.text for s in found] == [f"Skrivestue {count - 1}"], found
    runs = suggester._runs[1].runs if suggester._runs else ()
    return {
        "writes": count,
        "suggester_follow": stats(follow_ms),
        "index_applied": stats(apply_ms),
        "follow_per_applied_p50": round(float(np.median(follow_ms) / np.median(apply_ms)), 3),
        "runs_after": len(runs),
        "suggest_after_the_writes": after,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=300, help="queries per shape")
    parser.add_argument("--writes", type=int, default=2000, help="single-record writes")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    records = corpus(max(args.sizes))
    results: dict[str, Any] = {
        "command": "python -m bench.bench_suggest",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "target": f"p99 <= {TARGET_MS:g} ms server time per suggestion request at 100k documents",
        "sizes": {},
    }
    for size in args.sizes:
        documents = documents_from_records(_prefix(records, size))
        index = SearchIndex.build(documents, _random_vectors(len(documents), 0), model_id="random")
        suggester = Suggester()
        build_ms = timed(lambda: suggester.warm(index))  # noqa: B023 - called at once
        rng = random.Random(size)
        block: dict[str, Any] = {
            "documents": len(documents),
            "suggestions_in_base_block": len(suggester._base[1]) if suggester._base else 0,
            "base_build_ms": round(build_ms, 1),
            "latency": latency(index, suggester, rng, args.queries),
            "writes": writes(index, suggester, args.writes, rng),
        }
        results["sizes"][f"{size:,}"] = block
        print_block(size, block)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Run took {results['seconds']} s; written to {args.out}")
    return 0


def _prefix(records: list[Record], size: int) -> list[Record]:
    """The first `size` items' records (ids carry the item number), their units included."""
    chosen = [r for r in records if int(r.id[1:]) < size]
    needed = {r.get("unit_id") for r in chosen if r.kind != "unit"}
    have = {r.id for r in chosen if r.kind == "unit"}
    extra = [r for r in records if r.kind == "unit" and r.id in needed - have]
    return extra + chosen


def print_block(size: int, block: dict[str, Any]) -> None:
    lat = block["latency"]
    print(
        f"{size:,} documents ({block['suggestions_in_base_block']:,} word starts): base block "
        f"built in {block['base_build_ms']} ms; lexical lookup p50 "
        f"{lat['baseline_lexical_lookup']['p50_ms']} ms, "
        f"facets p50 {lat['baseline_facets']['p50_ms']} ms"
    )
    for name, row in lat["suggest"].items():
        verdict = "ok" if row["ok"] else "OVER"
        print(
            f"   {name:16s} p50 {row['p50_ms']:7.3f} ms  p99 {row['p99_ms']:7.3f} ms  "
            f"max {row['max_ms']:7.3f} ms  x{row['per_lexical_lookup']:<6} lexical  {verdict}"
        )
    w = block["writes"]
    print(
        f"   {w['writes']} writes: suggester follows in p50 {w['suggester_follow']['p50_ms']} ms, "
        f"p99 {w['suggester_follow']['p99_ms']} ms, max {w['suggester_follow']['max_ms']} ms "
        f"(index.applied p50 {w['index_applied']['p50_ms']} ms); {w['runs_after']} runs after"
    )
    for name, row in w["suggest_after_the_writes"].items():
        print(f"      then {name:16s} p50 {row['p50_ms']:7.3f} ms  p99 {row['p99_ms']:7.3f} ms")


if __name__ == "__main__":
    sys.exit(main())
