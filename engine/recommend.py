"""What a unit page recommends across kinds: trial actions of similar units, and people
elsewhere who know about the same, each with its reason.

A reason quotes only the item's own text (a trial's title, description and learnings; a
person's job title and expertise; `Document.own_text`), never what it inherits from its unit:
the unit's competencies that text names, and the rare words both share (never everyday Danish
by the lexicon; rarest in the index and in Danish first); where neither, the unit's competency
nearest the item in meaning."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.lexicon import EVERYDAY_ZIPF, is_everyday_word, zipf
from engine.results import Hit
from engine.search import Searcher
from indexer.analysis import fold, terms, tokens
from indexer.records import Document, split_list

SIMILAR_UNITS_CONSIDERED = 10  # the trials of this many nearest units are candidates
REASON_WORDS = 5
# People: the nearest this many per place shown, then other organisations first among them.
PEOPLE_CONSIDERED_PER_ITEM = 4


@dataclass(frozen=True)
class Reason:
    """Why an item is recommended: the unit's competencies the item's own text names (as the
    unit writes them) and the rare words both share (as the item writes them, rarest first);
    where there are neither, the unit's competency nearest the item in meaning."""

    competencies: list[str]
    words: list[str]
    nearest_competency: str | None = None


@dataclass(frozen=True)
class Recommendation:
    hit: Hit
    reason: Reason
    other_organisation: bool


@dataclass(frozen=True)
class Recommendations:
    unit_id: str
    trials: list[Recommendation]  # "Prøvehandlinger fra lignende enheder"
    people: list[Recommendation]  # "Kolleger andre steder, der ved noget om det samme"


def recommend_for_unit(searcher: Searcher, unit_id: str, *, limit: int = 5) -> Recommendations:
    """Trials of the unit's nearest units (other organisations first, then by how similar the
    unit is) and people in other units whose expertise is closest to the unit (other
    organisations first)."""
    unit = searcher.document("unit", unit_id)
    index = searcher.index
    row = index.row_of(unit.key)
    assert row is not None  # document() found it
    competencies = split_list(unit.metadata.get("competencies", ""))
    organisation = fold(unit.organisation)
    # What the unit says of itself: its name, description and competencies (not its
    # organisation or area, which say where, not what).
    unit_terms = set(terms(f"{unit.title}. {unit.own_text}"))
    explain = _Explainer(searcher, competencies, unit_terms, unit.organisation)

    similar = searcher.similar_units(unit_id, limit=SIMILAR_UNITS_CONSIDERED)
    profiles = searcher.unit_profiles
    is_trial = index.facet_is("kind", "trial")
    candidates: list[tuple[bool, int, int]] = []
    for position, neighbour in enumerate(similar):
        elsewhere = fold(neighbour.organisation) != organisation
        members = profiles.members_of(neighbour.id)
        for trial_row in members[is_trial[members]].tolist():
            candidates.append((not elsewhere, position, trial_row))
    candidates.sort()
    similarity = {h.id: h.score for h in similar}
    trials = [
        explain(r, score=similarity.get(_unit_of(searcher, r) or "", 0.0))
        for _, _, r in candidates[:limit]
    ]

    # Score every person at once; only the nearest few (beyond the unit's own people) are
    # looked at one by one.
    people_rows = np.flatnonzero(index.facet_is("kind", "person"))
    profile = profiles.of(np.array([row]))[0][0]
    scores = (index.vectors @ profile)[people_rows]  # gathering the rows first copies them
    wanted = PEOPLE_CONSIDERED_PER_ITEM * limit
    nearest_first = _top_first(scores, wanted + len(profiles.members_of(unit.id)))
    score_of: dict[int, float] = {}
    for position in nearest_first.tolist():
        person_row = int(people_rows[position])
        if _unit_of(searcher, person_row) != unit.id:
            score_of[person_row] = float(scores[position])
            if len(score_of) == wanted:
                break
    nearest = list(score_of)
    ranked = sorted(
        nearest,
        key=lambda r: (fold(_document(searcher, r).organisation) == organisation, -score_of[r]),
    )
    people = [explain(r, score=score_of[r]) for r in ranked[:limit]]
    return Recommendations(unit_id=unit.id, trials=trials, people=people)


