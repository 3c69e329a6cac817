"""Records (as the store keeps them) to and from the API's schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from indexer.freshness import Confirmation
from indexer.records import REQUIRED_COLUMNS, Kind, Record, cell_text, split_list
from indexer.store import version_of
from service.api.schemas.records import PersonPublic, TrialPublic, UnitPublic
from service.auth.contact import shown, without_contact


def record_from_create(kind: Kind, body: BaseModel) -> Record:
    data = body.model_dump()
    metadata: dict[str, str] = data.pop("metadata") or {}
    fields = {name: cell_text(value) for name, value in data.items()}
    return Record(kind, fields["id"], {**metadata, **fields})


def record_with_update(record: Record, body: BaseModel) -> Record:
    """PUT merges: the fields sent replace, the others keep their value."""
    given = body.model_dump(exclude_unset=True)
    fields = dict(record.fields)
    metadata = given.pop("metadata", None)
    if metadata is not None:
        required = REQUIRED_COLUMNS[record.kind]
        fields = {k: v for k, v in fields.items() if k in required} | metadata
    for name, value in given.items():
        if value is not None:
            fields[name] = cell_text(value)
    return Record(record.kind, record.id, fields)


def unit_public(record: Record, confirmed: Confirmation | None = None) -> UnitPublic:
    return UnitPublic(
        id=record.id,
        name=record.get("name"),
        organisation=record.get("organisation"),
        sector=record.get("sector"),
        area=record.get("area"),
        description=record.get("description"),
        competencies=split_list(record.get("competencies")),
        contact_name=record.get("contact_name"),
        contact_email=shown(record.get("contact_email")),
        metadata=without_contact(record.extra),
        **_versioned(record, confirmed),
    )


def person_public(
    record: Record, unit: Record, confirmed: Confirmation | None = None
) -> PersonPublic:
    return PersonPublic(
        id=record.id,
        name=record.get("name"),
        title=record.get("title"),
        unit_id=unit.id,
        unit_name=unit.get("name"),
        organisation=unit.get("organisation"),
        expertise=split_list(record.get("expertise")),
        email=shown(record.get("email")),
        metadata=without_contact(record.extra),
        **_versioned(record, confirmed),
    )


def trial_public(
    record: Record, unit: Record, confirmed: Confirmation | None = None
) -> TrialPublic:
    year = record.get("year")
    return TrialPublic(
        id=record.id,
        title=record.get("title"),
        unit_id=unit.id,
        unit_name=unit.get("name"),
        organisation=unit.get("organisation"),
        description=record.get("description"),
        status=record.get("status"),
        year=int(year) if year.isdigit() else None,
        learnings=record.get("learnings"),
        metadata=without_contact(record.extra),
        **_versioned(record, confirmed),
    )


def _versioned(record: Record, confirmed: Confirmation | None) -> dict[str, Any]:
    return {
        "version": version_of(record),
        "confirmed_at": confirmed.confirmed_at if confirmed else None,
        "confirmed_by": confirmed.confirmed_by if confirmed else None,
    }
