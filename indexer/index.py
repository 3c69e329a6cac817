"""The search index: documents, vectors, FAISS and BM25, stamped with the store revision it shows.

A `SearchIndex` never changes once made. A write gives a new one (`applied`) that shares the large
parts: FAISS over the rows it was built with, and the term counts of those rows. Later rows are
searched exactly, dead rows are tombstones, and `compacted` folds both away in the background.
Readers therefore never wait for a writer, and a write costs the size of the write.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer.analysis import fold, terms
from indexer.dense import (
    EXACT_SEARCH_LIMIT,
    DenseSpec,
    build_dense,
    choose_spec,
    load_dense,
    save_dense,
    search_dense,
    with_rows_zeroed,
)
from indexer.errors import IndexNotFoundError, TvaersError
from indexer.lexical import LexicalIndex
from indexer.pieces import Pieces
from indexer.records import Document

# 3: lexical rows from Document.words, hyphenated words also as parts; 4: piece vectors
FORMAT_VERSION = 4
FACETS = ("kind", "organisation", "sector", "area")
DOCUMENTS_PER_LINE = 500  # the JSON of a snapshot is written in pieces, so searches keep running


@dataclasses.dataclass(frozen=True)
class IndexMeta:
    model_id: str
    dimension: int
    dense: DenseSpec
    count: int
    revision: int  # the store revision this index shows
    log_id: str  # which store's log (a snapshot of another database is never used)
    built_at: float
    exact_search_limit: int = EXACT_SEARCH_LIMIT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexMeta:
        dense = DenseSpec(**data.pop("dense"))
        return cls(dense=dense, **data)


class _Vectors:
    """An append-only buffer: versions share it, each seeing its first n rows."""

    def __init__(self, data: np.ndarray) -> None:
        # Room to grow, allocated now: a first write must not copy every vector (150 MB at 100k).
        self.length = len(data)
        self.data = np.zeros(
            (self.length + max(1024, self.length // 20), data.shape[1]), np.float32
        )
        self.data[: self.length] = data

    def extended(self, length: int, new: np.ndarray) -> _Vectors:
        """Rows [0, length) and then `new`, in place when nobody has appended past `length`."""
        end = length + len(new)
        if length == self.length and end <= len(self.data):
            self.data[length:end] = new
            self.length = end
            return self
        grown = np.zeros((max(end, int(end * 1.5) + 64), self.data.shape[1]), dtype=np.float32)
        grown[:length] = self.data[:length]
        grown[length:end] = new
        fresh = _Vectors(grown)
        fresh.length = end
        return fresh


class _PieceRows:
    """Each row's piece vectors: an append-only buffer that versions share, and where each
    row's pieces lie in it (dead rows' stay in memory until `compacted`, never on disk)."""

    def __init__(self, buffer: _Vectors, used: int, starts: np.ndarray, counts: np.ndarray):
        self.buffer = buffer
        self.used = used  # this version's length of the buffer
        self.starts = starts
        self.counts = counts

    @classmethod
    def of(cls, pieces: Pieces) -> _PieceRows:
        counts = np.asarray(pieces.counts, dtype=np.int64)
        starts = np.cumsum(counts) - counts
        return cls(_Vectors(pieces.vectors), len(pieces.vectors), starts, counts)

    def extended(self, pieces: Pieces) -> _PieceRows:
        buffer = self.buffer.extended(self.used, np.asarray(pieces.vectors, dtype=np.float32))
        counts = np.asarray(pieces.counts, dtype=np.int64)
        starts = self.used + np.cumsum(counts) - counts
        return _PieceRows(
            buffer,
            self.used + len(pieces.vectors),
            np.concatenate([self.starts, starts]),
            np.concatenate([self.counts, counts]),
        )

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Buffer positions of these rows' pieces, in row order, and how many each row has."""
        counts = self.counts[rows]
        begins = np.cumsum(counts) - counts
        positions = np.repeat(self.starts[rows] - begins, counts) + np.arange(int(counts.sum()))
        return positions, counts

    def of_rows(self, rows: np.ndarray) -> Pieces:
        positions, counts = self.positions(rows)
        return Pieces(self.buffer.data[positions], counts)


