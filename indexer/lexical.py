"""BM25 over Danish terms, as sparse matrices so scoring a query is a few column slices.

Rows are appended and tombstoned, never moved: a write costs the size of the write, not of the
index. Scores are computed from raw term counts with the live statistics (document frequencies,
average length over the rows still alive), so they equal BM25 over the live rows exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

K1 = 1.2
B = 0.75
ERASED_TERM = "\x00"  # a saved column whose term no live row holds; never matches a token


class LexicalIndex:
    """Term counts per row: a base block (loaded or built at once) plus rows added since."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        base: sp.csr_matrix,
        *,
        alive: np.ndarray | None = None,
    ) -> None:
        block = _Block(_widened(base.tocsr(), len(vocabulary)), list(vocabulary))
        self._setup(vocabulary, block, _empty(0), alive)

    def _setup(
        self,
        vocabulary: dict[str, int],
        base: _Block,
        added: sp.csr_matrix,
        alive: np.ndarray | None,
        df: np.ndarray | None = None,
        terms: list[str] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        # Columns are numbered in the order terms are added, so the dict's order is column order.
        self.terms = terms if terms is not None else list(vocabulary)
        width = len(vocabulary)
        self._base = base
        self._added = _widened(added, width)
        self._added_columns = self._added.tocsc()
        n = base.rows.shape[0] + self._added.shape[0]
        self.alive = np.ones(n, dtype=bool) if alive is None else alive
        self._lengths = np.concatenate([base.lengths, _row_sums(self._added)]).astype(np.float32)
        if df is None:
            df = _document_frequencies(base.rows, self.alive[: base.rows.shape[0]], width)
            df += _document_frequencies(self._added, self.alive[base.rows.shape[0] :], width)
        self._df = df

    @classmethod
    def from_terms(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        vocabulary: dict[str, int] = {}
        return cls(vocabulary, _tf_rows(documents, vocabulary))

    @property
    def base_terms(self) -> list[str]:
        """The terms of the base block: one list object for every version that shares it."""
        return self._base.terms

    @property
    def base_size(self) -> int:
        """Rows in the base block: rows [0, base_size) are the same in every version sharing it."""
        return int(self._base.rows.shape[0])

    @property
    def added_terms(self) -> list[str]:
        return self.terms[len(self._base.terms) :]

    @property
    def size(self) -> int:
        """Rows, dead ones included: score arrays are this long."""
        return int(self.alive.shape[0])

    @cached_property
    def live_size(self) -> int:
        return int(self.alive.sum())

    @cached_property
    def idf(self) -> np.ndarray:
        n = self.live_size
        idf: np.ndarray = np.log(1.0 + (n - self._df + 0.5) / (self._df + 0.5)).astype(np.float32)
        return idf

    @cached_property
    def _average_length(self) -> float:
        if not self.live_size:
            return 1.0
        return max(float(self._lengths[self.alive].mean()), 1e-9)

    def column(self, term: str) -> int | None:
        """The term's column, if a live row holds it (erased words are unknown words)."""
        column = self.vocabulary.get(term)
        if column is None or self._df[column] == 0:
            return None
        return column

    def document_frequency(self, term: str) -> int:
        column = self.column(term)
        return 0 if column is None else int(self._df[column])

    def row_columns(self, row: int) -> np.ndarray:
        """The columns of the terms one row holds."""
        base_rows = self._base.rows.shape[0]
        matrix, local = (
            (self._base.rows, row) if row < base_rows else (self._added, row - base_rows)
        )
        columns: np.ndarray = matrix.indices[matrix.indptr[local] : matrix.indptr[local + 1]]
        return columns

    def term_counts(self, rows: np.ndarray) -> sp.csr_matrix:
        """How often each term occurs in these rows (one row each, every column of the index)."""
        width = len(self.vocabulary)
        base_rows = self._base.rows.shape[0]
        in_base = rows < base_rows
        base = _widened(self._base.rows[rows[in_base]], width)
        added = self._added[rows[~in_base] - base_rows]
        stacked = sp.vstack([base, added]).tocsr()
        order = np.concatenate([np.flatnonzero(in_base), np.flatnonzero(~in_base)])
        counts: sp.csr_matrix = stacked[np.argsort(order, kind="stable")]
        return counts

    def scores(self, query: dict[str, float]) -> np.ndarray:
        """BM25 score of every row for weighted query terms (0 for dead rows)."""
        pairs = [(c, w) for t, w in query.items() if (c := self.column(t)) is not None]
        out = np.zeros(self.size, dtype=np.float32)
        if not pairs:
            return out
        columns = np.array([c for c, _ in pairs], dtype=np.int64)
        weights = np.array([w for _, w in pairs], dtype=np.float32) * self.idf[columns]
        offset = 0
        for matrix in (self._base.columns, self._added_columns):
            inside = columns < matrix.shape[1]  # the base block predates later terms
            sub = matrix[:, columns[inside]]
            if sub.nnz:
                rows = sub.indices + offset
                term_weight = np.repeat(weights[inside], np.diff(sub.indptr))
                tf = sub.data
                norm = K1 * (1.0 - B + B * self._lengths[rows] / self._average_length)
                contribution = term_weight * tf * (K1 + 1.0) / (tf + norm)
                out += np.bincount(rows, weights=contribution, minlength=self.size).astype(
                    np.float32
                )
            offset += matrix.shape[0]
        out[~self.alive] = 0.0
        return out

    def best_possible(self, query: dict[str, float]) -> float:
        """What a document holding every query term once, at average length, would score.

        A term no document holds counts as maximally rare: a query half made of unknown words
        can at best be half covered.
        """
        unseen = float(np.log(1.0 + (self.live_size + 0.5) / 0.5))
        total = 0.0
        for term, weight in query.items():
            column = self.column(term)
            total += weight * (unseen if column is None else float(self.idf[column]))
        return total

    def applied(
        self, remove_rows: Sequence[int], new_documents: Sequence[Sequence[str]]
    ) -> LexicalIndex:
        """A new index with these rows dead and these documents appended; this one is untouched.

        The base block is shared; only the rows added since it are copied, so the cost follows
        the write, not the index.
        """
        vocabulary = self.vocabulary
        terms_now: list[str] | None = self.terms
        if any(t not in vocabulary for doc in new_documents for t in doc):
            vocabulary, terms_now = dict(vocabulary), None
        new_rows = _tf_rows(new_documents, vocabulary)
        width = len(vocabulary)
        added = sp.vstack([_widened(self._added, width), _widened(new_rows, width)]).tocsr()
        alive = np.concatenate([self.alive, np.ones(len(new_documents), dtype=bool)])
        dying = np.unique(np.asarray(remove_rows, dtype=np.int64))
        dying = dying[alive[dying]]
        alive[dying] = False
        df = np.zeros(width, dtype=np.int64)
        df[: len(self._df)] = self._df
        for row in dying.tolist():
            df[self.row_columns(row)] -= 1
        df += np.bincount(new_rows.indices, minlength=width)
        index = LexicalIndex.__new__(LexicalIndex)
        index._setup(vocabulary, self._base, added, alive, df, terms_now)
        return index

    def compacted(self) -> LexicalIndex:
        """Only the live rows, and only the terms they hold (what a rebuild would give)."""
        tf = self._all_rows()[np.flatnonzero(self.alive)]
        used = np.flatnonzero(self._df > 0)
        vocabulary = {self.terms[c]: i for i, c in enumerate(used.tolist())}
        return LexicalIndex(vocabulary, tf[:, used].tocsr())

    def _all_rows(self) -> sp.csr_matrix:
        width = len(self.vocabulary)
        return sp.vstack([_widened(self._base.rows, width), self._added]).tocsr()

    def save(self, folder: Path) -> None:
        """Dead rows are saved empty and dead terms blank: an erased name never reaches disk."""
        tf = sp.diags(self.alive.astype(np.float32)) @ self._all_rows()
        tf.eliminate_zeros()
        sp.save_npz(folder / "lexical.npz", tf.tocsr())
        np.save(folder / "alive.npy", self.alive)
        saved = [t if self._df[c] else ERASED_TERM for c, t in enumerate(self.terms)]
        (folder / "vocabulary.txt").write_text("\n".join(saved), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        text = (folder / "vocabulary.txt").read_text(encoding="utf-8")
        vocabulary: dict[str, int] = {}
        for column, term in enumerate(text.split("\n") if text else []):
            # Blanked columns keep their place under a name no token can have.
            vocabulary[term if term != ERASED_TERM else f"{ERASED_TERM}{column}"] = column
        alive = np.load(folder / "alive.npy")
        return cls(vocabulary, sp.load_npz(folder / "lexical.npz").tocsr(), alive=alive)


class _Block:
    """Rows that never change once made, in both layouts: shared by every later version."""

    def __init__(self, rows: sp.csr_matrix, terms: list[str]) -> None:
        self.rows = rows
        self.terms = terms
        self.columns = rows.tocsc()
        self.lengths = _row_sums(rows)


def _empty(width: int) -> sp.csr_matrix:
    return sp.csr_matrix((0, width), dtype=np.float32)


def _widened(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same rows with room for terms added since (new columns are empty)."""
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )


def _row_sums(matrix: sp.csr_matrix) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()


def _document_frequencies(matrix: sp.csr_matrix, alive: np.ndarray, width: int) -> np.ndarray:
    """How many live rows hold each term."""
    if not alive.all():
        matrix = matrix[np.flatnonzero(alive)]
    df: np.ndarray = np.bincount(matrix.indices, minlength=width).astype(np.int64)
    return df


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
