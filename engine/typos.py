"""Typo tolerance: read unknown query words as the nearest indexed words.

Within a budget, so that no query costs much more than a normal one: words longer than any
Danish word are not corrected, nor more than a few unknown words per query, and a word is only
compared with indexed words of the same first letter and nearly the same length.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer.lexical import LexicalIndex

MIN_LENGTH = 5  # shorter stems are too often other real words (gaml → saml)
MAX_LENGTH = 30  # longer than "arbejdsmiljørepræsentanter": not a word someone mistyped
MAX_CORRECTED = 4  # unknown words per query that are looked up

Buckets = dict[tuple[str, int], list[str]]
_buckets_of_base: tuple[list[str], Buckets] | None = None  # the newest base block's, shared


def max_edits(term: str) -> int:
    return 1 if len(term) < 9 else 2


def correct_terms(terms: list[str], lexical: LexicalIndex) -> dict[str, str]:
    """Map each query term the index has never seen to its closest indexed term, if any is close.

    Among equally close terms the more common one wins: it is the likelier intended word. The
    first letter must agree: people rarely mistype it, and it rules out most false friends.
    """
    corrections: dict[str, str] = {}
    unknown = [
        t
        for t in terms
        if MIN_LENGTH <= len(t) <= MAX_LENGTH and t.isalpha() and lexical.column(t) is None
    ]
    for term in unknown[:MAX_CORRECTED]:
        limit = max_edits(term)
        candidates = process.extract(
            term,
            _near_in_length(term, limit, lexical),
            scorer=Levenshtein.distance,
            score_cutoff=limit,
            limit=20,
        )
        # Words only deleted records held are not words any more (until the next compaction).
        candidates = [c for c in candidates if lexical.document_frequency(c[0])][:10]
        if candidates:
            best = min(candidates, key=lambda c: (c[1], -lexical.document_frequency(c[0])))
            corrections[term] = best[0]
    return corrections


def _near_in_length(term: str, edits: int, lexical: LexicalIndex) -> list[str]:
    """Indexed words with the term's first letter, at most `edits` letters longer or shorter."""
    buckets = _buckets(lexical.base_terms)
    first, lengths = term[0], range(len(term) - edits, len(term) + edits + 1)
    near = [w for n in lengths for w in buckets.get((first, n), ())]
    near += [w for w in lexical.added_terms if w[:1] == first and len(w) in lengths]
    return near


def _buckets(base_terms: list[str]) -> Buckets:
    """Base terms by (first letter, length), built once per base block (every version shares it)."""
    global _buckets_of_base
    cached = _buckets_of_base
    if cached is not None and cached[0] is base_terms:
        return cached[1]
    buckets: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
    for word in base_terms:
        if word:
            buckets[(word[0], len(word))].append(word)
    _buckets_of_base = (base_terms, dict(buckets))
    return _buckets_of_base[1]
