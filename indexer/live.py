"""The live index: a cache of the database that follows its change log.

It opens the newest snapshot on local disk (or builds one from the database), then applies the
log after the snapshot's revision, a small batch at a time. Each batch gives a new immutable
`SearchIndex`; `current` is swapped in one assignment, so searches never wait, and every
subscriber (a cache of what a version implies) is told of it once before. In a service, a
follower thread polls the log and a maintenance thread writes snapshots and compacts, both in the
background. Any number of processes, on one home folder or many, can follow one database.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer import faults
from indexer.build import Home, IndexReport, Progress, cache_bundled, index_folder, vectors_of
from indexer.dense import EXACT_SEARCH_LIMIT
from indexer.embedders import Embedder
from indexer.errors import IndexNotFoundError, ModelMismatchError
from indexer.index import FORMAT_VERSION, SearchIndex
from indexer.records import Document, documents_from_records
from indexer.snapshots import clean, current_meta, load_newest, write_snapshot
from indexer.store import RESET, Plan, Store, Written

log = logging.getLogger("tvaers.live")
# Told each new index version once, before any reader can get it (`LiveIndex.subscribe`).
Subscriber = Callable[[SearchIndex], None]


@dataclass(frozen=True)
class LivePolicy:
    """When to apply, rebuild, snapshot and compact (defaults measured in `make bench`)."""

    follow_interval: float = 0.5  # seconds between polls of the log
    batch: int = 256  # log entries applied at once: the most a reader's view lags in one step
    rebuild_above: int = 20_000  # a tail longer than this is rebuilt from the records instead
    rebuild_share: float = 0.25  # ... or longer than this share of the index
    snapshot_after_changes: int = 2_000
    snapshot_max_age: float = 600.0  # seconds a change may wait for a snapshot
    erasure_snapshot_delay: float = 60.0  # a deletion reaches the disk's snapshot this soon
    compact_dead_share: float = 0.2  # tombstones above this share trigger a compaction
    compact_added_rows: int = 20_000  # rows outside FAISS (searched exactly) above this too
    exact_search_limit: int = EXACT_SEARCH_LIMIT


class LiveIndex:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        index_dir: Path,
        index: SearchIndex,
        policy: LivePolicy,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.index_dir = index_dir
        self.policy = policy
        self._current = index
        self._subscribers: list[Subscriber] = []
        self._offered: dict[int, Written] = {}  # this process's writes, by revision
        self._apply_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._published = threading.Condition()
        self._nudge = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._snapshot_revision = index.revision
        self._snapshot_at = time.monotonic()
        self._erased_since_snapshot = False

    @classmethod
    def open(
        cls,
        store: Store,
        embedder: Embedder,
        index_dir: Path,
        policy: LivePolicy | None = None,
        progress: Progress | None = None,
        *,
        new_model: bool = False,
    ) -> LiveIndex:
        """The newest snapshot caught up with the log; built from the records when there is none
        that fits this database (a crash, a new replica, another database). A snapshot of
        another model is refused, or rebuilt with this one when `new_model` (`tvaers index`)."""
        policy = policy or LivePolicy()
        clean(index_dir)
        head = store.head()
        index = load_newest(index_dir)
        if index is not None and (
            index.meta.log_id != head.log_id or index.revision > head.revision
        ):
            log.warning("snapshot is of another database or from its future; rebuilding")
            index = None
        if index is not None and index.meta.model_id != embedder.model_id:
            if not new_model:
                raise ModelMismatchError(index.meta.model_id, embedder.model_id)
            # Every index rebuilds; this one's snapshot is then the newest, in the new model.
            store.commit(lambda _: Plan(reset=True), embedder.model_id, {})
            head, index = store.head(), None
        if index is None:
            if head.revision == 0 and store.is_empty():
                raise IndexNotFoundError(str(index_dir.parent))
            index = build_from_store(store, embedder, policy.exact_search_limit, progress)
            write_snapshot(index_dir, index)
        live = cls(store, embedder, index_dir, index, policy)
        live.catch_up()
        if live._erased_since_snapshot:  # the disk's snapshot holds someone erased since
            live.snapshot()
        return live

    @property
    def current(self) -> SearchIndex:
        """The newest version; reading it changes nothing (caches learn by `subscribe`)."""
        return self._current

    def subscribe(self, subscriber: Subscriber) -> None:
        """Tell `subscriber` of every new version, once, before `current` and `wait_for` show
        it: a cache that may hold what a change removed (an erased person's name) is emptied
        before any reader can see the change. A subscriber must be quick and never wait for
        the index (it runs while versions are published)."""
        with self._published:
            self._subscribers.append(subscriber)

    # Following the log -------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply every log entry after the current revision; returns how many were applied."""
        applied = 0
        with self._apply_lock:
            while True:
                index = self._current
                changes = self.store.changes_after(index.revision, self.policy.batch)
                if not changes:
                    return applied
                keys = {(kind, id_) for _, kind, id_ in changes}
                if RESET in keys or self._tail_too_long(index, len(changes)):
                    self._publish(self._rebuilt())
                    self._erased_since_snapshot = True
                    continue
                self._publish(self._applied(index, keys, changes[-1][0], self._offer_of(changes)))
                applied += len(keys)

    def offer(self, written: Written) -> None:
        """A write of this process hands over what it stored: applying its revision then
        reads no record (the write read each once). Other revisions are read from the store."""
        if written.changed and not written.plan.reset:
            with self._published:
                self._offered[written.revision] = written

    def wait_for(self, revision: int, timeout: float = 10.0) -> bool:
        """Block until the index shows `revision` (a write's own answer reads its write)."""
        deadline = time.monotonic() + timeout
        if not self._threads:
            self.catch_up()
        with self._published:
            while self._current.revision < revision:
                self._nudge.set()
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning(
                        "index at revision %d, still not %d", self._current.revision, revision
                    )
                    return False
                self._published.wait(min(left, 0.05))
        return True

    def follow(self) -> None:
        """Start the follower and maintenance threads (a service; the CLI catches up once)."""
        if self._threads:
            return
        self._stop.clear()  # following again after a close (an app's lifespan can restart)
        for target, name in ((self._follow, "follower"), (self._maintain, "maintenance")):
            thread = threading.Thread(target=target, name=f"tvaers-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        """Stop following; a snapshot still holding someone erased is replaced first."""
        self._stop.set()
        self._nudge.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()
        if self._erased_since_snapshot:
            self.snapshot()

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._nudge.wait(self.policy.follow_interval)
            self._nudge.clear()
            if self._stop.is_set():
                return
            try:
                self.catch_up()
            except Exception:  # the database may be away for a moment; try again
                log.exception("following the change log failed; retrying")
                self._stop.wait(1.0)

    def _tail_too_long(self, index: SearchIndex, batch: int) -> bool:
        if batch < self.policy.batch:
            return False
        pending = self.store.pending_changes(index.revision)
        limit = min(self.policy.rebuild_above, max(1_000, self.policy.rebuild_share * index.size))
        return pending > limit

    def _offer_of(self, changes: list[tuple[int, str, str]]) -> Written | None:
        """The write offered for these changes, if they are one revision (and older offers,
        which other paths applied, are dropped)."""
        first, last = changes[0][0], changes[-1][0]
        with self._published:
            for revision in [r for r in self._offered if r < first]:
                del self._offered[revision]
            return self._offered.pop(first, None) if first == last else None

    def _applied(
        self,
        index: SearchIndex,
        keys: set[tuple[str, str]],
        revision: int,
        offered: Written | None = None,
    ) -> SearchIndex:
        documents = _documents_written(offered, keys) if offered is not None else None
        if documents is None:
            documents = _documents_of(self.store, keys)
        vectors, pieces, embedded = vectors_of(documents, self.embedder, self.store)
        if embedded:  # the writer's vectors were forgotten meanwhile (a later erasure)
            log.info("embedded %d texts missing from the cache", embedded)
        gone = [f"{kind}:{id_}" for kind, id_ in keys]
        if len(documents) < len(keys):
            self._erased_since_snapshot = True
        faults.reach("live:before-apply")
        return index.applied(gone, documents, vectors, revision=revision, add_pieces=pieces)

    def _rebuilt(self) -> SearchIndex:
        return build_from_store(self.store, self.embedder, self.policy.exact_search_limit)

    def _publish(self, index: SearchIndex) -> None:
        with self._published:
            for subscriber in self._subscribers:
                subscriber(index)
            self._current = index
            self._published.notify_all()

    # Maintenance -------------------------------------------------------------------------

    def snapshot(self) -> Path | None:
        """Write the current index as a snapshot (skipped when one as new is current)."""
        with self._snapshot_lock:
            index = self._current
            folder = write_snapshot(self.index_dir, index)
            self._snapshot_revision = index.revision
            self._snapshot_at = time.monotonic()
            if self._current is index:  # else a newer version may hold a newer erasure
                self._erased_since_snapshot = False
            return folder

    def compact(self) -> None:
        """Rebuild without tombstones and with every row in FAISS, aside; then catch the new
        index up with what was applied meanwhile and swap it in."""
        compacted = self._current.compacted()
        with self._apply_lock:
            while True:
                changes = self.store.changes_after(compacted.revision, self.policy.batch)
                if not changes:
                    break
                keys = {(kind, id_) for _, kind, id_ in changes}
                if RESET in keys:
                    compacted = self._rebuilt()
                    continue
                compacted = self._applied(compacted, keys, changes[-1][0])
            self._publish(compacted)

    def maintain_once(self) -> None:
        index = self._current
        policy = self.policy
        if index.dead > policy.compact_dead_share * max(index.size, 1) or (
            index.size - index.dense_rows > policy.compact_added_rows
        ):
            self.compact()
            index = self._current
        behind = index.revision - self._snapshot_revision
        if behind <= 0:
            return
        age = time.monotonic() - self._snapshot_at
        if (
            behind >= policy.snapshot_after_changes
            or age >= policy.snapshot_max_age
            or (self._erased_since_snapshot and age >= policy.erasure_snapshot_delay)
        ):
            self.snapshot()

    def _maintain(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.maintain_once()
            except Exception:
                log.exception("index maintenance failed; retrying")


def build_from_store(
    store: Store,
    embedder: Embedder,
    exact_search_limit: int = EXACT_SEARCH_LIMIT,
    progress: Progress | None = None,
) -> SearchIndex:
    """The whole index from the records, at the revision read before them (the log replays the
    rest); vectors come from the cache, embedding only what it lacks."""
    return _build(store, embedder, exact_search_limit, progress)[0]


def _build(
    store: Store, embedder: Embedder, exact_search_limit: int, progress: Progress | None
) -> tuple[SearchIndex, int]:
    head = store.head()
    documents = documents_from_records(store.all_records())
    vectors, pieces, embedded = vectors_of(documents, embedder, store, progress)
    index = SearchIndex.build(
        documents,
        vectors,
        pieces=pieces,
        model_id=embedder.model_id,
        revision=head.revision,
        log_id=head.log_id,
        exact_search_limit=exact_search_limit,
    )
    return index, embedded


def _documents_of(store: Store, keys: set[tuple[str, str]]) -> list[Document]:
    """The documents of these records as they are now (deleted ones have none)."""
    records = store.records_by_keys(keys)
    units = {r.id: r for r in records if r.kind == "unit"}
    missing = {r.get("unit_id") for r in records if r.kind != "unit"} - set(units)
    units.update({r.id: r for r in store.records_by_keys(("unit", u) for u in missing)})
    shown = [r for r in records if r.kind == "unit" or r.get("unit_id") in units]
    context = list(units.values()) + [r for r in shown if r.kind != "unit"]
    return [d for d in documents_from_records(context) if (d.kind, d.id) in keys]


def _documents_written(written: Written, keys: set[tuple[str, str]]) -> list[Document] | None:
    """The documents of a revision from the write that made it (None: a unit it did not read)."""
    records = [r for kind, id_ in keys if (r := written.record(kind, id_)) is not None]
    units = {r.id: r for r in records if r.kind == "unit"}
    for unit_id in {r.get("unit_id") for r in records if r.kind != "unit"} - set(units):
        unit = written.record("unit", unit_id)
        if unit is None:
            return None
        units[unit_id] = unit
    context = list(units.values()) + [r for r in records if r.kind != "unit"]
    return [d for d in documents_from_records(context) if (d.kind, d.id) in keys]


def index_data_folder(
    folder: Path, home: Home, embedder: Embedder, progress: Progress | None = None
) -> IndexReport:
    """`tvaers index`: write the folder's differences to the database as one revision, then
    bring this home's snapshot up to date (services on the database follow the log)."""
    store = home.open_store()
    try:
        cache_bundled(folder, store, embedder.model_id)
        report = index_folder(folder, store, embedder, progress)
        report = dataclasses.replace(report, swept_vectors=store.forget_unused_vectors())
        clean(home.index_dir)  # what a crash left: staging folders, older snapshots
        head, meta = store.head(), current_meta(home.index_dir)
        if meta is None or (meta.revision, meta.log_id, meta.model_id, meta.format_version) != (
            head.revision,
            head.log_id,
            embedder.model_id,
            FORMAT_VERSION,  # a snapshot of an older format is rebuilt (and its cache upgraded)
        ):
            live = LiveIndex.open(
                store, embedder, home.index_dir, progress=progress, new_model=True
            )
            live.snapshot()
            meta = live.current.meta
    finally:
        store.close()
    return dataclasses.replace(report, index_type=meta.dense.type)


def rebuild_index(home: Home, embedder: Embedder, progress: Progress | None = None) -> IndexReport:
    """`tvaers reindex`: a revision that tells every index to rebuild from the records (after a
    model change, say), and a new snapshot here."""
    started = time.perf_counter()
    store = home.open_store()
    try:
        revision = store.commit(lambda _: Plan(reset=True), embedder.model_id, {}).revision
        index, embedded = _build(store, embedder, EXACT_SEARCH_LIMIT, progress)
        write_snapshot(home.index_dir, index)
    finally:
        store.close()
    return IndexReport(
        counts=dict(index.counts),
        embedded=embedded,
        reused=index.meta.count - embedded,
        changed=0,
        revision=revision,
        seconds=time.perf_counter() - started,
        index_type=index.meta.dense.type,
        model_id=index.meta.model_id,
    )
