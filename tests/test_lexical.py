"""BM25 over sparse matrices checked against the plain formula, and incremental updates against
rebuilding from scratch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import terms
from indexer.lexical import K1, B, LexicalIndex

Corpus = list[list[str]]
VOCABULARY = ["pleje", "aeldr", "mitid", "skaerm", "nat", "borg", "data", "powerbi", "kmd"]

term = st.sampled_from(VOCABULARY)
document = st.lists(term, max_size=12)
corpus = st.lists(document, min_size=1, max_size=10)
query = st.dictionaries(
    st.sampled_from([*VOCABULARY, "ukendt"]),
    st.floats(min_value=0.1, max_value=3.0),
    min_size=1,
    max_size=4,
)


def reference_idf(documents: Corpus, word: str) -> float:
    n = len(documents)
    df = sum(word in d for d in documents)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def reference_bm25(documents: Corpus, weights: dict[str, float]) -> list[float]:
    """BM25 as written in the textbook, one document and one term at a time."""
    average = sum(len(d) for d in documents) / len(documents)
    scores = []
    for doc in documents:
        score = 0.0
        for word, weight in weights.items():
            tf = doc.count(word)
            if tf == 0:
                continue
            norm = K1 * (1.0 - B + B * len(doc) / average)
            score += weight * reference_idf(documents, word) * tf * (K1 + 1.0) / (tf + norm)
        scores.append(score)
    return scores


def assert_same_scores(index: LexicalIndex, documents: Corpus, weights: dict[str, float]) -> None:
    np.testing.assert_allclose(
        index.scores(weights), reference_bm25(documents, weights), rtol=1e-5, atol=1e-5
    )


@given(corpus, query)
def test_scores_equal_reference_bm25(documents: Corpus, weights: dict[str, float]) -> None:
    assert_same_scores(LexicalIndex.from_terms(documents), documents, weights)


@given(corpus, st.sampled_from([*VOCABULARY, "ukendt"]))
def test_document_frequency_and_idf_equal_reference(documents: Corpus, word: str) -> None:
    index = LexicalIndex.from_terms(documents)
    assert index.document_frequency(word) == sum(word in d for d in documents)
    if word in index.vocabulary:
        expected = reference_idf(documents, word)
        assert math.isclose(index.idf[index.vocabulary[word]], expected, rel_tol=1e-6)


@given(corpus, query)
def test_best_possible_counts_unknown_terms_as_maximally_rare(
    documents: Corpus, weights: dict[str, float]
) -> None:
    index = LexicalIndex.from_terms(documents)
    expected = sum(w * reference_idf(documents, t) for t, w in weights.items())
    assert math.isclose(index.best_possible(weights), expected, rel_tol=1e-5)


def test_scores_equal_reference_bm25_on_seeded_danish_texts() -> None:
    rng = np.random.default_rng(7)
    words = "ældrepleje hjemmepleje skærmbesøg natten MitID borgerservice Power-BI data".split()
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 20))) for _ in range(50)]
    documents = [terms(t) for t in texts]
    index = LexicalIndex.from_terms(documents)
    for word in words:
        assert_same_scores(index, documents, {terms(word)[0]: 1.0})
    assert_same_scores(index, documents, dict.fromkeys(terms("aeldrepleje om natten"), 1.0))


def test_rare_term_outweighs_common_term() -> None:
    documents = [terms("ældrepleje MitID"), terms("ældrepleje"), terms("ældrepleje")]
    index = LexicalIndex.from_terms(documents)
    scores = index.scores(dict.fromkeys(terms("aeldrepleje mitid"), 1.0))
    assert int(np.argmax(scores)) == 0
    assert scores[1] == scores[2] > 0


def test_query_of_unknown_terms_scores_zero() -> None:
    index = LexicalIndex.from_terms([["pleje"], ["data"]])
    assert index.scores({"ukendt": 1.0}).tolist() == [0.0, 0.0]


@settings(max_examples=60)
@given(corpus, st.data(), st.lists(document, max_size=4), st.lists(document, max_size=3))
def test_applied_equals_rebuilding(
    documents: Corpus, data: st.DataObject, added: Corpus, added_later: Corpus
) -> None:
    """Tombstones and appended rows score exactly as a rebuild of the live rows, twice over."""
    keep = data.draw(st.lists(st.booleans(), min_size=len(documents), max_size=len(documents)))
    index = LexicalIndex.from_terms(documents)

    index = index.applied([i for i, k in enumerate(keep) if not k], added)
    live_rows = [i for i, k in enumerate(keep) if k] + list(range(len(documents), index.size))
    later_dead = data.draw(st.lists(st.sampled_from(live_rows), max_size=2)) if live_rows else []
    index = index.applied(later_dead, added_later)
    everything_rows = [*range(len(documents) + len(added))]
    alive_order = [r for r in live_rows if r not in later_dead]
    by_row = dict(zip(everything_rows, [*documents, *added], strict=True))
    expected_documents = [by_row[r] for r in alive_order] + added_later
    alive = [*alive_order, *range(len(documents) + len(added), index.size)]

    assert index.live_size == len(expected_documents)
    assert index.scores({"pleje": 1.0})[~index.alive].sum() == 0
    if not expected_documents:
        return
    rebuilt = LexicalIndex.from_terms(expected_documents)
    for word in [*VOCABULARY, "ukendt"]:
        assert index.document_frequency(word) == rebuilt.document_frequency(word)
        np.testing.assert_allclose(
            index.scores({word: 1.0})[alive], rebuilt.scores({word: 1.0}), rtol=1e-5, atol=1e-6
        )
    everything = dict.fromkeys(VOCABULARY, 1.0)
    assert math.isclose(
        index.best_possible(everything), rebuilt.best_possible(everything), rel_tol=1e-6
    )
    assert_same_scores(index.compacted(), expected_documents, everything)


def test_save_and_load_keep_scores(tmp_path: Path) -> None:
    documents = [terms("Skærmbesøg om natten"), terms("MitID i Borgerservice"), []]
    index = LexicalIndex.from_terms(documents)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    weights = dict.fromkeys(terms("skaermbesoeg mitid"), 1.0)
    assert loaded.vocabulary == index.vocabulary
    np.testing.assert_array_equal(loaded.scores(weights), index.scores(weights))


def test_erased_terms_are_unknown_and_never_saved(tmp_path: Path) -> None:
    """A deleted person's name is an unknown word at once, and is blank in the saved index."""
    index = LexicalIndex.from_terms([["aeldr", "pleje"], ["mitid", "hjaelp"], ["pleje", "nat"]])
    index = index.applied([0], [["robot", "nat"]])
    assert index.column("aeldr") is None and index.document_frequency("aeldr") == 0
    assert index.column("robot") is not None
    index.save(tmp_path)
    assert "aeldr" not in (tmp_path / "vocabulary.txt").read_text(encoding="utf-8")
    loaded = LexicalIndex.load(tmp_path)
    np.testing.assert_array_equal(loaded.scores({"nat": 1.0}), index.scores({"nat": 1.0}))
    compacted = index.compacted()
    assert sorted(compacted.terms) == sorted(compacted.vocabulary)
    assert "aeldr" not in compacted.terms and "robot" in compacted.terms