class SearchIndex:
    """Everything a search needs, in memory. Rows are positions shared by all parts."""

    def __init__(
        self,
        documents: list[Document | None],
        vectors: np.ndarray | _Vectors,
        lexical: LexicalIndex,
        meta: IndexMeta,
        dense: Any = None,
        *,
        facets: dict[str, tuple[dict[str, int], np.ndarray]] | None = None,
        rows: _Rows | None = None,
        pieces: Pieces | _PieceRows | None = None,
    ) -> None:
        self.documents = documents
        self._buffer = vectors if isinstance(vectors, _Vectors) else _Vectors(vectors)
        if pieces is None:
            pieces = Pieces.none(len(documents), self._buffer.data.shape[1])
        self._pieces = pieces if isinstance(pieces, _PieceRows) else _PieceRows.of(pieces)
        self.lexical = lexical
        self.meta = meta
        self.dense = dense if dense is not None else build_dense(self.vectors, meta.dense)
        if rows is None:
            rows = _Rows({d.key: i for i, d in enumerate(documents) if d is not None})
        self._rows = rows
        self.facets = facets if facets is not None else _facet_codes(documents)

    @classmethod
    def build(
        cls,
        documents: list[Document],
        vectors: np.ndarray,
        *,
        model_id: str,
        revision: int = 0,
        log_id: str = "",
        exact_search_limit: int = EXACT_SEARCH_LIMIT,
        pieces: Pieces | None = None,
    ) -> SearchIndex:
        """`pieces`: the documents' piece vectors (`indexer.pieces`), none by default."""
        meta = IndexMeta(
            model_id=model_id,
            dimension=int(vectors.shape[1]),
            dense=choose_spec(len(documents), exact_search_limit),
            count=len(documents),
            revision=revision,
            log_id=log_id,
            built_at=time.time(),
            exact_search_limit=exact_search_limit,
        )
        lexical = LexicalIndex.from_terms([terms(d.words) for d in documents])
        return cls(list(documents), vectors, lexical, meta, pieces=pieces)

    # Reading -----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Rows, dead ones included."""
        return len(self.documents)

    @property
    def vectors(self) -> np.ndarray:
        return self._buffer.data[: self.size]

    def similarity(self, rows: np.ndarray, query: np.ndarray, piece_share: float) -> np.ndarray:
        """The rows' cosine to the query, raised by `piece_share` of how far their best piece's
        exceeds it: a paraphrase of one sentence of a visitkort finds it, though the
        document's one vector blurs that sentence with the others. Never below the cosine."""
        rows = np.asarray(rows, dtype=np.int64)
        cosine: np.ndarray = self.vectors[rows] @ query
        if piece_share == 0 or not len(rows):
            return cosine
        positions, counts = self._pieces.positions(rows)
        has = counts > 0
        if not len(positions):
            return cosine
        # np.take and einsum: a fancy-index gather is 3x slower, and OpenBLAS's threaded
        # matrix-vector product took 20-30 ms for 3,000 pieces on a loaded 2-core machine
        # (einsum: under 1 ms).
        pieces = np.take(self._pieces.buffer.data, positions, axis=0)
        scores = np.einsum("ij,j->i", pieces, query)
        begins = np.cumsum(counts[has]) - counts[has]
        gain = np.zeros_like(cosine)
        gain[has] = np.maximum(np.maximum.reduceat(scores, begins) - cosine[has], 0.0)
        raised: np.ndarray = cosine + np.float32(piece_share) * gain
        return raised

    def piece_vectors(self, rows: np.ndarray) -> Pieces:
        """The piece vectors of these rows, in order (to build another index of them)."""
        return self._pieces.of_rows(np.asarray(rows, dtype=np.int64))

    @property
    def alive(self) -> np.ndarray:
        return self.lexical.alive

    @property
    def revision(self) -> int:
        return self.meta.revision

    @property
    def dense_rows(self) -> int:
        """Rows held by FAISS; later rows are searched exactly."""
        return int(self.dense.ntotal)

    @property
    def dead(self) -> int:
        return self.size - self.meta.count

    @cached_property
    def counts(self) -> dict[str, int]:
        """Live documents per kind."""
        lookup, codes = self.facets["kind"]
        live = codes[self.alive]
        return {kind: int((live == code).sum()) for kind, code in lookup.items() if kind}

    def live_documents(self) -> Iterator[Document]:
        return (d for d in self.documents if d is not None)

    def row_of(self, key: str) -> int | None:
        return self._rows.get(key)

    def document(self, key: str) -> Document | None:
        row = self._rows.get(key)
        return None if row is None else self.documents[row]

    def facet_is(self, facet: str, value: str) -> np.ndarray:
        """Live rows whose facet has this (folded) value."""
        lookup, codes = self.facets[facet]
        selected: np.ndarray = (codes == lookup.get(value, -1)) & self.alive
        return selected

    def nearest(
        self, query: np.ndarray, k: int, among: np.ndarray | None = None, fetch: int | None = None
    ) -> np.ndarray:
        """Rows of the k live vectors closest to the query (optionally only rows in `among`).

        FAISS answers for its rows (asked for `fetch` to leave room for `among`), and later rows
        are scored exactly; the two are merged by score.
        """
        rows = self.nearest_first(query, fetch or k)
        if among is not None:
            rows = rows[among[rows]]
        top: np.ndarray = rows[:k]
        return top

    def nearest_first(self, query: np.ndarray, fetch: int) -> np.ndarray:
        """The `fetch` live rows FAISS finds closest, with every later row, closest first.

        Its first k rows are `nearest(query, k)` for any k up to `fetch`: HNSW explores as
        many candidates (efSearch) whatever k below it, so one search can serve a search
        with and without filters."""
        rows, scores = search_dense(self.dense, query, fetch, self._dense_selector)
        later = np.arange(self.dense_rows, self.size)
        later = later[self.alive[later]]
        if len(later):
            rows = np.concatenate([rows, later])
            scores = np.concatenate([scores, self.vectors[later] @ query])
        ordered: np.ndarray = rows[np.argsort(-scores, kind="stable")]
        return ordered

    @cached_property
    def _dense_selector(self) -> Any:
        """FAISS skips tombstones itself: results stay exact however many rows are dead."""
        alive = self.alive[: self.dense_rows]
        if alive.all():
            return None
        return _Selector(alive)

    # Writing -----------------------------------------------------------------------------

    def applied(
        self,
        remove_keys: Sequence[str],
        add_documents: Sequence[Document],
        add_vectors: np.ndarray,
        *,
        revision: int,
        add_pieces: Pieces | None = None,
    ) -> SearchIndex:
        """A new index with these keys gone and these documents added (an upsert removes first).
        `add_pieces`: the added documents' piece vectors, none by default."""
        keys = {*remove_keys, *(d.key for d in add_documents)}
        gone = [row for k in keys if (row := self._rows.get(k)) is not None]
        documents: list[Document | None] = list(self.documents)
        for row in gone:
            documents[row] = None
        documents.extend(add_documents)
        buffer = self._buffer.extended(self.size, np.asarray(add_vectors, dtype=np.float32))
        if add_pieces is None:
            add_pieces = Pieces.none(len(add_documents), buffer.data.shape[1])
        pieces = self._pieces.extended(add_pieces)
        lexical = self.lexical.applied(gone, [terms(d.words) for d in add_documents])
        meta = dataclasses.replace(
            self.meta, count=self.meta.count - len(gone) + len(add_documents), revision=revision
        )
        facets = _facet_codes(add_documents, self.facets)
        added = {d.key: self.size + i for i, d in enumerate(add_documents)}
        rows = self._rows.changed(dict.fromkeys(keys) | added)
        return SearchIndex(
            documents, buffer, lexical, meta, self.dense, facets=facets, rows=rows, pieces=pieces
        )

    def compacted(self) -> SearchIndex:
        """Only live rows, all in FAISS: what a rebuild at this revision would give."""
        live = np.flatnonzero(self.alive)
        documents = [d for d in self.documents if d is not None]
        meta = dataclasses.replace(
            self.meta,
            dense=choose_spec(len(documents), self.meta.exact_search_limit),
            count=len(documents),
            built_at=time.time(),
        )
        vectors = self.vectors[live]
        pieces = self._pieces.of_rows(live)
        return SearchIndex(
            list(documents), vectors.copy(), self.lexical.compacted(), meta, pieces=pieces
        )

    def save(self, folder: Path) -> None:
        """Write into an empty folder, meta.json last. Dead rows are saved blank: an erased
        record's text, words, vector and pieces never reach the disk."""
        folder.mkdir(parents=True)
        with (folder / "documents.jsonl").open("w", encoding="utf-8") as out:
            for start in range(0, self.size, DOCUMENTS_PER_LINE):
                chunk = self.documents[start : start + DOCUMENTS_PER_LINE]
                rows = [None if d is None else _document_json(d) for d in chunk]
                out.write(json.dumps(rows, ensure_ascii=False) + "\n")
        vectors = np.where(self.alive[:, None], self.vectors, np.float32(0.0))
        np.save(folder / "vectors.npy", vectors)
        live = np.flatnonzero(self.alive)
        pieces = self._pieces.of_rows(live)
        counts = np.zeros(self.size, dtype=np.int64)
        counts[live] = pieces.counts
        np.save(folder / "pieces.npy", pieces.vectors)
        np.save(folder / "piece_counts.npy", counts)
        dense = self.dense
        dead = np.flatnonzero(~self.alive[: self.dense_rows])
        if len(dead):
            dense = with_rows_zeroed(dense, dead)
        save_dense(dense, folder / "dense.faiss")
        self.lexical.save(folder)
        _sync_folder(folder)
        (folder / "meta.json").write_text(json.dumps(self.meta.to_json(), indent=2))
        _sync_folder(folder)

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        meta_path = folder / "meta.json"
        if not meta_path.exists():
            raise IndexNotFoundError(str(folder.parent))
        data = json.loads(meta_path.read_text())
        if data.get("format_version") != FORMAT_VERSION:
            raise TvaersError(f"Indekset i {folder} har et andet format. Kør `tvaers reindex`.")
        meta = IndexMeta.from_json(data)
        documents: list[Document | None] = []
        with (folder / "documents.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                documents.extend(None if d is None else Document(**d) for d in json.loads(line))
        vectors = np.load(folder / "vectors.npy")
        pieces = Pieces(np.load(folder / "pieces.npy"), np.load(folder / "piece_counts.npy"))
        dense = load_dense(folder / "dense.faiss", meta.dense)
        return cls(documents, vectors, LexicalIndex.load(folder), meta, dense, pieces=pieces)


_DOCUMENT_FIELDS = [f.name for f in dataclasses.fields(Document)]


def _document_json(document: Document) -> dict[str, Any]:
    """`dataclasses.asdict` deep-copies every value: 80 times slower at 100k documents."""
    return {name: getattr(document, name) for name in _DOCUMENT_FIELDS}


class _Rows:
    """Key → row: the rows of the last build, plus what changed since (copied per change)."""

    def __init__(self, base: dict[str, int], since: dict[str, int | None] | None = None) -> None:
        self._base = base
        self._since = since or {}

    def get(self, key: str) -> int | None:
        if key in self._since:
            return self._since[key]
        return self._base.get(key)

    def changed(self, changes: dict[str, int | None]) -> _Rows:
        return _Rows(self._base, self._since | changes)


class _Selector:
    """FAISS's bitmap selector, holding on to the bits it points into."""

    def __init__(self, alive: np.ndarray) -> None:
        self.bits = np.packbits(alive, bitorder="little")
        self.selector = faiss.IDSelectorBitmap(len(alive), faiss.swig_ptr(self.bits))


def _facet_codes(
    documents: Sequence[Document | None],
    previous: dict[str, tuple[dict[str, int], np.ndarray]] | None = None,
) -> dict[str, tuple[dict[str, int], np.ndarray]]:
    """Integer codes per facet and row: comparing ints over 100k rows is cheap, strings are not.

    Extends `previous` (whose lookups are copied only when a new value appears).
    """
    codes: dict[str, tuple[dict[str, int], np.ndarray]] = {}
    for facet in FACETS:
        lookup, old = previous[facet] if previous else ({}, np.zeros(0, dtype=np.int32))
        values = [_facet_value(d, facet) for d in documents]
        if any(v not in lookup for v in values):
            lookup = dict(lookup)
        new = np.array([lookup.setdefault(v, len(lookup)) for v in values], dtype=np.int32)
        codes[facet] = (lookup, np.concatenate([old, new]))
    return codes


def _facet_value(document: Document | None, facet: str) -> str:
    if document is None:
        return ""
    value: str = getattr(document, facet)
    return value if facet == "kind" else fold(value)


def _sync_folder(folder: Path) -> None:
    """Flush what was written in the folder, so a snapshot marked complete is complete."""
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
