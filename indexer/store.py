"""The database: the source of truth for records, the embedding cache, and the change log.

SQLite in the home folder by default; any SQLAlchemy URL (PostgreSQL) works. Every write commits
its records, the vectors of their texts and one log revision in a single transaction, so a search
index anywhere can follow the database by reading the log after the revision it shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa

from indexer import faults, migrations
from indexer.erasure import erase_deleted_people
from indexer.records import KINDS, Kind, Record
from indexer.schema import changes_table, embeddings_table, log_head_table, records_table

RESET = ("*", "*")  # a log entry meaning "rebuild everything" (`tvaers reindex`)
SQLITE_BUSY_MS = 30_000  # writers from other processes wait their turn, not fail

T = TypeVar("T")
# Runs inside a write's transaction after its rows are written: (connection, the records the
# write replaced or deleted as they were, the plan). Audit rows and freshness land with the change.
WriteHook = Callable[[sa.Connection, "dict[tuple[str, str], Record]", "Plan"], None]


@dataclass(frozen=True)
class LogHead:
    log_id: str
    revision: int


@dataclass(frozen=True)
class StoredRecord:
    """A record as written: with the hash of its document's text (the vector it needs)."""

    record: Record
    content_hash: str


@dataclass
class Plan:
    """What one transaction writes: records to store, keys to delete, vectors of new texts."""

    upserts: list[StoredRecord] = field(default_factory=list)
    deletes: list[tuple[Kind, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # content hash → text, to embed
    reset: bool = False

    @property
    def keys(self) -> list[tuple[str, str]]:
        upserted: list[tuple[str, str]] = [(s.record.kind, s.record.id) for s in self.upserts]
        return upserted + [(k, i) for k, i in self.deletes]


class MissingVectors(Exception):
    """A plan needs vectors the caller has not embedded yet (the records changed meanwhile)."""

    def __init__(self, hashes: set[str]) -> None:
        super().__init__(f"{len(hashes)} vectors missing")
        self.hashes = hashes


class _Unchanged(Exception):
    def __init__(self, revision: int) -> None:
        self.revision = revision


class Store:
    """Opening a store brings its database to the newest schema (`indexer.migrations`)."""

    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url)
        self.dialect = self._engine.dialect.name
        if self.dialect == "sqlite":
            sa.event.listen(self._engine, "connect", _sqlite_pragmas)
        self.schema = migrations.upgrade(self._engine)
        # Every commit without its own hook runs these (imports: freshness by "import").
        self.write_hooks: list[WriteHook] = []
        self._checkpoint()  # a crash may have left erased rows' old pages in the WAL

    @property
    def engine(self) -> sa.Engine:
        """For tables of other features in the same database (search gaps, keys, editors)."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    # Reading -----------------------------------------------------------------------------

    def read(self, function: Callable[[Reader], T]) -> T:
        with self._engine.connect() as conn:
            return function(Reader(conn))

    def all_records(self) -> list[Record]:
        return self.read(lambda r: r.all_records())

    def get(self, kind: Kind, record_id: str) -> Record | None:
        return self.read(lambda r: r.get(kind, record_id))

    def records_of_unit(self, unit_id: str) -> list[Record]:
        return self.read(lambda r: r.records_of_unit(unit_id))

    def records_by_keys(self, keys: Iterable[tuple[str, str]]) -> list[Record]:
        return self.read(lambda r: r.records_by_keys(keys))

    def head(self) -> LogHead:
        return self.read(lambda r: r.head())

    def is_empty(self) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(sa.select(records_table.c.id).limit(1)).first() is None

    def changes_after(self, revision: int, limit: int) -> list[tuple[int, str, str]]:
        """Log entries after `revision`, oldest first: whole revisions only, at least one."""
        query = sa.select(changes_table).where(changes_table.c.revision > revision)
        order = (changes_table.c.revision, changes_table.c.kind, changes_table.c.id)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(*order).limit(limit)).all()
            if len(rows) == limit:  # the last revision may go on past the limit
                last = rows[-1].revision
                rows = [r for r in rows if r.revision < last] or list(
                    conn.execute(sa.select(changes_table).where(changes_table.c.revision == last))
                )
        return [(int(r.revision), r.kind, r.id) for r in rows]

    def pending_changes(self, revision: int) -> int:
        with self._engine.connect() as conn:
            count = conn.execute(
                sa.select(sa.func.count()).where(changes_table.c.revision > revision)
            ).scalar_one()
        return int(count)

    # Writing -----------------------------------------------------------------------------

    def commit(
        self,
        plan: Callable[[Reader], Plan],
        model_id: str,
        vectors: dict[str, np.ndarray],
        on_write: WriteHook | None = None,
        erased_out: dict[str, int] | None = None,
    ) -> tuple[int, int]:
        """Run `plan` inside one transaction and write what it says, with the next revision.

        The revision row is locked first, so writers from every process take turns and
        revisions commit in order. The plan reads the records as they are now: a rule it checks
        (an id is new, a unit exists) holds when the write lands. Raises MissingVectors when a
        text the plan needs has no vector in `vectors` or the cache. Returns the revision and
        how many records were written or deleted; a plan that changes nothing commits nothing.
        `on_write` (else `write_hooks`) runs in the same transaction, after the rows are written;
        then every erasure sink for a person the plan deletes (`indexer.erasure`), whose counts
        of changed rows go to `erased_out`.
        """
        try:
            return self._commit(plan, model_id, vectors, on_write, erased_out)
        except _Unchanged as unchanged:
            return unchanged.revision, 0

    def _commit(
        self,
        plan: Callable[[Reader], Plan],
        model_id: str,
        vectors: dict[str, np.ndarray],
        on_write: WriteHook | None,
        erased_out: dict[str, int] | None,
    ) -> tuple[int, int]:
        with self._engine.begin() as conn:
            conn.execute(log_head_table.update().values(revision=log_head_table.c.revision + 1))
            revision = int(conn.execute(sa.select(log_head_table.c.revision)).scalar_one())
            reader = Reader(conn)
            planned = plan(reader)
            needed = {s.content_hash for s in planned.upserts}
            cached = _existing_hashes(conn, model_id, needed)
            missing = needed - cached - set(vectors)
            if missing:
                raise MissingVectors(missing)
            keys = planned.keys
            if not keys and not planned.reset:
                raise _Unchanged(revision - 1)  # rolls the revision back
            old_hashes = reader.hashes_of(keys)
            hooks = [on_write] if on_write is not None else list(self.write_hooks)
            read_before = keys if hooks else planned.deletes  # erasure needs who is deleted
            before: dict[tuple[str, str], Record] = {
                (r.kind, r.id): r for r in reader.records_by_keys(read_before)
            }
            _delete_keys(conn, keys)
            if planned.upserts:
                conn.execute(records_table.insert(), [_row(s) for s in planned.upserts])
            _insert_vectors(conn, model_id, {h: vectors[h] for h in needed - cached})
            entries = [{"revision": revision, "kind": k, "id": i} for k, i in keys]
            if planned.reset:
                entries.append({"revision": revision, "kind": RESET[0], "id": RESET[1]})
            if entries:
                conn.execute(changes_table.insert(), entries)
            # A text nobody shows any more takes its vectors along, in every model (erasure).
            _forget_unused(conn, old_hashes - needed)
            for hook in hooks:
                hook(conn, before, planned)
            # Whoever wrote it: a deleted person leaves every other table (the one list of sinks).
            erased = erase_deleted_people(conn, before, planned.deletes)
            if erased_out is not None:
                erased_out.update(erased)
            faults.reach("store:before-commit")
        faults.reach("store:after-commit")
        if old_hashes or planned.deletes:
            self._checkpoint()
        return revision, len(keys)

    def _checkpoint(self) -> None:
        """SQLite: replaced and deleted rows' old pages live in the write-ahead log until a
        checkpoint moves the new ones into the database file (GDPR erasure)."""
        if self.dialect == "sqlite":
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # Embedding cache ---------------------------------------------------------------------

    def cached_vectors(self, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(set(hashes)):
                rows = conn.execute(
                    sa.select(embeddings_table.c.content_hash, embeddings_table.c.vector).where(
                        embeddings_table.c.model_id == model_id,
                        embeddings_table.c.content_hash.in_(chunk),
                    )
                ).all()
                for row in rows:
                    found[row.content_hash] = np.frombuffer(row.vector, dtype=np.float32)
        return found

    def cached_hashes(self, model_id: str, hashes: Iterable[str]) -> set[str]:
        """Which texts the cache holds a vector of (without reading the vectors)."""
        with self._engine.connect() as conn:
            return _existing_hashes(conn, model_id, set(hashes))

    def cached_sizes(self, model_id: str, hashes: Iterable[str]) -> dict[str, int]:
        """How many floats the cache holds per text (without reading them): a text's vector
        and its pieces' (`indexer.pieces`)."""
        found: dict[str, int] = {}
        column = embeddings_table.c.vector
        with self._engine.connect() as conn:
            for chunk in _chunks(set(hashes)):
                rows = conn.execute(
                    sa.select(embeddings_table.c.content_hash, sa.func.length(column)).where(
                        embeddings_table.c.model_id == model_id,
                        embeddings_table.c.content_hash.in_(chunk),
                    )
                ).all()
                found.update({digest: int(size) // 4 for digest, size in rows})  # float32
        return found

    def cache_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        if vectors:
            with self._engine.begin() as conn:
                _delete_vectors(conn, model_id, vectors)
                _insert_vectors(conn, model_id, vectors)

    def forget_unused_vectors(self) -> int:
        """Forget every cached vector no record shows; returns how many.

        Leftovers of a crash between caching a folder's vectors and committing it, and pairing
        runs' offers and wishes (which are cheap to embed again and may name people). Records
        from before the content-hash column would look unused, so nothing is swept while any
        remains (`tvaers index` or `reindex` fills them in).
        """
        with self._engine.begin() as conn:
            # Take the writers' turn, so a commit that found its vectors keeps them until it lands.
            conn.execute(log_head_table.update().values(revision=log_head_table.c.revision))
            unhashed = conn.execute(
                sa.select(sa.func.count()).where(
                    sa.or_(
                        records_table.c.content_hash.is_(None), records_table.c.content_hash == ""
                    )
                )
            ).scalar_one()
            if unhashed:
                return 0
            shown = sa.select(records_table.c.content_hash)
            swept = conn.execute(
                embeddings_table.delete().where(embeddings_table.c.content_hash.not_in(shown))
            ).rowcount
        if swept:
            self._checkpoint()
        return int(swept)

    def forget_vectors(self, hashes: Iterable[str]) -> None:
        """Erase cached embeddings of texts (GDPR: a deleted person leaves no vector behind)."""
        with self._engine.begin() as conn:
            _forget(conn, set(hashes))


class Reader:
    """Reads within one connection (inside a write, they see the write's own transaction)."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def head(self) -> LogHead:
        row = self._conn.execute(sa.select(log_head_table)).one()
        return LogHead(row.log_id, int(row.revision))

    def all_records(self) -> list[Record]:
        rows = self._conn.execute(sa.select(records_table)).all()
        return sorted((_record(r) for r in rows), key=lambda r: (KINDS.index(r.kind), r.id))

    def all_hashes(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(kind, id) → (fields as stored, content hash), for comparing a whole data folder."""
        rows = self._conn.execute(
            sa.select(
                records_table.c.kind,
                records_table.c.id,
                records_table.c.fields,
                records_table.c.content_hash,
            )
        ).all()
        return {(r.kind, r.id): (r.fields, r.content_hash or "") for r in rows}

    def get(self, kind: str, record_id: str) -> Record | None:
        row = self._conn.execute(
            sa.select(records_table).where(
                records_table.c.kind == kind, records_table.c.id == record_id
            )
        ).first()
        return None if row is None else _record(row)

    def records_of_unit(self, unit_id: str) -> list[Record]:
        rows = self._conn.execute(
            sa.select(records_table).where(records_table.c.unit_id == unit_id)
        ).all()
        return sorted((_record(r) for r in rows), key=lambda r: (KINDS.index(r.kind), r.id))

    def records_by_keys(self, keys: Iterable[tuple[str, str]]) -> list[Record]:
        found: list[Record] = []
        for kind, chunk in _key_chunks(keys):
            rows = self._conn.execute(
                sa.select(records_table).where(
                    records_table.c.kind == kind, records_table.c.id.in_(chunk)
                )
            ).all()
            found.extend(_record(r) for r in rows)
        return found

    def records_mentioning(self, needles: Sequence[str]) -> list[Record]:
        """Records whose fields hold any of these texts (case-folded); the caller checks where."""
        needles = [n for n in needles if n]
        if not needles:
            return []
        text = sa.func.lower(records_table.c.fields)
        conditions = [text.contains(n.lower(), autoescape=True) for n in needles]
        # SQLite's lower() folds ASCII only: a non-ASCII needle is looked for as written too.
        conditions += [records_table.c.fields.contains(n, autoescape=True) for n in needles]
        rows = self._conn.execute(sa.select(records_table).where(sa.or_(*conditions))).all()
        return [_record(r) for r in rows]

    def hashes_of(self, keys: Sequence[tuple[str, str]]) -> set[str]:
        """The content hashes these records have now (records from before the column: none)."""
        found: set[str] = set()
        for kind, chunk in _key_chunks(keys):
            found.update(
                self._conn.execute(
                    sa.select(records_table.c.content_hash).where(
                        records_table.c.kind == kind, records_table.c.id.in_(chunk)
                    )
                ).scalars()
            )
        return {h for h in found if h}


def _record(row: Any) -> Record:
    return Record(row.kind, row.id, json.loads(row.fields))


def _row(stored: StoredRecord) -> dict[str, str | None]:
    record = stored.record
    return {
        "kind": record.kind,
        "id": record.id,
        "fields": fields_json(record),
        "unit_id": record.get("unit_id") or None if record.kind != "unit" else None,
        "content_hash": stored.content_hash,
    }


def fields_json(record: Record) -> str:
    return json.dumps(record.fields, ensure_ascii=False, sort_keys=True)


def version_of(record: Record) -> str:
    """A record's version (its ETag): the hash of its stored fields. Any change changes it;
    a write that expects a version compares it inside its own transaction."""
    return hashlib.sha256(fields_json(record).encode()).hexdigest()[:16]


def _delete_keys(conn: sa.Connection, keys: Sequence[tuple[str, str]]) -> None:
    for kind, chunk in _key_chunks(keys):
        conn.execute(
            records_table.delete().where(
                records_table.c.kind == kind, records_table.c.id.in_(chunk)
            )
        )


def _existing_hashes(conn: sa.Connection, model_id: str, hashes: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(hashes):
        found.update(
            conn.execute(
                sa.select(embeddings_table.c.content_hash).where(
                    embeddings_table.c.model_id == model_id,
                    embeddings_table.c.content_hash.in_(chunk),
                )
            ).scalars()
        )
    return found


def _insert_vectors(conn: sa.Connection, model_id: str, vectors: dict[str, np.ndarray]) -> None:
    rows = [
        {"model_id": model_id, "content_hash": h, "vector": v.astype(np.float32).tobytes()}
        for h, v in vectors.items()
    ]
    for start in range(0, len(rows), 1000):
        conn.execute(embeddings_table.insert(), rows[start : start + 1000])


def _delete_vectors(conn: sa.Connection, model_id: str, hashes: Iterable[str]) -> None:
    for chunk in _chunks(set(hashes)):
        conn.execute(
            embeddings_table.delete().where(
                embeddings_table.c.model_id == model_id,
                embeddings_table.c.content_hash.in_(chunk),
            )
        )


def _forget_unused(conn: sa.Connection, hashes: set[str]) -> None:
    """Forget the vectors of these texts unless a record still shows the very same text."""
    used: set[str] = set()
    for chunk in _chunks(hashes):
        used.update(
            conn.execute(
                sa.select(records_table.c.content_hash).where(
                    records_table.c.content_hash.in_(chunk)
                )
            ).scalars()
        )
    _forget(conn, hashes - used)


def _forget(conn: sa.Connection, hashes: set[str]) -> None:
    for chunk in _chunks(hashes):
        conn.execute(embeddings_table.delete().where(embeddings_table.c.content_hash.in_(chunk)))


def _key_chunks(keys: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(kind, ids) pieces of a set of keys, for `kind = ? AND id IN (…)` statements."""
    by_kind: dict[str, set[str]] = {}
    for kind, record_id in keys:
        by_kind.setdefault(kind, set()).add(record_id)
    return [(kind, chunk) for kind, ids in by_kind.items() for chunk in _chunks(ids)]


def _chunks(hashes: Iterable[str], size: int = 500) -> list[list[str]]:
    """SQL `IN` lists in pieces: databases cap the parameters of one statement (SQLite 32,766)."""
    items = sorted(hashes)
    return [items[start : start + size] for start in range(0, len(items), size)]


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Erased rows are overwritten on disk, not just unlinked (GDPR erasure).
    cursor.execute("PRAGMA secure_delete = ON")
    # Readers in other processes do not block writers, nor writers readers.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
    cursor.close()


key_chunks = _key_chunks  # for tables of other features keyed by (kind, id)
