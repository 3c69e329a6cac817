"""Single-record writes: one log revision each; every index follows by reading the log.

A unit's people and trial actions show its name and organisation, so a unit write also
rewrites their documents (and only theirs) in the same revision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from indexer.build import commit_plan
from indexer.embedders import Embedder
from indexer.erasure import ErasedPerson
from indexer.errors import (
    AlreadyExistsError,
    DataError,
    NotFoundError,
    Problem,
    VersionConflictError,
)
from indexer.loading import dataset_from_tables
from indexer.plans import IMPORT, Actor
from indexer.records import REQUIRED_COLUMNS, Kind, Record, documents_from_records
from indexer.store import Plan, Reader, Store, StoredRecord, Written, version_of
from indexer.tables import Row, Table

# Told the record a delete or a confirmation is about, in its plan: a caller's own rule (may
# this user edit its unit?) is checked on the very record the write reads.
Check = Callable[[Record], None]


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


def upsert_record(
    store: Store,
    embedder: Embedder,
    record: Record,
    *,
    new: bool = False,
    expected: str | None = None,
    actor: Actor = IMPORT,
) -> Written:
    """Create (`new`: refused if the id exists) or replace one record; returns what was stored.

    With `expected` (a version_of), the stored record must still have that version when the
    write lands (checked in its transaction, so of two writers expecting it only one wins).
    The save confirms the record by `actor`, changed or not."""
    return update_record(
        store,
        embedder,
        record.kind,
        record.id,
        lambda _stored: record,
        new=new,
        expected=expected,
        actor=actor,
    )


def update_record(
    store: Store,
    embedder: Embedder,
    kind: Kind,
    record_id: str,
    build: Callable[[Record | None], Record],
    *,
    new: bool = False,
    expected: str | None = None,
    actor: Actor = IMPORT,
) -> Written:
    """As upsert_record, with the new record built from the stored one (None: none yet), so a
    partial update and the caller's own rules (may this user edit its unit?) work on the very
    record the write replaces, read once."""

    def plan(reader: Reader) -> Plan:
        stored = reader.get(kind, record_id)
        if new and stored is not None:
            raise AlreadyExistsError(kind, record_id)
        if expected is not None and stored is None:
            raise VersionConflictError(kind, record_id, expected, None)
        record = build(stored)
        if expected is not None and stored is not None and version_of(stored) != expected:
            raise VersionConflictError(kind, record_id, expected, stored, record)
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

    return commit_plan(store, embedder, plan, actor=actor, confirmed=[(kind, record_id)])


def confirm_record(
    store: Store, kind: Kind, record_id: str, actor: Actor, check: Check | None = None
) -> Written:
    """ "Det passer stadig": the record is confirmed as it is (NotFoundError if there is none);
    a write like any other, without a revision, since no record changes. `check` is told the
    record first."""

    def plan(reader: Reader) -> Plan:
        _checked(reader, kind, record_id, check)
        return Plan()

    return store.commit(plan, "", {}, actor=actor, confirmed=[(kind, record_id)])


def _checked(reader: Reader, kind: Kind, record_id: str, check: Check | None) -> Record:
    """The stored record (NotFoundError if there is none), after the caller's own check."""
    record = reader.get(kind, record_id)
    if record is None:
        raise NotFoundError(kind, record_id)
    if check is not None:
        check(record)
    return record


# Where other records name a person: a unit's contact, a trial action's contact person.
UNIT_CONTACT_FIELDS = ("contact_name", "contact_email")
TRIAL_CONTACT_FIELD = "contact_person_id"


@dataclass(frozen=True)
class Cleared:
    """Fields of another record that named an erased person, emptied in the same revision."""

    kind: Kind
    id: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Deletion:
    written: Written
    cleared: list[Cleared]

    @property
    def revision(self) -> int:
        return self.written.revision

    @property
    def erased(self) -> dict[str, int]:
        """Rows changed per erasure sink (indexer.erasure.SINKS)."""
        return self.written.erased


