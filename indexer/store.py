"""The database: the source of truth for records, plus the embedding cache.

SQLite in the home folder by default; any SQLAlchemy URL (PostgreSQL) works. The search index is
derived from it and can always be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import sqlalchemy as sa

from indexer.records import KINDS, Kind, Record

_metadata = sa.MetaData()
records_table = sa.Table(
    "records",
    _metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
)
embeddings_table = sa.Table(
    "embeddings",
    _metadata,
    sa.Column("model_id", sa.String(300), primary_key=True),
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)


class Store:
    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url)
        if self._engine.dialect.name == "sqlite":
            # Erased rows are overwritten on disk, not just unlinked (GDPR erasure).
            sa.event.listen(self._engine, "connect", _sqlite_secure_delete)
        _metadata.create_all(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    # Records -----------------------------------------------------------------------------

    def all_records(self) -> list[Record]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(records_table)).all()
        records = [Record(row.kind, row.id, json.loads(row.fields)) for row in rows]
        return sorted(records, key=lambda r: (KINDS.index(r.kind), r.id))

    def get(self, kind: Kind, record_id: str) -> Record | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(records_table).where(
                    records_table.c.kind == kind, records_table.c.id == record_id
                )
            ).first()
        return None if row is None else Record(row.kind, row.id, json.loads(row.fields))

    def replace_all(self, records: Iterable[Record]) -> None:
        """Make the store hold exactly these records, in one transaction."""
        rows = [_row(r) for r in records]
        with self._engine.begin() as conn:
            conn.execute(records_table.delete())
            if rows:
                conn.execute(records_table.insert(), rows)

    def upsert(self, record: Record) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                records_table.delete().where(
                    records_table.c.kind == record.kind, records_table.c.id == record.id
                )
            )
            conn.execute(records_table.insert(), [_row(record)])

    def delete(self, kind: Kind, record_id: str) -> bool:
        with self._engine.begin() as conn:
            result = conn.execute(
                records_table.delete().where(
                    records_table.c.kind == kind, records_table.c.id == record_id
                )
            )
        return bool(result.rowcount)

    def fingerprint(self) -> str:
        """Identifies the store's content; the index records it to detect drift."""
        return fingerprint_of(self.all_records())

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

    def cache_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [
            {"model_id": model_id, "content_hash": h, "vector": v.astype(np.float32).tobytes()}
            for h, v in vectors.items()
        ]
        with self._engine.begin() as conn:
            for chunk in _chunks(vectors):
                conn.execute(
                    embeddings_table.delete().where(
                        embeddings_table.c.model_id == model_id,
                        embeddings_table.c.content_hash.in_(chunk),
                    )
                )
            conn.execute(embeddings_table.insert(), rows)

    def forget_vectors(self, hashes: Iterable[str]) -> None:
        """Erase cached embeddings of texts (GDPR: a deleted person leaves no vector behind)."""
        chunks = _chunks(set(hashes))
        if not chunks:
            return
        with self._engine.begin() as conn:
            for chunk in chunks:
                conn.execute(
                    embeddings_table.delete().where(embeddings_table.c.content_hash.in_(chunk))
                )


def _chunks(hashes: Iterable[str], size: int = 500) -> list[list[str]]:
    """SQL `IN` lists in pieces: databases cap the parameters of one statement (SQLite 32,766)."""
    items = list(hashes)
    return [items[start : start + size] for start in range(0, len(items), size)]


def _sqlite_secure_delete(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _row(record: Record) -> dict[str, str]:
    return {
        "kind": record.kind,
        "id": record.id,
        "fields": json.dumps(record.fields, ensure_ascii=False, sort_keys=True),
    }


def fingerprint_of(records: Iterable[Record]) -> str:
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: (r.kind, r.id)):
        digest.update(json.dumps(_row(record), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()
