"""Single-record writes: the store changes, and the index follows without a full rebuild."""

from __future__ import annotations

from indexer.build import embed_documents
from indexer.embedders import Embedder
from indexer.errors import DataError, NotFoundError, Problem
from indexer.index import SearchIndex
from indexer.loading import dataset_from_tables
from indexer.records import REQUIRED_COLUMNS, Kind, Record, documents_from_records
from indexer.store import Store, fingerprint_of
from indexer.tables import Row, Table


def validate_record(record: Record, store: Store) -> None:
    """The same rules as a data folder: required text, valid sector/status, an existing unit."""
    columns = list(dict.fromkeys([*REQUIRED_COLUMNS[record.kind], *record.fields]))
    values = {c: record.fields.get(c, "") for c in columns} | {"id": record.id}
    tables = {record.kind: Table(record.kind, columns, [Row(1, values)])}
    if record.kind != "unit":
        unit = store.get("unit", record.get("unit_id"))
        unit_columns = list(REQUIRED_COLUMNS["unit"])
        tables["unit"] = Table("unit", unit_columns, [])
        if unit is not None:
            unit_values = {c: unit.fields.get(c, "") for c in unit_columns} | {"id": unit.id}
            tables["unit"] = Table("unit", unit_columns, [Row(1, unit_values)])
    dataset_from_tables(tables)


def upsert_record(store: Store, index: SearchIndex, embedder: Embedder, record: Record) -> None:
    """Create or replace one record; documents that show it (a unit's people) follow."""
    validate_record(record, store)
    store.upsert(record)
    records = store.all_records()
    keys = {f"{record.kind}:{record.id}"}
    if record.kind == "unit":  # its people and trials show the unit's name and organisation
        keys |= {f"{r.kind}:{r.id}" for r in records if r.get("unit_id") == record.id}
    documents = [d for d in documents_from_records(records) if d.key in keys]
    stale = [index.document(d.key) for d in documents]
    vectors, _ = embed_documents(documents, embedder, store)
    index.replace(
        [d.key for d in documents], documents, vectors, store_fingerprint=fingerprint_of(records)
    )
    # An edited text's old vector is no longer needed (and may hold erased personal data).
    still_used = {d.content_hash for d in index.documents}
    store.forget_vectors([d.content_hash for d in stale if d and d.content_hash not in still_used])


def delete_record(store: Store, index: SearchIndex, kind: Kind, record_id: str) -> None:
    """Delete a record and every trace of it: row, index entry and cached embedding."""
    records = store.all_records()
    if not any(r.kind == kind and r.id == record_id for r in records):
        raise NotFoundError(kind, record_id)
    if kind == "unit":
        dependants = [r for r in records if r.get("unit_id") == record_id]
        if dependants:
            raise DataError(
                [
                    Problem(
                        "unit",
                        f"enheden har stadig {len(dependants)} personer eller prøvehandlinger; "
                        "slet eller flyt dem først",
                        column="id",
                    )
                ]
            )
    old = index.document(f"{kind}:{record_id}")
    store.delete(kind, record_id)
    remaining = [r for r in records if (r.kind, r.id) != (kind, record_id)]
    index.replace(
        [f"{kind}:{record_id}"], [], index.vectors[:0], store_fingerprint=fingerprint_of(remaining)
    )
    # Erase the cached vector unless another document has the very same text.
    if old is not None and old.content_hash not in {d.content_hash for d in index.documents}:
        store.forget_vectors([old.content_hash])
