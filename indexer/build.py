"""Writing to the database: a data folder, or one record, committed as one log revision each.

Texts are embedded before the transaction (outside any lock a search needs); the transaction
re-checks the rules against the records as they are then, writes records, vectors and the log
entry together, and forgets vectors no record shows any more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.embedders import Embedder
from indexer.errors import TvaersError
from indexer.loading import load_data_folder
from indexer.plans import IMPORT, Actor, Key
from indexer.records import KINDS, Document, Kind, documents_from_records
from indexer.store import (
    MissingVectors,
    Plan,
    Reader,
    Store,
    StoredRecord,
    Written,
    fields_json,
)

Progress = Callable[[int, int], None]  # (texts just embedded, texts to embed in all)
EMBED_BATCH = 32
WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class Home:
    """Where tvaers keeps its state: the database and the derived index beside it."""

    path: Path
    database_url: str | None = None

    @property
    def index_dir(self) -> Path:
        return self.path / "index"

    @property
    def synonyms_file(self) -> Path:
        """The admins' synonym list (`engine.synonyms`): one group per line."""
        return self.path / "synonyms.txt"

    @property
    def url(self) -> str:
        """The database: TVAERS_DATABASE_URL's, else SQLite in the home folder."""
        return self.database_url or f"sqlite:///{self.path / 'tvaers.db'}"

    def open_store(self) -> Store:
        """The database, upgraded to the newest schema if it is older (`indexer.migrations`)."""
        self.path.mkdir(parents=True, exist_ok=True)
        return Store(self.url)


@dataclass(frozen=True)
class IndexReport:
    counts: dict[str, int]
    embedded: int  # texts sent to the model
    reused: int  # texts whose vectors came from the cache
    changed: int  # records written or deleted (0 for an unchanged folder)
    revision: int
    seconds: float
    index_type: str = ""
    model_id: str = ""
    swept_vectors: int = 0  # cached vectors no record showed (a crash's, pairing runs')


def index_folder(
    folder: Path, store: Store, embedder: Embedder, progress: Progress | None = None
) -> IndexReport:
    """Make the database hold exactly the folder's records; only differences are written.

    Everything is validated before anything is embedded or written. The import is the
    writer: its changes are audited and confirmed by "import" (`indexer.steps`).
    """
    started = time.perf_counter()
    dataset = load_data_folder(folder)
    records = dataset.records
    documents = documents_from_records(records)
    texts = {d.content_hash: d.text for d in documents}
    fresh = embed_missing(texts, embedder, store, progress, cache=True)

    def plan(reader: Reader) -> Plan:
        stored = reader.all_hashes()
        upserts = [
            StoredRecord(r, d.content_hash)
            for r, d in zip(records, documents, strict=True)
            if stored.get((r.kind, r.id)) != (fields_json(r), d.content_hash)
        ]
        wanted = {(r.kind, r.id) for r in records}
        deletes: list[tuple[Kind, str]] = [
            (kind, id_)  # type: ignore[misc]  # kinds come from the records table
            for kind, id_ in stored
            if (kind, id_) not in wanted
        ]
        return Plan(
            upserts, deletes, texts={s.content_hash: texts[s.content_hash] for s in upserts}
        )

    written = commit_plan(store, embedder, plan, fresh)
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    for record in records:
        counts[record.kind] += 1
    return IndexReport(
        counts=counts,
        embedded=len(fresh),
        reused=len(texts) - len(fresh),
        changed=written.changed,
        revision=written.revision,
        seconds=time.perf_counter() - started,
        model_id=embedder.model_id,
    )


def commit_plan(
    store: Store,
    embedder: Embedder,
    plan: Callable[[Reader], Plan],
    vectors: dict[str, np.ndarray] | None = None,
    *,
    actor: Actor = IMPORT,
    confirmed: Sequence[Key] = (),
) -> Written:
    """The one write path: plan on the records as they are, embed what the plan needs (outside
    the transaction), commit with every dependent step (`Store.commit`); plan again if the
    records changed meanwhile so that the plan needs other texts."""
    vectors = dict(vectors or {})
    for _ in range(WRITE_ATTEMPTS):
        prepared = store.prepare(plan)
        vectors.update(embed_missing(prepared.plan.texts, embedder, store, known=vectors))
        try:
            return store.commit(
                plan,
                embedder.model_id,
                vectors,
                actor=actor,
                confirmed=confirmed,
                prepared=prepared,
            )
        except MissingVectors:
            continue
    raise TvaersError("Posten blev ændret af andre undervejs flere gange i træk. Prøv igen.")


def embed_missing(
    texts: dict[str, str],
    embedder: Embedder,
    store: Store,
    progress: Progress | None = None,
    *,
    cache: bool = False,
    known: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Vectors of the texts (by content hash) that the cache has not seen with this model.

    With `cache`, they are saved as they are made (an interrupted folder index resumes);
    otherwise they reach the store only with the write that needs them.
    """
    wanted = {h: t for h, t in texts.items() if not known or h not in known}
    cached = store.cached_hashes(embedder.model_id, wanted)
    pending = [(h, t) for h, t in wanted.items() if h not in cached]
    fresh: dict[str, np.ndarray] = {}
    for start in range(0, len(pending), EMBED_BATCH * 8):
        chunk = pending[start : start + EMBED_BATCH * 8]
        made: dict[str, np.ndarray] = {}
        for batch_start in range(0, len(chunk), EMBED_BATCH):
            batch = chunk[batch_start : batch_start + EMBED_BATCH]
            vectors = embedder.embed_passages([text for _, text in batch])
            made.update({digest: v for (digest, _), v in zip(batch, vectors, strict=True)})
            if progress:
                progress(len(batch), len(pending))
        if cache:
            store.cache_vectors(embedder.model_id, made)
        fresh.update(made)
    return fresh


def vectors_of(
    documents: Sequence[Document],
    embedder: Embedder,
    store: Store,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """A vector per document from the cache, embedding (and caching) only what it lacks."""
    hashes = [d.content_hash for d in documents]
    texts = {d.content_hash: d.text for d in documents}
    fresh = embed_missing(texts, embedder, store, progress, cache=True)
    cached = store.cached_vectors(embedder.model_id, set(hashes) - set(fresh)) | fresh
    matrix = np.zeros((len(documents), embedder.dimension), dtype=np.float32)
    for row, digest in enumerate(hashes):
        matrix[row] = cached[digest]
    return matrix, len(fresh)
