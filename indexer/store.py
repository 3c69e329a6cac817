"""The database: the source of truth for records, the embedding cache, and the change log.

SQLite in the home folder by default; any SQLAlchemy URL (PostgreSQL) works. Every write commits
its records, the vectors of their texts and one log revision in a single transaction, so a search
index anywhere can follow the database by reading the log after the revision it shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa

from indexer import faults, migrations
from indexer.erasure import checkpoint_wal
from indexer.plans import IMPORT, Actor, Change, Confirmation, Key, Plan, StoredRecord
from indexer.records import KINDS, Kind, Record
from indexer.schema import (
    changes_table,
    chunks,
    embeddings_table,
    key_chunks,
    log_head_table,
    records_table,
)
from indexer.steps import run_steps

__all__ = [
    "RESET",
    "LogHead",
    "MissingVectors",
    "Plan",
    "Reader",
    "Store",
    "StoredRecord",
    "Written",
]

RESET = ("*", "*")  # a log entry meaning "rebuild everything" (`tvaers reindex`)
SQLITE_BUSY_MS = 30_000  # writers from other processes wait their turn, not fail

T = TypeVar("T")


@dataclass(frozen=True)
class LogHead:
    log_id: str
    revision: int


@dataclass(frozen=True)
class Prepared:
    """A plan made outside the write's transaction (to learn which texts to embed), with the
    log revision it was made at: if no write landed since, the transaction takes it as it is
    and reads no record again."""

    revision: int
    plan: Plan
    reader: Reader


class Written:
    """What one write stored, for its caller to answer with: nothing needs reading back."""

    def __init__(self, revision: int, change: Change, reader: Reader) -> None:
        self.revision = revision
        self.plan = change.plan
        self.before = change.before
        self.confirmations: dict[Key, Confirmation] = change.confirmations
        self.erased: dict[str, int] = change.erased  # rows changed per erasure sink
        self._reader = reader

    @property
    def changed(self) -> int:
        """How many records were written or deleted (0: the write changed nothing)."""
        return len(self.plan.keys)

    def record(self, kind: str, record_id: str) -> Record | None:
        """The record as this write left it: stored by it, or read by it (a person's unit)."""
        for stored in self.plan.upserts:
            if (stored.record.kind, stored.record.id) == (kind, record_id):
                return stored.record
        if (kind, record_id) in self.plan.deletes:
            return None
        return self._reader.known(kind, record_id)


class MissingVectors(Exception):
    """A plan needs vectors the caller has not embedded yet (the records changed meanwhile)."""

    def __init__(self, hashes: set[str]) -> None:
        super().__init__(f"{len(hashes)} vectors missing")
        self.hashes = hashes


class _Unchanged(Exception):
    def __init__(self, written: Written) -> None:
        self.written = written


class Store:
    """Opening a store brings its database to the newest schema (`indexer.migrations`)."""

    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url)
        self.dialect = self._engine.dialect.name
        if self.dialect == "sqlite":
            sa.event.listen(self._engine, "connect", _sqlite_pragmas)
        self.schema = migrations.upgrade(self._engine)
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

    def prepare(self, plan: Callable[[Reader], Plan]) -> Prepared:
        """Make the plan on the records as they are now, outside any transaction (the caller
        embeds its texts next); the log head is read first, so the plan is at least as new."""
        with self._engine.connect() as conn:
            reader = Reader(conn)
            revision = reader.head().revision
            planned = plan(reader)
        return Prepared(revision, planned, reader)

    def commit(
        self,
        plan: Callable[[Reader], Plan],
        model_id: str,
        vectors: dict[str, np.ndarray],
        *,
        actor: Actor = IMPORT,
        confirmed: Sequence[Key] = (),
        prepared: Prepared | None = None,
    ) -> Written:
        """Write what `plan` says in one transaction, with the next revision, and every step that
        depends on it (`indexer.steps.STEPS`); returns what was stored.

        The revision row is locked first, so writers from every process take turns and
        revisions commit in order. A `prepared` plan made at the revision still current is
        taken as it is; otherwise the plan is made again on the records as they are now, so a
        rule it checks (an id is new, a unit exists) holds when the write lands. Every record is
        read once per write (`Reader` remembers what it read). Raises MissingVectors when a
        text the plan needs has no vector in `vectors` or the cache. A plan that changes
        nothing and confirms nothing commits nothing; a confirmation alone writes no revision.
        """
        try:
            return self._commit(plan, model_id, vectors, actor, tuple(confirmed), prepared)
        except _Unchanged as unchanged:
            return unchanged.written

    def _commit(
        self,
        plan: Callable[[Reader], Plan],
        model_id: str,
        vectors: dict[str, np.ndarray],
        actor: Actor,
        confirmed: tuple[Key, ...],
        prepared: Prepared | None,
    ) -> Written:
        with self._engine.begin() as conn:
            conn.execute(log_head_table.update().values(revision=log_head_table.c.revision))
            head = int(conn.execute(sa.select(log_head_table.c.revision)).scalar_one())
            if prepared is not None and prepared.revision == head:
                reader, planned = prepared.reader.bound_to(conn), prepared.plan
            else:
                reader = Reader(conn)
                planned = plan(reader)
            needed = {s.content_hash for s in planned.upserts}
            cached = _existing_hashes(conn, model_id, needed)
            missing = needed - cached - set(vectors)
            if missing:
                raise MissingVectors(missing)
            keys = planned.keys
            if not keys and not planned.reset and not confirmed:
                raise _Unchanged(Written(head, Change(head, planned, {}, actor), reader))
            revision = head
            if keys or planned.reset:
                revision = head + 1
                conn.execute(log_head_table.update().values(revision=revision))
            old_hashes = reader.hashes_of(keys)
            before: dict[Key, Record] = {(r.kind, r.id): r for r in reader.records_by_keys(keys)}
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
            change = Change(revision, planned, before, actor, confirmed)
            run_steps(conn, change)  # audit, freshness, editors, every erasure sink
            faults.reach("store:before-commit")
        faults.reach("store:after-commit")
        if old_hashes or planned.deletes:
            self._checkpoint()
        return Written(revision, change, reader)

    def _checkpoint(self) -> None:
        checkpoint_wal(self._engine)  # GDPR erasure: no old page stays in the WAL

    # Embedding cache ---------------------------------------------------------------------

    def cached_vectors(self, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(set(hashes)):
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
            for chunk in chunks(set(hashes)):
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
    """Reads within one connection (inside a write, they see the write's own transaction).

    It remembers every record it read, or found missing, so one write reads each record once:
    its plan, its rules, what it replaces, the vectors it frees, the answer to its caller.
    """

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._rows: dict[Key, _Row | None] = {}  # None: read, and not there
        self._records: dict[Key, Record] = {}  # parsed on first use
        self._units: dict[str, list[Key]] = {}  # unit id → its people's and trials' keys
        self._complete = False  # every record has been read

    def bound_to(self, conn: sa.Connection) -> Reader:
        """Go on reading in another connection (the write's transaction) with what is known."""
        self._conn = conn
        return self

    def head(self) -> LogHead:
        row = self._conn.execute(sa.select(log_head_table)).one()
        return LogHead(row.log_id, int(row.revision))

    def all_records(self) -> list[Record]:
        self._read_all()
        found = [self._parsed(k) for k, row in self._rows.items() if row is not None]
        return sorted(found, key=lambda r: (KINDS.index(r.kind), r.id))

    def all_hashes(self) -> dict[Key, tuple[str, str]]:
        """(kind, id) → (fields as stored, content hash), for comparing a whole data folder."""
        self._read_all()
        return {k: (row.fields, row.content_hash) for k, row in self._rows.items() if row}

    def get(self, kind: str, record_id: str) -> Record | None:
        key = (kind, record_id)
        if key not in self._rows and not self._complete:
            row = self._conn.execute(
                sa.select(records_table).where(
                    records_table.c.kind == kind, records_table.c.id == record_id
                )
            ).first()
            self._rows[key] = None if row is None else _Row.of(row)
        return self.known(kind, record_id)

    def known(self, kind: str, record_id: str) -> Record | None:
        """A record this reader has read (None: not read, or not there); never reads."""
        return self._parsed((kind, record_id)) if self._rows.get((kind, record_id)) else None

    def records_of_unit(self, unit_id: str) -> list[Record]:
        if self._complete:
            keys = [k for k, row in self._rows.items() if row and row.unit_id == unit_id]
        elif unit_id in self._units:
            keys = self._units[unit_id]
        else:
            rows = self._conn.execute(
                sa.select(records_table).where(records_table.c.unit_id == unit_id)
            ).all()
            keys = self._units[unit_id] = [self._remember(r) for r in rows]
        found = [self._parsed(k) for k in keys]
        return sorted(found, key=lambda r: (KINDS.index(r.kind), r.id))

    def records_by_keys(self, keys: Iterable[Key]) -> list[Record]:
        wanted = list(dict.fromkeys(keys))
        unread = [] if self._complete else [k for k in wanted if k not in self._rows]
        for kind, chunk in key_chunks(unread):
            self._rows.update(dict.fromkeys(((kind, i) for i in chunk), None))
            rows = self._conn.execute(
                sa.select(records_table).where(
                    records_table.c.kind == kind, records_table.c.id.in_(chunk)
                )
            ).all()
            for row in rows:
                self._remember(row)
        return [self._parsed(k) for k in wanted if self._rows.get(k)]

    def records_mentioning(self, needles: Sequence[str]) -> list[Record]:
        """Records whose fields hold any of these texts (case-folded); the caller checks where.
        Records already read are matched here rather than read again."""
        needles = [n for n in needles if n]
        if not needles:
            return []
        text = sa.func.lower(records_table.c.fields)
        conditions = [text.contains(n.lower(), autoescape=True) for n in needles]
        # SQLite's lower() folds ASCII only: a non-ASCII needle is looked for as written too.
        conditions += [records_table.c.fields.contains(n, autoescape=True) for n in needles]
        query = sa.select(records_table).where(sa.or_(*conditions))
        known = [k for k, row in self._rows.items() if row is not None]
        for kind, chunk in key_chunks(known):
            query = query.where(
                sa.not_(sa.and_(records_table.c.kind == kind, records_table.c.id.in_(chunk)))
            )
        found = [self._remember(r) for r in self._conn.execute(query).all()]
        lowered = [n.lower() for n in needles]
        for key in known:
            row = self._rows[key]
            assert row is not None
            if any(n in row.fields.lower() or n in row.fields for n in lowered + needles):
                found.append(key)
        return [self._parsed(k) for k in found]

    def hashes_of(self, keys: Sequence[Key]) -> set[str]:
        """The content hashes these records have now (records from before the column: none)."""
        self.records_by_keys(keys)
        return {row.content_hash for k in keys if (row := self._rows.get(k)) and row.content_hash}

    def _read_all(self) -> None:
        if not self._complete:
            for row in self._conn.execute(sa.select(records_table)).all():
                self._remember(row)
            self._rows = {k: row for k, row in self._rows.items() if row is not None}
            self._complete = True

    def _remember(self, row: Any) -> Key:
        key = (row.kind, row.id)
        self._rows[key] = _Row.of(row)
        return key

    def _parsed(self, key: Key) -> Record:
        record = self._records.get(key)
        if record is None:
            row = self._rows[key]
            assert row is not None
            record = self._records[key] = Record(key[0], key[1], json.loads(row.fields))  # type: ignore[arg-type]
        return record


@dataclass(frozen=True)
class _Row:
    """A record's row as read: its fields as stored (parsed only when asked for)."""

    fields: str
    content_hash: str
    unit_id: str | None

    @classmethod
    def of(cls, row: Any) -> _Row:
        return cls(row.fields, row.content_hash or "", row.unit_id)


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
    for kind, chunk in key_chunks(keys):
        conn.execute(
            records_table.delete().where(
                records_table.c.kind == kind, records_table.c.id.in_(chunk)
            )
        )


def _existing_hashes(conn: sa.Connection, model_id: str, hashes: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(hashes):
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
    for chunk in chunks(set(hashes)):
        conn.execute(
            embeddings_table.delete().where(
                embeddings_table.c.model_id == model_id,
                embeddings_table.c.content_hash.in_(chunk),
            )
        )


def _forget_unused(conn: sa.Connection, hashes: set[str]) -> None:
    """Forget the vectors of these texts unless a record still shows the very same text."""
    used: set[str] = set()
    for chunk in chunks(hashes):
        used.update(
            conn.execute(
                sa.select(records_table.c.content_hash).where(
                    records_table.c.content_hash.in_(chunk)
                )
            ).scalars()
        )
    _forget(conn, hashes - used)


def _forget(conn: sa.Connection, hashes: set[str]) -> None:
    for chunk in chunks(hashes):
        conn.execute(embeddings_table.delete().where(embeddings_table.c.content_hash.in_(chunk)))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Erased rows are overwritten on disk, not just unlinked (GDPR erasure).
    cursor.execute("PRAGMA secure_delete = ON")
    # Readers in other processes do not block writers, nor writers readers.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
    cursor.close()
