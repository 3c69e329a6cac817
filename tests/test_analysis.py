"""Danish analysis: folding before stemming, stop words, and tokens that point at their text."""

from __future__ import annotations

import random
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis import fold, stem, terms, tokens

DANISH_LETTERS = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅéüö"
DANISH_WORDS = [
    "ældrepleje",
    "Ældre",
    "hjemmeplejen",
    "skærmbesøg",
    "om",
    "natten",
    "på",
    "Borgerservice",
    "MitID",
    "Power-BI",
    "også",
    "Sønderå",
    "K.M.D.",
    "2024",
    "bør",
    "gå",
    "kø",
    "pårørende",
]
danish_word = st.one_of(
    st.sampled_from(DANISH_WORDS), st.text(alphabet=DANISH_LETTERS, min_size=1, max_size=12)
)
danish_text = st.lists(
    st.tuples(danish_word, st.sampled_from([" ", ", ", ". ", "\n", " - ", "-", "'", "."])),
    max_size=12,
).map(lambda parts: "".join(w + sep for w, sep in parts))


@pytest.mark.parametrize("typed", ["aeldrepleje", "Ældrepleje", "ÆLDREPLEJE", "AELDREPLEJE"])
def test_aeldrepleje_with_and_without_ae_gives_the_same_terms(typed: str) -> None:
    assert terms(typed) == terms("ældrepleje")
    assert len(terms(typed)) == 1


@pytest.mark.parametrize(
    ("danish", "ascii"),
    [("skærmbesøg om natten", "skaermbesoeg om natten"), ("Sønderå", "Soenderaa")],
)
def test_oe_and_aa_spellings_give_the_same_terms(danish: str, ascii: str) -> None:
    assert terms(danish) == terms(ascii)


def test_stop_words_are_dropped_in_both_spellings() -> None:
    assert terms("hjælp til ældre på nettet") == terms("hjaelp til aeldre paa nettet")
    assert len(terms("hjælp til ældre på nettet")) == 3


def test_inflections_share_a_stem() -> None:
    assert terms("hjemmeplejen")[0] == terms("hjemmepleje")[0]


def test_hyphenated_words_index_whole_and_as_their_parts_and_abbreviations_as_one() -> None:
    assert terms("Power-BI") == ["powerbi", "pow", "bi"]
    assert terms("K.M.D.") == ["kmd"]
    assert "sosu" in terms("SOSU-elever") and terms("SOSU-elever")[0] == "sosuelev"
    assert terms("e-Boks") == ["ebok", "bok"]  # a single letter is no word
    found = tokens("nye SOSU-elever")
    assert [(t.surface, t.start, t.end) for t in found if t.term == "sosu"] == [("SOSU", 4, 8)]


def test_fold_turns_danish_letters_into_ascii_pairs() -> None:
    assert fold("ÆØÅ æøå é") == "aeoeaa aeoeaa e"


def test_tokens_keep_the_surface_form_for_highlighting() -> None:
    text = "Hjælp til Ældrepleje i Sønderå"
    found = tokens(text)
    assert [t.surface for t in found] == ["Hjælp", "Ældrepleje", "Sønderå"]
    assert [text[t.start : t.end] for t in found] == ["Hjælp", "Ældrepleje", "Sønderå"]


@given(danish_text)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(danish_text)
def test_terms_of_folded_text_equal_terms_of_text(text: str) -> None:
    assert terms(fold(text)) == terms(text)


@given(danish_text)
def test_token_spans_point_at_their_surface_text(text: str) -> None:
    """In order; a hyphenated word's parts lie within the word."""
    previous = (0, 0)
    for token in tokens(text):
        assert text[token.start : token.end] == token.surface
        assert token.start >= previous[1] or previous[0] <= token.start < token.end <= previous[1]
        assert token.term
        if token.start >= previous[1]:
            previous = (token.start, token.end)


@given(st.text(max_size=40))
def test_token_spans_point_at_their_surface_text_for_any_text(text: str) -> None:
    for token in tokens(text):
        assert text[token.start : token.end] == token.surface


@pytest.mark.parametrize("text", ["ǽble", "Ǿresund", "Power BI™"])
def test_fold_is_idempotent_for_letters_that_decompose(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_stemming_is_safe_from_many_threads() -> None:
    """Searches and writes stem at once; a shared Snowball stemmer mixed up their words."""
    rng = random.Random(1)
    words = [
        "".join(rng.choice("abdeghiklmnoprstuvy") for _ in range(rng.randint(3, 14))) + suffix
        for suffix in ("erne", "ende", "hed", "else", "ede", "ene", "er")
        for _ in range(300)
    ]
    expected = [stem(w) for w in words]
    failures: list[str] = []

    def work() -> None:
        try:
            for _ in range(3):
                if [stem(w) for w in words] != expected:
                    failures.append("another thread's word")
        except Exception as exc:  # the race showed as IndexError inside the stemmer
            failures.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a loaded server does
    try:
        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