def _top_first(scores: np.ndarray, count: int) -> np.ndarray:
    """The first `count` positions of a stable sort by score, highest first, without sorting
    them all: every score tied with the last one taken is kept before cutting, so which of
    equal scores come first never depends on how the partition fell."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    last = np.partition(scores, len(scores) - count)[len(scores) - count]
    kept = np.flatnonzero(scores >= last)
    return kept[np.argsort(-scores[kept], kind="stable")][:count]


def _document(searcher: Searcher, row: int) -> Document:
    document = searcher.index.documents[row]
    assert document is not None  # live rows only
    return document


def _unit_of(searcher: Searcher, row: int) -> str | None:
    return _document(searcher, row).unit_id


class _Explainer:
    """Recommendations for one unit's page, each with its reason."""

    def __init__(
        self, searcher: Searcher, competencies: list[str], unit_terms: set[str], organisation: str
    ) -> None:
        self.searcher = searcher
        self.competencies = competencies
        self.unit_terms = unit_terms
        self.organisation = organisation
        self._competency_vectors: np.ndarray | None = None

    def __call__(self, row: int, *, score: float) -> Recommendation:
        document = _document(self.searcher, row)
        lexical = self.searcher.index.lexical

        def idf_of(term: str) -> float:
            column = lexical.column(term)
            return float(lexical.idf[column]) if column is not None else 0.0

        # Organisation names say where, not what: "Faxe" shared by two units of Faxe Kommune.
        places = {*terms(self.organisation), *terms(document.organisation)}
        reason = reason_between(
            self.competencies, self.unit_terms - places, document, idf_of=idf_of
        )
        if not reason.competencies and not reason.words and self.competencies:
            reason = Reason([], [], self._nearest_competency(row))
        named = {t for text in [*reason.competencies, *reason.words] for t in terms(text)}
        return Recommendation(
            hit=self.searcher._hit(row, score, named, by_meaning=True),
            reason=reason,
            other_organisation=fold(document.organisation) != fold(self.organisation),
        )

    def _nearest_competency(self, row: int) -> str:
        """The unit's competency nearest the item in meaning (a competency read as a query
        against the item's passage vector, as search reads a query)."""
        if self._competency_vectors is None:
            embed = self.searcher._embed_query  # cached: the same page asks again
            self._competency_vectors = np.stack([embed(c) for c in self.competencies])
        similarity = self._competency_vectors @ self.searcher.index.vectors[row]
        return self.competencies[int(np.argmax(similarity))]


def reason_between(
    competencies: list[str],
    unit_terms: set[str],
    item: Document,
    *,
    idf_of: Callable[[str], float],
) -> Reason:
    """The unit's competencies the item's own text names (their words in the order the unit
    writes them, so "Digital Post" is not "digital" in one sentence and "post" in another), and
    the rare words of the unit (`unit_terms`) that text holds, rarest first: rare both in the
    index (idf) and in Danish (the lexicon), never everyday words."""
    own = tokens(item.own_text)
    sequence = [t.term for t in own]
    shared = [c for c in competencies if (words := terms(c)) and _holds(sequence, words)]
    in_competencies = {t for c in shared for t in terms(c)}
    rarity: dict[str, tuple[float, str]] = {}
    for token in own:
        term = token.term
        if term not in unit_terms or term in in_competencies or term in rarity:
            continue
        if not is_everyday_word(token.surface):
            # Both on a log scale of how often a word is met: their sum ranks by both.
            danish = EVERYDAY_ZIPF - zipf(token.surface)
            rarity[term] = (idf_of(term) + math.log(10) * danish, token.surface.lower())
    rarest = sorted(rarity.values(), key=lambda r: -r[0])  # stable: first written first on ties
    return Reason(shared, [surface for _, surface in rarest[:REASON_WORDS]])


def _holds(sequence: list[str], words: list[str]) -> bool:
    """Whether the words stand together, in order, in the sequence of terms."""
    n = len(words)
    return any(sequence[i : i + n] == words for i in range(len(sequence) - n + 1))
