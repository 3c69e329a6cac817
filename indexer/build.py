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
from indexer.pieces import (
    BUNDLED_VECTORS,
    Pieces,
    blob_of,
    blob_rows,
    load_bundle,
    split_blobs,
)
from indexer.plans import IMPORT, Actor, Key
from indexer.records import KINDS, Document, Kind, documents_from_records, text_pieces
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
    """Blobs (`indexer.pieces`: a text's vector, then its pieces') of the texts, by content
    hash, that the cache has not seen whole with this model.

    A cached blob with fewer vectors than its text has pieces (a cache from before pieces, or
    a free text's from `CachedEmbedder`) is embedded again and replaced at once, since a commit
    keeps a blob the cache already holds. With `cache`, every blob is saved as it is made (an
    interrupted folder index resumes); otherwise new ones reach the store only with the write
    that needs them.
    """
    wanted = {h: t for h, t in texts.items() if not known or h not in known}
    sizes = store.cached_sizes(embedder.model_id, wanted)
    dimension = embedder.dimension
    pieces = {h: text_pieces(t) for h, t in wanted.items()}
    pending = [
        (h, t, pieces[h])
        for h, t in wanted.items()
        if blob_rows(sizes.get(h, 0), dimension) < 1 + len(pieces[h])
    ]
    fresh: dict[str, np.ndarray] = {}
    for start in range(0, len(pending), EMBED_BATCH * 8):
        chunk = pending[start : start + EMBED_BATCH * 8]
        made: dict[str, np.ndarray] = {}
        for batch_start in range(0, len(chunk), EMBED_BATCH):
            batch = chunk[batch_start : batch_start + EMBED_BATCH]
            # A text with its pieces, in one call: the model sees as many passages per call as
            # a batch of texts with pieces holds (about 3.8 per text in the sample).
            vectors = embedder.embed_passages([p for _, text, ps in batch for p in (text, *ps)])
            at = 0
            for digest, _, ps in batch:
                made[digest] = blob_of(vectors[at], vectors[at + 1 : at + 1 + len(ps)])
                at += 1 + len(ps)
            if progress:
                progress(len(batch), len(pending))
        if cache:
            store.cache_vectors(embedder.model_id, made)
        else:  # replace short blobs now: the commit keeps what the cache holds
            store.cache_vectors(embedder.model_id, {h: made[h] for h in made if h in sizes})
        fresh.update(made)
    return fresh


def cache_bundled(folder: Path, store: Store, model_id: str) -> int:
    """Cache the blobs the folder ships (`pieces.BUNDLED_VECTORS`) that the cache lacks; returns
    how many. Those of texts no record shows are forgotten with the write's clean-up."""
    bundled = load_bundle(folder / BUNDLED_VECTORS, model_id)
    sizes = store.cached_sizes(model_id, bundled)
    new = {h: blob for h, blob in bundled.items() if sizes.get(h, 0) < blob.size}
    store.cache_vectors(model_id, new)
    return len(new)


def vectors_of(
    documents: Sequence[Document],
    embedder: Embedder,
    store: Store,
    progress: Progress | None = None,
) -> tuple[np.ndarray, Pieces, int]:
    """A vector per document and its pieces' from the cache, embedding (and caching) only what
    it lacks. Returns (vectors, pieces, texts embedded)."""
    hashes = [d.content_hash for d in documents]
    texts = {d.content_hash: d.text for d in documents}
    fresh = embed_missing(texts, embedder, store, progress, cache=True)
    cached = store.cached_vectors(embedder.model_id, set(hashes) - set(fresh)) | fresh
    dimension = embedder.dimension
    blobs = [
        cached[d.content_hash][: dimension * (1 + len(text_pieces(d.text)))] for d in documents
    ]
    matrix, pieces = split_blobs(blobs, dimension)
    return matrix, pieces, len(fresh)
