"""Typo tolerance: read unknown query words as the nearest indexed words."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer.lexical import LexicalIndex

MIN_LENGTH = 5  # shorter stems are too often other real words (gaml → saml)


def max_edits(term: str) -> int:
    return 1 if len(term) < 9 else 2


def correct_terms(terms: list[str], lexical: LexicalIndex) -> dict[str, str]:
    """Map each query term the index has never seen to its closest indexed term, if any is close.

    Among equally close terms the more common one wins: it is the likelier intended word. The
    first letter must agree: people rarely mistype it, and it rules out most false friends.
    """
    corrections: dict[str, str] = {}
    for term in terms:
        if len(term) < MIN_LENGTH or lexical.column(term) is not None or not term.isalpha():
            continue
        limit = max_edits(term)
        candidates = process.extract(
            term, lexical.terms, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
        )
        # Words only deleted records held are not words any more (until the next compaction).
        candidates = [
            c for c in candidates if c[0][:1] == term[:1] and lexical.document_frequency(c[0])
        ][:10]
        if candidates:
            best = min(candidates, key=lambda c: (c[1], -lexical.document_frequency(c[0])))
            corrections[term] = best[0]
    return corrections
