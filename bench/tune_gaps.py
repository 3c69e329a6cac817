"""How the "weak results" threshold of the search-gap page was chosen.

Every labelled query of both query sets has good answers in the sample; the off-topic queries
below have none (checked by grep on data/sample). A rule is good when it flags no labelled
query and many off-topic ones. Runs against an indexed home with the real model:

    python -m bench.tune_gaps --home /tmp/some-home   (a copy of an indexed sample home)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from engine.search import Searcher
from indexer.build import Home
from indexer.live import LiveIndex
from service.config import Settings, make_embedder

ROOT = Path(__file__).resolve().parent.parent
QUERY_SETS = [
    ROOT / "tests" / "data" / "queries.csv",
    ROOT / "tests" / "data" / "queries_validation.csv",
]
OFF_TOPIC = [
    "kystsikring mod stormflod",
    "vindmøller på havet",
    "hundeskov i byen",
    "atomkraft og affaldsdepot",
    "skibsværft og svejsning",
    "kameler i zoologisk have",
    "bitcoin mining",
    "rumfart og satellitter",
    "surfing på vesterhavet",
    "vinproduktion i sydeuropa",
    "fodboldtræning for professionelle",
    "asdfgh qwerty",
    "xkcd zzz blorp",
    "formel 1 motorsport",
    "opera og ballet på det kongelige teater",
    "dybhavsfiskeri efter torsk",
    "flyvedragter og faldskærm",
    "kernefysik og partikelacceleratorer",
    "juletræsplantage salg",
    "mobiltelefon reparation skærm",
]
COSINES = (0.84, 0.85, 0.86, 0.87)
COVERAGES = (0.3, 0.4, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings(home=args.home)
    embedder = make_embedder(settings)
    home = Home(settings.home, settings.database_url)
    live = LiveIndex.open(home.open_store(), embedder, home.index_dir)
    searcher = Searcher(live.current, embedder)
    labelled = []
    for path in QUERY_SETS:
        with path.open(encoding="utf-8") as handle:
            labelled += [row["query"] for row in csv.DictReader(handle)]

    def evidence(queries: list[str]) -> list[tuple[float, float]]:
        found = [searcher.search_by_text(q) for q in queries]
        return [(r.best_cosine, r.best_coverage) for r in found]

    good, off = evidence(labelled), evidence(OFF_TOPIC)
    print(f"weak = best cosine < C and best word share < W; {len(good)} labelled, {len(off)} other")
    print("   C     W   labelled flagged   off-topic flagged")
    for cosine in COSINES:
        for coverage in COVERAGES:
            flagged = [sum(c < cosine and w < coverage for c, w in p) for p in (good, off)]
            print(f"{cosine:.2f}  {coverage:.1f}   {flagged[0]:8d}           {flagged[1]:8d}")


if __name__ == "__main__":
    main()
