"""Typo tolerance: read unknown query words as the nearest indexed words.

Within a budget, so that no query costs much more than a normal one whatever the index holds:
words longer than any Danish word are not corrected, nor more than MAX_CORRECTED unknown words
per query, and an unknown word is compared with at most MAX_COMPARED indexed words.

The indexed words to compare with come from a symmetric-delete index (SymSpell, `symspellpy`):
each word is filed under the strings its first PREFIX_LENGTH letters give with up to two letters
deleted, so an unknown word meets the words within two edits of it through its own deletes (at
most 29 look-ups), never by reading the vocabulary. It is built once per base block (every
index version since the last compaction shares it): by the service in the background when a
new base block appears (a snapshot loaded, a compaction), else on the first query that needs
it. The words versions add since are entered into it as they are searched, without a rebuild.

Its cost follows the distinct words: about 20-30 µs and 2.3-2.8 kB a word on a quiet 2-core
machine (several times the time on a loaded one). At 100k documents of bench/synthetic.py's
corpus (3,360 words to enter: its texts recombine the sample's) it is built in 0.05 s and holds
9.5 MB (`python -m bench.bench_hostile`, "typo_index" in bench/results/hostile.json); the
Danish lexicon's 15,400 stems take 0.4 s and 35 MB, so 100k distinct words would take about
3 s and 250 MB.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Set

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from symspellpy import SymSpell, Verbosity
from symspellpy.abstract_distance_comparer import AbstractDistanceComparer
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from indexer.analysis import tokens
from indexer.index import SearchIndex
from indexer.lexical import LexicalIndex

MIN_LENGTH = 5  # shorter stems are too often other real words (gaml → saml)
MAX_LENGTH = 30  # longer than "arbejdsmiljørepræsentanter": not a word someone mistyped
MAX_CORRECTED = 4  # unknown words per query that are looked up
MIN_SYNONYM_LENGTH = 3  # abbreviations from the synonym lists are short ("prr" → "ppr")
SURFACE_SAMPLE = 8  # documents read to find how a corrected word is written
MAX_EDITS = 2  # the most a word is read as (from 9 letters)
PREFIX_LENGTH = 7  # letters of a word its deletes are made from (SymSpell's default)
# Indexed words one unknown word is compared with at most, nearest deletes first: a few at 100k
# documents; only a vocabulary crowded with near-identical words reaches it.
MAX_COMPARED = 64
RECENT_VERSIONS = 4  # versions whose added words are known to be entered


def max_edits(term: str) -> int:
    return 1 if len(term) < 9 else 2


def correct_terms(
    terms: list[str],
    lexical: LexicalIndex,
    synonym_terms: Set[str] = frozenset(),
    danish_terms: Set[str] = frozenset(),
    written: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Map each query term the index has never seen to its closest indexed term, if any is close.

    `written`: term → the word as typed, folded. Where the stem is near nothing, the word is
    looked up as typed: stemming can cut a slip's last letters apart ("skærmbesgø" stems to
    "skaermbesgo", three edits from "skaermbesoeg"; "skaermbesgoe" is two).

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
    ][:MAX_CORRECTED]
    index = typo_index(lexical) if any(len(t) >= MIN_LENGTH for t in unknown) else None
    for term in unknown:
        limit = max_edits(term)
        found: list[tuple[int, int, str]] = []  # (edits, -document frequency, word)
        if index is not None and len(term) >= MIN_LENGTH:
            as_typed = (written or {}).get(term, term)
            for form in dict.fromkeys([term, as_typed]):
                for edits, word in index.near(form, max_edits(form)):
                    # Words only deleted records held are not words any more (until the next
                    # compaction), nor are words of another version sharing the base block.
                    frequency = lexical.document_frequency(word)
                    if frequency:
                        found.append((edits, -frequency, word))
                if found:
                    break
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


class TypoIndex:
    """The words of one base block and of the versions built on it, by their deletes.

    Lookups read it without a lock while a version's added words are entered (under one):
    entering only appends, and a version reads a word only when it holds it (document
    frequency), so a word another version added is never read as one of its own."""

    def __init__(self, base_terms: list[str]) -> None:
        self.base_terms = base_terms
        self._comparer = _BudgetedLevenshtein()
        self._symspell = SymSpell(
            MAX_EDITS,
            PREFIX_LENGTH,
            distance_comparer=EditDistance(DistanceAlgorithm.USER_PROVIDED, self._comparer),
        )
        self._entering = threading.Lock()
        self._entered_versions: list[list[str]] = []  # their `terms`, newest last
        self._enter(base_terms)

    def __len__(self) -> int:
        """Words entered."""
        return len(self._symspell.words)

    def enter_added(self, lexical: LexicalIndex) -> None:
        """Enter the words a version added since the base block (once per version)."""
        terms = lexical.terms
        if any(terms is seen for seen in self._entered_versions):
            return
        with self._entering:
            self._enter(lexical.added_terms)
            self._entered_versions = [*self._entered_versions[1 - RECENT_VERSIONS :], terms]

    def near(self, term: str, edits: int) -> list[tuple[int, str]]:
        """Words at most `edits` (at most MAX_EDITS) edits from `term` that start with its
        letter, as (edits, word), from at most MAX_COMPARED comparisons."""
        self._comparer.start(MAX_COMPARED)
        found = self._symspell.lookup(term, Verbosity.ALL, max_edit_distance=edits)
        return [(int(s.distance), str(s.term)) for s in found if s.term[:1] == term[:1]]

    def _enter(self, terms: Iterable[str]) -> None:
        known = self._symspell.words
        for term in terms:
            # Only words a correctable word can be read as: its first letter, its length range.
            reachable = MIN_LENGTH - 1 <= len(term) <= MAX_LENGTH + MAX_EDITS
            if reachable and term[0].isalpha() and term not in known:
                self._symspell.create_dictionary_entry(term, 1)


class _BudgetedLevenshtein(AbstractDistanceComparer):  # type: ignore[misc]
    """Levenshtein distance (as rapidfuzz counts it), for at most a budget of word pairs per
    lookup and only for words with the same first letter; every other pair counts as too far.
    The budget is per thread: requests look up in parallel."""

    def __init__(self) -> None:
        self._left = threading.local()

    def start(self, budget: int) -> None:
        self._left.comparisons = budget

    def distance(self, string_1: str | None, string_2: str | None, max_distance: int) -> int:
        if not string_1 or not string_2 or string_1[0] != string_2[0]:
            return -1
        left: int = self._left.comparisons
        if left <= 0:
            return -1
        self._left.comparisons = left - 1
        edits = Levenshtein.distance(string_1, string_2, score_cutoff=max_distance)
        return edits if edits <= max_distance else -1


_index_of_base: TypoIndex | None = None  # the newest base block's, shared by its versions
_building = threading.Lock()


def typo_index(lexical: LexicalIndex) -> TypoIndex:
    """The typo index of this version: its base block's, with the words it added entered."""
    global _index_of_base
    index = _index_of_base
    if index is None or index.base_terms is not lexical.base_terms:
        with _building:  # requests in parallel after a compaction build it once
            index = _index_of_base
            if index is None or index.base_terms is not lexical.base_terms:
                index = _index_of_base = TypoIndex(lexical.base_terms)
    index.enter_added(lexical)
    return index
