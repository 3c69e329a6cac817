"""BM25 over Danish terms, as sparse matrices so scoring a query is a few column sums."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

K1 = 1.2
B = 0.75


class LexicalIndex:
    """Term frequencies per document (rows) and term (columns); BM25 weights derived from them."""

    def __init__(self, vocabulary: dict[str, int], term_frequencies: sp.csr_matrix) -> None:
        self.vocabulary = vocabulary
        self.term_frequencies = term_frequencies.tocsr()
        self._derive()

    def _derive(self) -> None:
        """What follows from the vocabulary and the term frequencies, after every change."""
        # Columns are numbered in the order terms are added, so the dict's order is column order.
        self.terms = list(self.vocabulary)
        self._weights, self.idf, self._df = _bm25_weights(self.term_frequencies)

    @classmethod
    def from_terms(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        vocabulary: dict[str, int] = {}
        return cls(vocabulary, _tf_rows(documents, vocabulary))

    @property
    def size(self) -> int:
        return int(self.term_frequencies.shape[0])

    def document_frequency(self, term: str) -> int:
        column = self.vocabulary.get(term)
        if column is None:
            return 0
        return int(self._df[column])

    def scores(self, query: dict[str, float]) -> np.ndarray:
        """BM25 score of every document for weighted query terms."""
        columns = [self.vocabulary[t] for t in query if t in self.vocabulary]
        if not columns:
            return np.zeros(self.size, dtype=np.float32)
        weights = np.array([query[t] for t in query if t in self.vocabulary], dtype=np.float32)
        sub = self._weights[:, columns]
        return np.asarray(sub @ weights, dtype=np.float32).ravel()

    def best_possible(self, query: dict[str, float]) -> float:
        """What a document holding every query term once, at average length, would score.

        A term no document holds counts as maximally rare: a query half made of unknown words
        can at best be half covered.
        """
        unseen = float(np.log(1.0 + (self.size + 0.5) / 0.5))
        return float(
            sum(
                w * (self.idf[self.vocabulary[t]] if t in self.vocabulary else unseen)
                for t, w in query.items()
            )
        )

    def replace_rows(self, keep: np.ndarray, new_documents: Sequence[Sequence[str]]) -> None:
        """Keep the rows selected by `keep` (a boolean mask) and append new documents."""
        kept = self.term_frequencies[np.flatnonzero(keep)]
        added = _tf_rows(new_documents, self.vocabulary)
        width = len(self.vocabulary)
        kept.resize((kept.shape[0], width))
        added.resize((added.shape[0], width))
        self.term_frequencies = _without_unused_terms(sp.vstack([kept, added]).tocsr(), self)
        self._derive()

    def save(self, folder: Path) -> None:
        sp.save_npz(folder / "lexical.npz", self.term_frequencies)
        (folder / "vocabulary.txt").write_text("\n".join(self.terms), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        text = (folder / "vocabulary.txt").read_text(encoding="utf-8")
        vocabulary = {t: i for i, t in enumerate(text.split("\n"))} if text else {}
        return cls(vocabulary, sp.load_npz(folder / "lexical.npz").tocsr())


def _without_unused_terms(tf: sp.csr_matrix, index: LexicalIndex) -> sp.csr_matrix:
    """Drop terms no document holds any more: a deleted person's name must not stay behind
    in the vocabulary (GDPR erasure), and dead terms would mislead typo correction."""
    used = np.flatnonzero(np.diff(tf.tocsc().indptr) > 0)
    if len(used) == tf.shape[1]:
        return tf
    terms = list(index.vocabulary)  # includes the terms just added, unlike index.terms
    index.vocabulary = {terms[column]: i for i, column in enumerate(used.tolist())}
    return tf[:, used].tocsr()


def _tf_rows(documents: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> sp.csr_matrix:
    """Term-frequency rows; terms not yet in the vocabulary are added to it."""
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for terms in documents:
        for term, count in Counter(terms).items():
            column = vocabulary.get(term)
            if column is None:
                column = vocabulary[term] = len(vocabulary)
            indices.append(column)
            data.append(count)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=(len(documents), len(vocabulary)),
    )


def _bm25_weights(tf: sp.csr_matrix) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray]:
    n_docs = tf.shape[0]
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    average = float(lengths.mean()) if n_docs else 1.0
    df = np.diff(tf.tocsc().indptr)
    idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    rows = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
    freq = tf.data
    norm = K1 * (1.0 - B + B * lengths[rows] / max(average, 1e-9))
    data = idf[tf.indices] * freq * (K1 + 1.0) / (freq + norm)
    weights = sp.csr_matrix((data.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape)
    return weights.tocsc(), idf, df
