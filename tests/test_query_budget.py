"""Every query costs about what a normal one costs: normalised text and bounded work."""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Callable
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from engine import typos
from engine.search import (
    EMBEDDED_QUERY_CHARS,
    EMBEDDED_QUERY_TOKENS,
    MAX_EXPANDED_TERMS,
    MAX_QUERY_TERMS,
    MAX_QUERY_TOKENS,
    Searcher,
    embedded_part,
    normalised_query,
)
from indexer import analysis
from indexer.analysis import forget_words
from indexer.lexical import LexicalIndex
from tests.fakes import FakeEmbedder

RANDOM = random.Random(7)


def random_letters(n: int) -> str:
    return "".join(RANDOM.choice(string.ascii_lowercase) for _ in range(n))


def test_query_is_nfc_and_runs_of_combining_marks_are_cut() -> None:
    assert normalised_query("Søren  A\u030a") == "Søren Å"
    crafted = normalised_query("e" + "\u0301" * 479 + " hjemmepleje")
    assert crafted == "é" + "\u0301" * 2 + " hjemmepleje"  # é composed, two marks kept
    assert unicodedata.is_normalized("NFC", crafted)


def test_the_model_reads_at_most_the_budget(mini_searcher: Searcher) -> None:
    embedder = mini_searcher.embedder
    assert isinstance(embedder, FakeEmbedder)
    for query in (random_letters(480), " ".join(random_letters(7) for _ in range(60))):
        mini_searcher.search_by_text(query)
        assert len(embedder.query_calls[-1][0]) <= EMBEDDED_QUERY_CHARS
    words = "hvem ved noget om " * 20
    cut = embedded_part(" ".join(words.split()))
    assert len(cut) <= EMBEDDED_QUERY_CHARS and not cut.endswith(" ") and words.startswith(cut)


def by_letters(text: str) -> int:
    """A tokenizer of random letters: a token per two letters, as word pieces split gibberish."""
    return sum((len(word) + 1) // 2 for word in text.split())


@given(st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=60), min_size=1, max_size=80))
@settings(max_examples=200, deadline=None)
def test_the_embedded_part_keeps_the_most_whole_words_within_the_token_budget(
    words: list[str],
) -> None:
    query = " ".join(words)
    cut = embedded_part(query, by_letters)
    assert cut and query.startswith(cut)
    assert by_letters(cut) <= EMBEDDED_QUERY_TOKENS and len(cut) <= EMBEDDED_QUERY_CHARS
    within_chars = embedded_part(query)
    if by_letters(within_chars) <= EMBEDDED_QUERY_TOKENS:
        assert cut == within_chars
        return
    kept = within_chars.split(" ")
    n = cut.count(" ") + 1
    if " ".join(kept[:n]) == cut:  # whole words: one more would not fit
        assert n == len(kept) or by_letters(" ".join(kept[: n + 1])) > EMBEDDED_QUERY_TOKENS
    else:  # the first word alone is over the budget: cut inside it
        assert by_letters(kept[0]) > EMBEDDED_QUERY_TOKENS


def test_a_long_query_matches_a_bounded_number_of_words(mini_searcher: Searcher) -> None:
    lexical = mini_searcher.index.lexical
    seen: list[dict[str, float]] = []
    original = LexicalIndex.scores

    def spy(self: LexicalIndex, weights: dict[str, float]) -> object:
        seen.append(dict(weights))
        return original(self, weights)

    words = [random_letters(8) for _ in range(80)] + list(lexical.terms[:40])
    with mock.patch.object(LexicalIndex, "scores", spy):
        mini_searcher.search_by_text(" ".join(words))
    assert seen
    exact = [t for t, w in seen[-1].items() if w == 1.0]
    assert len(exact) <= MAX_QUERY_TERMS


def test_compounds_are_expanded_for_the_first_few_words_only(mini_searcher: Searcher) -> None:
    calls: list[str] = []
    for part in mini_searcher._compounds:
        original = part.expand

        def counting(term: str, _original: object = original, **direction: bool) -> list[str]:
            calls.append(term)
            return _original(term, **direction)  # type: ignore[operator]

        part.expand = counting  # type: ignore[method-assign]
    mini_searcher.search_by_text(" ".join(random_letters(9) for _ in range(40)))
    assert calls and len(set(calls)) <= MAX_EXPANDED_TERMS


def test_typo_correction_looks_up_a_few_unknown_words_of_sane_length() -> None:
    vocabulary = ["hjemmepleje", "sprogscreening", "borgerservice", "velfaerdsteknologi"]
    lexical = LexicalIndex.from_terms([[w] for w in vocabulary])
    misspelt = ["hjemmeplaje", "sprogscreaning", "borgerservise", "velfaerdsteknoligi"]
    noise = [random_letters(8) for _ in range(30)]
    corrections = typos.correct_terms([*misspelt, *noise], lexical)
    assert corrections == dict(zip(misspelt, vocabulary, strict=True))
    with mock.patch.object(
        typos.TypoIndex, "near", autospec=True, side_effect=typos.TypoIndex.near
    ) as near:
        typos.correct_terms([*noise, *misspelt], lexical)
    assert near.call_count == typos.MAX_CORRECTED
    long_word = "hjemmepleje" * 3 + "x"
    assert typos.correct_terms([long_word], LexicalIndex.from_terms([[long_word[:-1]]])) == {}


