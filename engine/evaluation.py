"""Search quality on a labelled query set: MRR@10, nDCG@10, recall@10 and hit@1 per query type,
beside the bare embedding model's; off-topic queries (nothing in the data answers them) count
as right when the search says that nothing fits."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.results import Filters
from engine.search import Searcher
from indexer.errors import DataError, Problem
from indexer.records import KINDS, Kind, split_list
from indexer.tables import read_table

CUTOFF = 10
QUERY_COLUMNS = ("qid", "query", "kind", "relevant", "qtype")
OFF_TOPIC = "offtopic"
QTYPES = ("paraphrase", "exact", "typo", "synonym", "compound")
FRESH_QTYPES = (
    "paraphrase",
    "inflection",
    "ascii",
    "compound",
    "abbreviation",
    "exact",
    "typo",
    "synonym",
)


@dataclass(frozen=True)
class LabelledQuery:
    qid: str
    query: str
    kind: Kind | None  # None: any kind
    relevant: frozenset[str]  # empty for an off-topic query
    qtype: str

    @property
    def off_topic(self) -> bool:
        return self.qtype == OFF_TOPIC


@dataclass(frozen=True)
class QueryOutcome:
    query: LabelledQuery
    hits: list[str]  # ids in ranked order: what the search says fits
    # The nearest records when the search says nothing fits (shown apart, never as hits).
    nearest: list[str]


def load_queries(path: Path) -> list[LabelledQuery]:
    table = read_table(path)
    problems = table.missing_columns(QUERY_COLUMNS)
    if problems:
        raise DataError(problems)
    queries = []
    for row in table.rows:
        v = row.values
        kind = v["kind"].strip().lower()
        if kind not in (*KINDS, "any"):
            problems.append(Problem(table.name, f"ukendt kind '{kind}'", row.line, "kind"))
            continue
        relevant = frozenset(split_list(v["relevant"]))
        qtype = v["qtype"].strip().lower() or "other"
        if not v["query"] or (not relevant and qtype != OFF_TOPIC):
            problems.append(Problem(table.name, "query og relevant skal udfyldes", row.line))
            continue
        if relevant and qtype == OFF_TOPIC:
            problems.append(
                Problem(table.name, "en offtopic-forespørgsel har intet relevant", row.line)
            )
            continue
        queries.append(
            LabelledQuery(
                v["qid"],
                v["query"],
                None if kind == "any" else kind,  # type: ignore[arg-type]
                relevant,
                qtype,
            )
        )
    if problems:
        raise DataError(problems)
    return queries


def run_queries(searcher: Searcher, queries: list[LabelledQuery]) -> list[QueryOutcome]:
    outcomes = []
    for q in queries:
        results = searcher.search_by_text(q.query, Filters(kind=q.kind), limit=CUTOFF)
        nearest = getattr(results, "nearest", [])
        outcomes.append(QueryOutcome(q, [h.id for h in results.hits], [h.id for h in nearest]))
    return outcomes


def run_bare_model(searcher: Searcher, queries: list[LabelledQuery]) -> list[QueryOutcome]:
    """The same vectors ranked by cosine alone within the kind filter: what the embedding model
    gives without tvaers (no words, no typos, no synonyms, no threshold)."""
    index = searcher.index
    live = np.array([d is not None for d in index.documents], dtype=bool)
    outcomes = []
    for q in queries:
        vector = searcher.embedder.embed_queries([q.query])[0]
        allowed = live if q.kind is None else live & index.facet_is("kind", q.kind)
        scores = np.where(allowed, index.vectors @ vector, -np.inf)
        top = np.argsort(-scores, kind="stable")[:CUTOFF]
        documents = [index.documents[r] for r in top.tolist() if allowed[r]]
        ids = [d.id for d in documents if d is not None]
        outcomes.append(QueryOutcome(q, ids, []))
    return outcomes


def metrics_of(outcomes: list[QueryOutcome]) -> dict[str, dict[str, float]]:
    """Per query type, plus "all" (the on-topic queries). Off-topic queries have their own
    measure: the share the search answered with no hits."""
    groups: dict[str, list[QueryOutcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.query.qtype].append(outcome)
        if not outcome.query.off_topic:
            groups["all"].append(outcome)
    known = [*FRESH_QTYPES, *QTYPES]
    ordered = [*dict.fromkeys(t for t in known if t in groups)]
    ordered += sorted(set(groups) - {*known, "all", OFF_TOPIC})
    metrics = {name: _aggregate(groups[name]) for name in [*ordered, "all"] if name in groups}
    if "all" in metrics:
        metrics["all"]["kept"] = _kept_share(groups["all"])
    if OFF_TOPIC in groups:
        off = groups[OFF_TOPIC]
        rejected = sum(1 for o in off if not o.hits)
        metrics[OFF_TOPIC] = {"queries": len(off), "no_hits": round(rejected / len(off), 4)}
    return metrics


def evaluation_json(outcomes: list[QueryOutcome]) -> dict[str, Any]:
    return {
        "metrics": metrics_of(outcomes),
        "queries": [{"qid": o.query.qid, "hits": o.hits} for o in outcomes],
    }


def _aggregate(outcomes: list[QueryOutcome]) -> dict[str, float]:
    n = len(outcomes)
    sums = {"mrr@10": 0.0, "ndcg@10": 0.0, "recall@10": 0.0, "hit@1": 0.0}
    for o in outcomes:
        ranked = o.hits[:CUTOFF]
        relevant = o.query.relevant
        first = next((i for i, h in enumerate(ranked) if h in relevant), None)
        sums["mrr@10"] += 0.0 if first is None else 1.0 / (first + 1)
        dcg = sum(1.0 / math.log2(i + 2) for i, h in enumerate(ranked) if h in relevant)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), CUTOFF)))
        sums["ndcg@10"] += dcg / ideal
        sums["recall@10"] += len(relevant & set(ranked)) / len(relevant)
        sums["hit@1"] += 1.0 if ranked[:1] and ranked[0] in relevant else 0.0
    result = {k: round(v / n, 4) for k, v in sums.items()}
    result["queries"] = n
    return result


def _kept_share(outcomes: list[QueryOutcome]) -> float:
    """Of the on-topic queries with a relevant record among their first ten, found or merely
    nearest, the share whose relevant record is a hit: a "nothing fits" that hides a relevant
    record costs here."""
    reached = [o for o in outcomes if o.query.relevant & {*o.hits[:CUTOFF], *o.nearest[:CUTOFF]}]
    if not reached:
        return 1.0
    kept = sum(1 for o in reached if o.query.relevant & set(o.hits[:CUTOFF]))
    return round(kept / len(reached), 4)


# Similar units ----------------------------------------------------------------------------

SIMILAR_COLUMNS = ("unit_id", "similar")
SIMILAR_CUTOFF = 3


@dataclass(frozen=True)
class LabelledUnit:
    unit_id: str
    similar: frozenset[str]  # the units that do the same job: they belong in its top 3


def is_similar_units_file(path: Path) -> bool:
    """A similar-units set (unit_id,similar) rather than a query set."""
    return set(SIMILAR_COLUMNS) <= set(read_table(path).columns)


def load_similar_units(path: Path) -> list[LabelledUnit]:
    table = read_table(path)
    problems = table.missing_columns(SIMILAR_COLUMNS)
    labelled = []
    for row in table.rows:
        similar = frozenset(split_list(row.values["similar"])) - {row.values["unit_id"]}
        if not row.values["unit_id"] or not similar:
            problems.append(Problem(table.name, "unit_id og similar skal udfyldes", row.line))
            continue
        labelled.append(LabelledUnit(row.values["unit_id"], similar))
    if problems:
        raise DataError(problems)
    return labelled


def similar_units_metrics(
    searcher: Searcher, labelled: list[LabelledUnit]
) -> dict[str, dict[str, float]]:
    """recall@3 over expected pairs (all; in another organisation; in the same) and MRR@10.

    A pair is found when the neighbour is in the anchor's top 3; MRR is per anchor, on its
    first expected neighbour in the top 10.
    """
    found: dict[str, list[bool]] = defaultdict(list)
    reciprocal = []
    for item in labelled:
        anchor = searcher.document("unit", item.unit_id)
        ranked = [h.id for h in searcher.similar_units(item.unit_id, limit=CUTOFF)]
        first = next((i for i, h in enumerate(ranked) if h in item.similar), None)
        reciprocal.append(0.0 if first is None else 1.0 / (first + 1))
        for neighbour in sorted(item.similar):
            elsewhere = searcher.document("unit", neighbour).organisation != anchor.organisation
            hit = neighbour in ranked[:SIMILAR_CUTOFF]
            found["all"].append(hit)
            found["other organisation" if elsewhere else "same organisation"].append(hit)
    metrics = {
        group: {"pairs": float(len(hits)), "recall@3": round(sum(hits) / len(hits), 4)}
        for group, hits in found.items()
        if hits
    }
    if reciprocal:
        metrics["all"]["mrr@10"] = round(sum(reciprocal) / len(reciprocal), 4)
        metrics["all"]["units"] = float(len(reciprocal))
    return metrics
