"""What a unit page recommends across kinds: trial actions of similar units, and people
elsewhere who know about the same, each with its reason (shared competencies and words)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    """Why an item is recommended: the unit's competencies it shares (as the unit writes them)
    and the rarer words they share (as the item writes them)."""

    competencies: list[str]
    words: list[str]


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
    own_terms = searcher._distinctive_terms(row)
    competencies = split_list(unit.metadata.get("competencies", ""))
    organisation = fold(unit.organisation)

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
        _recommendation(
            searcher,
            r,
            score=similarity.get(_unit_of(searcher, r) or "", 0.0),
            own_terms=own_terms,
            competencies=competencies,
            organisation=organisation,
        )
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
    people = [
        _recommendation(
            searcher,
            r,
            score=score_of[r],
            own_terms=own_terms,
            competencies=competencies,
            organisation=organisation,
        )
        for r in ranked[:limit]
    ]
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


def _recommendation(
    searcher: Searcher,
    row: int,
    *,
    score: float,
    own_terms: set[str],
    competencies: list[str],
    organisation: str,
) -> Recommendation:
    document = _document(searcher, row)
    hit = searcher._hit(row, score, own_terms, by_meaning=True)
    return Recommendation(
        hit=hit,
        reason=reason_between(
            competencies, own_terms, [document, *_unit_document(searcher, document)]
        ),
        other_organisation=fold(document.organisation) != organisation,
    )


def _unit_document(searcher: Searcher, document: Document) -> list[Document]:
    unit = searcher.index.document(f"unit:{document.unit_id}") if document.unit_id else None
    return [unit] if unit is not None else []


def reason_between(
    competencies: list[str], own_terms: set[str], documents: list[Document]
) -> Reason:
    """The unit's competencies whose words the item (or its unit) holds, and the rarer words
    they share, as the item writes them first."""
    held = {t for document in documents for t in terms(document.text)}
    shared = [c for c in competencies if (words := set(terms(c))) and words <= held]
    in_competencies = {t for c in shared for t in terms(c)}
    found = [
        t.surface.lower()
        for document in documents
        for t in tokens(f"{document.title} {document.body}")
        if t.term in own_terms and t.term not in in_competencies
    ]
    return Reason(shared, list(dict.fromkeys(found))[:REASON_WORDS])
