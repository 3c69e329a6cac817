"""Single-record writes: one log revision each; every index follows by reading the log.

A unit's people and trial actions show its name and organisation, so a unit write also
rewrites their documents (and only theirs) in the same revision.
"""

from __future__ import annotations

from indexer.build import commit_plan
from indexer.embedders import Embedder
from indexer.errors import AlreadyExistsError, DataError, NotFoundError, Problem
from indexer.loading import dataset_from_tables
from indexer.records import REQUIRED_COLUMNS, Kind, Record, documents_from_records
from indexer.store import Plan, Reader, Store, StoredRecord
from indexer.tables import Row, Table


def validate_record(record: Record, reader: Reader) -> None:
    """The same rules as a data folder: required text, valid sector/status, an existing unit."""
    columns = list(dict.fromkeys([*REQUIRED_COLUMNS[record.kind], *record.fields]))
    values = {c: record.fields.get(c, "") for c in columns} | {"id": record.id}
    tables = {record.kind: Table(record.kind, columns, [Row(1, values)])}
    if record.kind != "unit":
        unit = reader.get("unit", record.get("unit_id"))
        unit_columns = list(REQUIRED_COLUMNS["unit"])
        tables["unit"] = Table("unit", unit_columns, [])
        if unit is not None:
            unit_values = {c: unit.fields.get(c, "") for c in unit_columns} | {"id": unit.id}
            tables["unit"] = Table("unit", unit_columns, [Row(1, unit_values)])
    dataset_from_tables(tables)


def upsert_record(store: Store, embedder: Embedder, record: Record, *, new: bool = False) -> int:
    """Create (`new`: refused if the id exists) or replace one record; returns the revision."""

    def plan(reader: Reader) -> Plan:
        if new and reader.get(record.kind, record.id) is not None:
            raise AlreadyExistsError(record.kind, record.id)
        validate_record(record, reader)
        shown = [record]
        if record.kind == "unit":
            shown += reader.records_of_unit(record.id)
            unit = record
        else:
            found = reader.get("unit", record.get("unit_id"))
            assert found is not None  # validate_record checked it
            unit = found
        keys = {(r.kind, r.id) for r in shown}
        context = [unit, *(r for r in shown if r.kind != "unit")]
        documents = {(d.kind, d.id): d for d in documents_from_records(context)}
        upserts = [StoredRecord(r, documents[(r.kind, r.id)].content_hash) for r in shown]
        texts = {d.content_hash: d.text for k, d in documents.items() if k in keys}
        return Plan(upserts, texts=texts)

    revision, _ = commit_plan(store, embedder, plan)
    return revision


def delete_record(store: Store, embedder: Embedder, kind: Kind, record_id: str) -> int:
    """Delete a record and every trace of it (row, cached vector; every index follows)."""

    def plan(reader: Reader) -> Plan:
        if reader.get(kind, record_id) is None:
            raise NotFoundError(kind, record_id)
        if kind == "unit":
            dependants = reader.records_of_unit(record_id)
            if dependants:
                raise DataError(
                    [
                        Problem(
                            "unit",
                            f"enheden har stadig {len(dependants)} personer eller "
                            "prøvehandlinger; slet eller flyt dem først",
                            column="id",
                        )
                    ]
                )
        return Plan(deletes=[(kind, record_id)])

    revision, _ = commit_plan(store, embedder, plan)
    return revision
