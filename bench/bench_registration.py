"""Benchmark of registration in a national season: 2,000 hosts and 6,000 interns imported, then
people registering one at a time beside them (each save checks the week's rules against every
host of the season), typing in the host picker, and reading the review page's list.

Not part of the test suite (SQLite in a temporary home; no model). Run:
    .venv/bin/python bench/bench_registration.py [--hosts 2000] [--interns 6000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import WEEK, national_week, week_tables
from engine.pairing import load_week
from engine.season import SeasonDates
from indexer.audit import Actor
from indexer.build import Home
from service.season.book import SeasonBook
from service.season.registration import Registrant, Registrations
from service.season.review import SeasonReview

RESULTS = Path(__file__).resolve().parent / "results" / "registration.json"
COORDINATOR = Actor("bench", "Bench")


def timed(action: Callable[[int], object], times: int) -> dict[str, float]:
    took = []
    for n in range(times):
        start = time.perf_counter()
        action(n)
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[int(len(took) * 0.95) - 1], 2),
        "runs": times,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--interns", type=int, default=6000)
    args = parser.parse_args()
    sample = load_week(WEEK / "hosts.csv", WEEK / "interns.csv")
    week = national_week(sample, args.interns, args.hosts)
    hosts, interns = week_tables(week)
    figures: dict[str, object] = {
        "date": dt.date.today().isoformat(),
        "hosts": args.hosts,
        "interns": args.interns,
    }
    with tempfile.TemporaryDirectory() as folder:
        store = Home(Path(folder) / "home").open_store()
        engine = store.engine
        today = dt.date.today()
        dates = SeasonDates(*(today + dt.timedelta(days=n) for n in (0, 30, 60, 64)))
        season = SeasonBook(engine).create("Bench", dates, COORDINATOR, current=True)
        review, registrations = SeasonReview(engine), Registrations(engine)
        start = time.perf_counter()
        review.import_participants(season.id, hosts, interns, COORDINATOR)
        figures["import_s"] = round(time.perf_counter() - start, 2)
        host = hosts.rows[0].values | {"contact_name": "Bench"}
        figures["host_save"] = timed(
            lambda n: registrations.save(
                season.id, Registrant.by_link(f"v{n}@example.dk", season.id), "host", host
            ),
            50,
        )
        wished = ";".join(h.id for h in week.hosts[:3])
        intern = interns.rows[0].values | {"wished_hosts": wished}
        figures["intern_save"] = timed(
            lambda n: registrations.save(
                season.id, Registrant.by_link(f"p{n}@example.dk", season.id), "intern", intern
            ),
            50,
        )
        queries = ["h", "hj", "hjem", "hjemmepl", "borg", "fax kom", "region"]
        figures["host_search"] = timed(
            lambda n: registrations.host_choices(season.id, queries[n % len(queries)], 8), 70
        )
        figures["review_list"] = timed(lambda n: review.participants(season.id), 10)
        store.close()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
