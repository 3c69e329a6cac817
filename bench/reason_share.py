"""How often a unit page's recommendations give a reason that says something.

Over every unit of an indexed home, the recommended trials and people (five of each, as the page
shows them), counted as shares of all recommendations:

- specific: the reason names a competence of the unit that the item's own text holds, or a
  rare word (not everyday Danish by the lexicon) that the item's own text holds;
- everyday: the reason's shared words include an everyday word ("omkring");
- borrowed: the reason names a competence or word the item's own text lacks (a trial's unit's
  competence, a person's unit's words);
- nearest in meaning: no shared competence or word, but the unit's competence nearest the item
  in meaning;
- nothing: the reason names nothing ("Ligner enheden i betydning.").

Everyday is `engine.lexicon.is_everyday_word`: everyday Danish as written or as an inflection
of an everyday word ("eleverne").

The item's own text is read here from the record's fields (a trial's title, description and
learnings; a person's job title and expertise), not from the engine, so the same script measures
any version of the engine.

    python -m bench.reason_share --home HOME
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from engine.lexicon import is_everyday_word
from engine.recommend import Recommendation, recommend_for_unit
from engine.search import Searcher
from indexer.analysis import term_of, terms
from indexer.records import Document, split_list


@dataclass
class Shares:
    recommendations: int = 0
    specific: int = 0
    everyday: int = 0
    borrowed: int = 0
    nearest: int = 0
    nothing: int = 0

    def line(self, label: str) -> str:
        n = max(self.recommendations, 1)
        return (
            f"{label:<8} {self.recommendations:>5}  specific {self.specific / n:6.1%}  "
            f"everyday {self.everyday / n:6.1%}  borrowed {self.borrowed / n:6.1%}  "
            f"nearest in meaning {self.nearest / n:6.1%}  nothing {self.nothing / n:6.1%}"
        )


def own_text(document: Document) -> str:
    fields = document.metadata
    if document.kind == "trial":
        parts = [
            fields.get("title", ""),
            fields.get("description", ""),
            fields.get("learnings", ""),
        ]
    else:
        parts = [fields.get("title", ""), *split_list(fields.get("expertise", ""))]
    return ". ".join(p for p in parts if p)


def count(shares: Shares, item: Recommendation, document: Document) -> None:
    held = set(terms(own_text(document)))
    competencies = [c for c in item.reason.competencies if set(terms(c)) <= held]
    words = [w for w in item.reason.words if term_of(w) in held]
    rare = [w for w in words if not is_everyday_word(w)]
    shares.recommendations += 1
    shares.specific += bool(competencies or rare)
    shares.everyday += any(is_everyday_word(w) for w in item.reason.words)
    shares.borrowed += len(competencies) < len(item.reason.competencies) or len(words) < len(
        item.reason.words
    )
    # Read with getattr: the same script measures an engine from before the field.
    nearest = getattr(item.reason, "nearest_competency", None)
    says_nothing = not (item.reason.competencies or item.reason.words)
    shares.nearest += says_nothing and nearest is not None
    shares.nothing += says_nothing and nearest is None


def measure(searcher: Searcher) -> dict[str, Shares]:
    found = {"trials": Shares(), "people": Shares(), "all": Shares()}
    units = [d.id for d in searcher.index.documents if d is not None and d.kind == "unit"]
    for unit_id in units:
        recommended = recommend_for_unit(searcher, unit_id)
        for label, items in (("trials", recommended.trials), ("people", recommended.people)):
            for item in items:
                document = searcher.document(item.hit.kind, item.hit.id)
                count(found[label], item, document)
                count(found["all"], item, document)
    return found


def main() -> None:
    from service.cli import AppContext
    from service.config import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    searcher = AppContext(Settings(home=args.home)).searcher()
    for label, shares in measure(searcher).items():
        print(shares.line(label))


if __name__ == "__main__":
    main()