def _brute_force(term: str, lexical: LexicalIndex) -> str | None:
    """Every indexed word, no narrowing: the truth the length buckets must agree with."""
    limit = typos.max_edits(term)
    close = [
        (w, Levenshtein.distance(term, w))
        for w in lexical.terms
        if w[:1] == term[:1] and lexical.document_frequency(w)
    ]
    close = [(w, d) for w, d in close if d <= limit]
    if not close:
        return None
    best = min(d for _, d in close)
    return max((w for w, d in close if d == best), key=lexical.document_frequency, default=None)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text("abdegikls", min_size=4, max_size=12), min_size=1, max_size=60),
    st.text("abdegikls", min_size=5, max_size=12),
)
def test_narrowed_candidates_find_what_a_full_scan_finds(vocabulary: list[str], term: str) -> None:
    lexical = LexicalIndex.from_terms([[w] for w in vocabulary])
    found = typos.correct_terms([term], lexical).get(term)
    if lexical.column(term) is not None:
        assert found is None
        return
    truth = _brute_force(term, lexical)
    if truth is None:
        assert found is None
    else:
        assert found is not None
        assert Levenshtein.distance(term, found) == Levenshtein.distance(term, truth)
        assert lexical.document_frequency(found) == lexical.document_frequency(truth)


def crowded_vocabulary(n: int, rng: random.Random) -> list[str]:
    """`n` words of 8 letters from four, all starting with h: many a letter from others."""
    words: set[str] = set()
    while len(words) < n:
        words.add("h" + "".join(rng.choice("abde") for _ in range(7)))
    return sorted(words)


def counting(distance: Callable[..., int], compared: list[str]) -> Callable[..., int]:
    """`distance`, noting the indexed word of each pair it measures."""

    def measured(query: str, word: str, **options: Any) -> int:
        compared.append(word)
        return distance(query, word, **options)

    return measured


def test_a_word_is_compared_with_a_bounded_number_of_indexed_words_whatever_the_vocabulary() -> (
    None
):
    rng = random.Random(11)
    for n in (2000, 8000):
        vocabulary = crowded_vocabulary(n, rng)
        lexical = LexicalIndex.from_terms([[w] for w in vocabulary])
        typed: list[str] = []
        while len(typed) < typos.MAX_CORRECTED:  # a letter changed, after the first
            word, at = rng.choice(vocabulary), rng.randrange(1, 8)
            slip = word[:at] + rng.choice("abde".replace(word[at], "")) + word[at + 1 :]
            if lexical.column(slip) is None:
                typed.append(slip)
        compared: list[str] = []
        with mock.patch.object(Levenshtein, "distance", counting(Levenshtein.distance, compared)):
            corrections = typos.correct_terms(typed, lexical)
        assert 0 < len(compared) <= typos.MAX_CORRECTED * typos.MAX_COMPARED
        # Within the budget, still words one edit away (the nearest deletes are read first).
        assert corrections
        assert all(Levenshtein.distance(t, w) == 1 for t, w in corrections.items())


def test_words_added_since_the_base_block_are_corrected_to_without_a_rebuild() -> None:
    base = LexicalIndex.from_terms([["hjemmepleje"], ["sprogscreening"]])
    assert typos.correct_terms(["borgerservise"], base) == {}
    built = typos.typo_index(base)
    added = base.applied([], [["borgerservice"]])
    assert typos.correct_terms(["borgerservise"], added) == {"borgerservise": "borgerservice"}
    assert typos.typo_index(added) is built
    # Another version of the same base block never reads a word only this one holds,
    # nor one whose records were deleted.
    assert typos.correct_terms(["borgerservise"], base) == {}
    erased = added.applied([2], [])
    assert typos.correct_terms(["borgerservise"], erased) == {}


def test_a_query_of_many_unknown_short_words_analyses_a_bounded_number_of_them(
    mini_searcher: Searcher,
) -> None:
    words = [random_letters(4) for _ in range(95)]
    stemmed: list[str] = []
    looked_up: set[str] = set()
    original_stem, original_column = analysis.stem, LexicalIndex.column

    def stem_spy(word: str) -> str:
        stemmed.append(word)
        return original_stem(word)

    def column_spy(self: LexicalIndex, term: str) -> int | None:
        looked_up.add(term)
        return original_column(self, term)

    forget_words()
    with (
        mock.patch.object(analysis, "stem", stem_spy),
        mock.patch.object(LexicalIndex, "column", column_spy),
    ):
        mini_searcher.search_by_text(" ".join(words))
    analysed = [w for w in stemmed if w in set(words)]
    assert 0 < len(analysed) <= MAX_QUERY_TOKENS
    query_terms = {analysis.term_of(w) for w in words}
    assert len(looked_up & query_terms) <= MAX_QUERY_TERMS
