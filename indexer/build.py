"""The indexing pipeline: data folder → store → embeddings (cached by content) → search index."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.embedders import Embedder
from indexer.index import SearchIndex
from indexer.loading import load_data_folder
from indexer.records import KINDS, Document, Record, documents_from_records
from indexer.store import Store, fingerprint_of

Progress = Callable[[int, int], None]  # (texts just embedded, texts to embed in all)
EMBED_BATCH = 32


@dataclass(frozen=True)
class Home:
    """Where tvaers keeps its state: the database and the derived index beside it."""

    path: Path
    database_url: str | None = None

    @property
    def index_dir(self) -> Path:
        return self.path / "index"

    def open_store(self) -> Store:
        self.path.mkdir(parents=True, exist_ok=True)
        return Store(self.database_url or f"sqlite:///{self.path / 'tvaers.db'}")


@dataclass(frozen=True)
class IndexReport:
    counts: dict[str, int]
    embedded: int  # texts sent to the model
    reused: int  # texts whose vectors came from the cache
    seconds: float
    index_type: str
    model_id: str


def index_data_folder(
    folder: Path, home: Home, embedder: Embedder, progress: Progress | None = None
) -> IndexReport:
    """Validate everything first; only then embed, write the store and swap in the new index."""
    started = time.perf_counter()
    dataset = load_data_folder(folder)
    documents = documents_from_records(dataset.records)
    store = home.open_store()
    try:
        before = {d.content_hash for d in documents_from_records(store.all_records())}
        vectors, embedded = embed_documents(documents, embedder, store, progress)
        store.replace_all(dataset.records)
        index = _save_index(home, documents, vectors, embedder, dataset.records)
        # A row removed from the files (a person who left) takes its cached vectors along, in
        # every model, as an erasure through the API does.
        store.forget_vectors(before - {d.content_hash for d in documents})
    finally:
        store.close()
    return _report(index, embedded, started)


def rebuild_index(home: Home, embedder: Embedder, progress: Progress | None = None) -> IndexReport:
    """Rebuild the derived index from the database (after edits, or a model change)."""
    started = time.perf_counter()
    store = home.open_store()
    try:
        records = store.all_records()
        documents = documents_from_records(records)
        vectors, embedded = embed_documents(documents, embedder, store, progress)
        index = _save_index(home, documents, vectors, embedder, records)
    finally:
        store.close()
    return _report(index, embedded, started)


def embed_documents(
    documents: Sequence[Document],
    embedder: Embedder,
    store: Store,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for the documents, embedding only texts the cache has not seen with this model."""
    hashes = [d.content_hash for d in documents]
    cached = store.cached_vectors(embedder.model_id, hashes)
    missing: dict[str, str] = {}
    for document, digest in zip(documents, hashes, strict=True):
        if digest not in cached:
            missing.setdefault(digest, document.text)
    pending = list(missing.items())
    for start in range(0, len(pending), EMBED_BATCH * 8):
        chunk = pending[start : start + EMBED_BATCH * 8]
        fresh: dict[str, np.ndarray] = {}
        for batch_start in range(0, len(chunk), EMBED_BATCH):
            batch = chunk[batch_start : batch_start + EMBED_BATCH]
            vectors = embedder.embed_passages([text for _, text in batch])
            fresh.update({digest: v for (digest, _), v in zip(batch, vectors, strict=True)})
            if progress:
                progress(len(batch), len(pending))
        store.cache_vectors(embedder.model_id, fresh)  # saved as we go: an interrupted run resumes
        cached.update(fresh)
    matrix = np.zeros((len(documents), embedder.dimension), dtype=np.float32)
    for row, digest in enumerate(hashes):
        matrix[row] = cached[digest]
    return matrix, len(pending)


def _save_index(
    home: Home,
    documents: list[Document],
    vectors: np.ndarray,
    embedder: Embedder,
    records: Sequence[Record],
) -> SearchIndex:
    index = SearchIndex.build(
        documents, vectors, model_id=embedder.model_id, store_fingerprint=fingerprint_of(records)
    )
    index.save(home.index_dir)
    return index


def _report(index: SearchIndex, embedded: int, started: float) -> IndexReport:
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    for document in index.documents:
        counts[document.kind] += 1
    return IndexReport(
        counts=counts,
        embedded=embedded,
        reused=len(index.documents) - embedded,
        seconds=time.perf_counter() - started,
        index_type=index.meta.dense.type,
        model_id=index.meta.model_id,
    )
