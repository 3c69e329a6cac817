"""Typo tolerance: read unknown query words as the nearest indexed words.

Within a budget, so that no query costs much more than a normal one: words longer than any
Danish word are not corrected, nor more than a few unknown words per query, and a word is only
compared with indexed words of the same first letter and nearly the same length.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Set

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer.analysis import tokens
from indexer.index import SearchIndex
from indexer.lexical import LexicalIndex

MIN_LENGTH = 5  # shorter stems are too often other real words (gaml → saml)
MAX_LENGTH = 30  # longer than "arbejdsmiljørepræsentanter": not a word someone mistyped
MAX_CORRECTED = 4  # unknown words per query that are looked up
MIN_SYNONYM_LENGTH = 3  # abbreviations from the synonym lists are short ("prr" → "ppr")
SURFACE_SAMPLE = 8  # documents read to find how a corrected word is written

Buckets = dict[tuple[str, int], list[str]]
_buckets_of_base: tuple[list[str], Buckets] | None = None  # the newest base block's, shared


def max_edits(term: str) -> int:
    return 1 if len(term) < 9 else 2


def correct_terms(
    terms: list[str],
    lexical: LexicalIndex,
    synonym_terms: Set[str] = frozenset(),
    danish_terms: Set[str] = frozenset(),
) -> dict[str, str]:
    """Map each query term the index has never seen to its closest indexed term, if any is close.

    A Danish word is not a typo because the index lacks it (`danish_terms`: the terms of the
    query's words that the Danish lexicon holds): "sørger" is not a misspelt "søge".

    Among equally close terms the more common one wins: it is the likelier intended word. The
    first letter must agree: people rarely mistype it, and it rules out most false friends.
    The synonym lists' words count as known words too (a misspelt synonym still fires), and a
    word at most one edit from an abbreviation of theirs is read as it ("prr" → "ppr").
    """
    corrections: dict[str, str] = {}
    unknown = [
        t
        for t in terms
        if MIN_SYNONYM_LENGTH <= len(t) <= MAX_LENGTH
        and t.isalpha()
        and lexical.column(t) is None
        and t not in synonym_terms
        and t not in danish_terms
    ]
    for term in unknown[:MAX_CORRECTED]:
        limit = max_edits(term)
        found: list[tuple[int, int, str]] = []  # (edits, -document frequency, word)
        if len(term) >= MIN_LENGTH:
            candidates = process.extract(
                term,
                _near_in_length(term, limit, lexical),
                scorer=Levenshtein.distance,
                score_cutoff=limit,
                limit=20,
            )
            # Words only deleted records held are not words any more (until the next compaction).
            candidates = [c for c in candidates if lexical.document_frequency(c[0])][:10]
            found += [(c[1], -lexical.document_frequency(c[0]), c[0]) for c in candidates]
        # A short word only as a same-length slip: "ikt" is not a misspelt "it".
        synonym_limit, spread = (limit, limit) if len(term) >= MIN_LENGTH else (1, 0)
        near = [w for w in synonym_terms if w[:1] == term[0] and abs(len(w) - len(term)) <= spread]
        if near:  # a few hundred words at most: the lists' words, not the index's
            for word, edits, _ in process.extract(
                term, near, scorer=Levenshtein.distance, score_cutoff=synonym_limit, limit=5
            ):
                found.append((edits, -lexical.document_frequency(word), word))
        if found:
            corrections[term] = min(found)[2]
    return corrections


def surface_form(term: str, index: SearchIndex) -> str | None:
    """The most frequent way the documents holding `term` write it ("borgerservic" →
    "borgerservice"), read from a few of them when asked: no map to keep in step with writes
    and erasures, and no memory per word."""
    rows = np.flatnonzero(index.lexical.scores({term: 1.0}))[:SURFACE_SAMPLE]
    written: Counter[str] = Counter()
    for row in rows.tolist():
        document = index.documents[row]
        if document is not None:
            for text in (document.title, document.body):
                written.update(t.surface.lower() for t in tokens(text) if t.term == term)
    return written.most_common(1)[0][0] if written else None


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
