"""Search quality on every labelled query set, beside the bare embedding model (`make eval`).

The fresh set was written blind (from the sample data and the domain notes alone) and split
once into dev (tune on it) and test (report only; never look at its misses). For each set:
MRR@10 and hit@1 per query type for tvaers and for the bare model (the same vectors ranked by
cosine alone); the share of off-topic queries answered with no hits; the share of on-topic
queries that kept their relevant hit; and how many on-topic queries, run under each type
filter, came back empty. `--save` writes the figures as JSON, `--compare` prints a saved run
beside this one (before → after).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.evaluation import (
    OFF_TOPIC,
    LabelledQuery,
    load_queries,
    metrics_of,
    run_bare_model,
    run_queries,
)
from engine.results import Filters
from engine.search import Searcher
from indexer.records import KINDS

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
QUERY_SETS = {
    "fresh dev": DATA / "queries_fresh_dev.csv",
    "fresh test": DATA / "queries_fresh_test.csv",
    "own": DATA / "queries.csv",
    "validation": DATA / "queries_validation.csv",
}


def empty_under_type_filters(searcher: Searcher, queries: list[LabelledQuery]) -> tuple[int, int]:
    """(empty answers, runs): every on-topic query under every type filter must find something."""
    runs = empty = 0
    for query in queries:
        if query.off_topic:
            continue
        for kind in KINDS:
            runs += 1
            if not searcher.search_by_text(query.query, Filters(kind=kind), limit=1).hits:
                empty += 1
    return empty, runs


def evaluate_set(searcher: Searcher, queries: list[LabelledQuery]) -> dict[str, Any]:
    outcomes = run_queries(searcher, queries)
    ours = metrics_of(outcomes)
    bare = metrics_of(run_bare_model(searcher, queries))
    empty, runs = empty_under_type_filters(searcher, queries)
    figures = {"ours": ours, "bare": bare, "empty_under_type_filter": [empty, runs]}
    for_units = [o for o in outcomes if o.query.kind == "unit" and not o.query.off_topic]
    if for_units:  # a unit answers for what its people and trials know
        figures["filtered_to_units"] = metrics_of(for_units)["all"]
    return figures


def evaluate_all(searcher: Searcher, sets: dict[str, Path]) -> dict[str, Any]:
    return {name: evaluate_set(searcher, load_queries(path)) for name, path in sets.items()}


def report(figures: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    lines = []
    for name, current in figures.items():
        old = (before or {}).get(name)
        lines.append(f"\n== {name} ==")
        lines.append(
            f"{'qtype':<13}{'n':>4}{'mrr@10':>16}{'hit@1':>16}{'bare mrr':>10}{'bare hit1':>10}"
        )
        for qtype, values in current["ours"].items():
            if qtype == OFF_TOPIC:
                continue
            was = old["ours"].get(qtype) if old else None
            bare = current["bare"][qtype]
            lines.append(
                f"{qtype:<13}{int(values['queries']):>4}"
                f"{_change(was, values, 'mrr@10'):>16}{_change(was, values, 'hit@1'):>16}"
                f"{bare['mrr@10']:>10.3f}{bare['hit@1']:>10.3f}"
            )
        if "all" in current["ours"]:
            was = old["ours"].get("all") if old else None
            kept = _change(was, current["ours"]["all"], "kept")
            lines.append(f"on-topic queries that kept their relevant hit: {kept}")
        if OFF_TOPIC in current["ours"]:
            off = current["ours"][OFF_TOPIC]
            was = old["ours"].get(OFF_TOPIC) if old else None
            lines.append(
                f"off-topic queries ({int(off['queries'])}) with no hits: "
                f"{_change(was, off, 'no_hits')}"
            )
        if "filtered_to_units" in current:
            was = old.get("filtered_to_units") if old else None
            units = current["filtered_to_units"]
            lines.append(
                f"queries filtered to units ({int(units['queries'])}): "
                f"MRR@10 {_change(was, units, 'mrr@10')}, hit@1 {_change(was, units, 'hit@1')}"
            )
        empty, runs = current["empty_under_type_filter"]
        was_empty = f"{old['empty_under_type_filter'][0]} → " if old else ""
        lines.append(f"empty answers under a type filter: {was_empty}{empty} of {runs}")
    return "\n".join(lines)


def _change(before: dict[str, float] | None, after: dict[str, float], key: str) -> str:
    if before is None or key not in before:
        return f"{after[key]:.3f}"
    return f"{before[key]:.3f} → {after[key]:.3f}"


def main() -> None:
    from service.cli import AppContext
    from service.config import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--save", type=Path, help="write the figures here (JSON)")
    parser.add_argument("--compare", type=Path, help="a saved run to print beside this one")
    parser.add_argument("--sets", nargs="*", choices=list(QUERY_SETS), default=list(QUERY_SETS))
    args = parser.parse_args()
    searcher = AppContext(Settings(home=args.home)).searcher()
    sets = {name: QUERY_SETS[name] for name in args.sets if QUERY_SETS[name].exists()}
    figures = evaluate_all(searcher, sets)
    before = json.loads(args.compare.read_text()) if args.compare else None
    print(report(figures, before))
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