def delete_record(
    store: Store,
    embedder: Embedder,
    kind: Kind,
    record_id: str,
    *,
    expected: str | None = None,
    actor: Actor = IMPORT,
    check: Check | None = None,
) -> Deletion:
    """Delete a record and every trace of it (row, cached vector; every index follows).

    A person is also erased where other records name them: a unit's contact (by e-mail, or by
    name in their own unit) and a trial action's contact person lose those fields in the same
    transaction, and the answer says which. `check` is told the record before it goes.
    """
    cleared: list[Cleared] = []

    def plan(reader: Reader) -> Plan:
        record = _checked(reader, kind, record_id, check)
        if expected is not None and version_of(record) != expected:
            raise VersionConflictError(kind, record_id, expected, record)
        cleared.clear()  # a retried plan starts again
        if kind == "person":
            upserts, texts = _without_contact(record, reader, cleared)
            return Plan(upserts, deletes=[(kind, record_id)], texts=texts)
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

    written = commit_plan(store, embedder, plan, actor=actor)
    return Deletion(written, list(cleared))


def _without_contact(
    person: Record, reader: Reader, cleared: list[Cleared]
) -> tuple[list[StoredRecord], dict[str, str]]:
    """The records that name this person, with those values taken out: a unit's contact (by
    e-mail; by name in any unit), a trial action's contact person, and their e-mail or phone
    in any other field (free text keeps its other words)."""
    erased = ErasedPerson.of(person)
    email = erased.email.casefold()
    name = " ".join(erased.name.split()).casefold()
    changed: list[Record] = []
    # E-mails, ids and phones are ASCII, which SQL's lower() folds everywhere; contact names
    # are compared whole, so their rows are found by the exact name as stored too.
    needles = [email, person.id, *erased.phone_forms(), erased.name]
    candidates = {(r.kind, r.id): r for r in reader.records_mentioning(needles)}
    own_unit = reader.get("unit", person.get("unit_id"))
    if own_unit is not None:
        candidates[("unit", own_unit.id)] = own_unit
    for other in candidates.values():
        if (other.kind, other.id) == (person.kind, person.id):
            continue
        fields = dict(other.fields)
        if other.kind == "unit":
            email_matches = bool(email) and other.get("contact_email").strip().casefold() == email
            name_matches = bool(name) and (
                " ".join(other.get("contact_name").split()).casefold() == name
            )
            if email_matches or (name_matches and other.id == person.get("unit_id")):
                fields.update({f: "" for f in UNIT_CONTACT_FIELDS if other.get(f)})
            elif name_matches:
                fields["contact_name"] = ""
        elif other.kind == "trial" and other.get(TRIAL_CONTACT_FIELD) == person.id:
            fields[TRIAL_CONTACT_FIELD] = ""
        for key, value in fields.items():
            if isinstance(value, str) and value:
                fields[key] = erased.without_contact(value)
        order = [*UNIT_CONTACT_FIELDS, TRIAL_CONTACT_FIELD, *sorted(other.fields)]
        names = tuple(k for k in dict.fromkeys(order) if fields.get(k) != other.fields.get(k))
        if names:
            changed.append(Record(other.kind, other.id, fields))
            cleared.append(Cleared(other.kind, other.id, names))
    if not changed:
        return [], {}
    units = {r.id: r for r in changed if r.kind == "unit"}
    for unit_id in {r.get("unit_id") for r in changed if r.kind != "unit"} - set(units):
        unit = reader.get("unit", unit_id)
        assert unit is not None  # a stored record's unit exists
        units[unit_id] = unit
    context = [*units.values(), *(r for r in changed if r.kind != "unit")]
    documents = {(d.kind, d.id): d for d in documents_from_records(context)}
    upserts = [StoredRecord(r, documents[(r.kind, r.id)].content_hash) for r in changed]
    return upserts, {s.content_hash: documents[(s.record.kind, s.record.id)].text for s in upserts}
