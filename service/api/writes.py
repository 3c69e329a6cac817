"""Create, update and delete for every kind: the same rules, one place."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from indexer.errors import DataError
from indexer.records import Kind, Record
from service.api.convert import record_from_create, record_with_update
from service.api.errors import ConflictError
from service.api.state import Erasure, ServiceState
from service.auth import User, check_can_edit


def _unit_of(kind: Kind, record_id: str, fields: Mapping[str, str]) -> str | None:
    if kind == "unit":
        return record_id
    unit_id = fields.get("unit_id")
    return str(unit_id) if unit_id else None


def check_write(user: User, kind: Kind, record_id: str, *field_sets: Mapping[str, str]) -> None:
    """403 unless the user may edit the unit of the record, before and after the write."""
    for fields in field_sets:
        unit_id = _unit_of(kind, record_id, fields)
        if unit_id is not None:
            check_can_edit(user, unit_id)


def create_record(state: ServiceState, user: User, kind: Kind, body: BaseModel) -> Record:
    """A taken id is refused in the write's own transaction (409), whoever took it."""
    record = record_from_create(kind, body)
    check_write(user, kind, record.id, record.fields)
    return state.save(record, new=True)


def put_record(
    state: ServiceState,
    user: User,
    kind: Kind,
    record_id: str,
    body: BaseModel,
    create_schema: type[BaseModel],
    response: Response,
) -> Record:
    """PUT creates (201) or updates (200), so a client that lost the answer can just retry.

    An update keeps the fields left out; a create needs every field POST needs.
    """
    existing = state.store.get(kind, record_id)
    if existing is not None:
        updated = record_with_update(existing, body)
        check_write(user, kind, record_id, existing.fields, updated.fields)
        return state.save(updated)
    sent = body.model_dump(exclude_unset=True)
    try:
        complete = create_schema.model_validate({**sent, "id": record_id})
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    record = record_from_create(kind, complete)
    check_write(user, kind, record_id, record.fields)
    response.status_code = status.HTTP_201_CREATED
    return state.save(record)


def delete_any(state: ServiceState, user: User, kind: Kind, record_id: str) -> Erasure:
    existing = state.store.get(kind, record_id)
    if existing is not None:
        check_write(user, kind, record_id, existing.fields)
    try:
        return state.delete(kind, record_id)
    except DataError as exc:  # a unit that still has people or trial actions
        raise ConflictError(
            f"Enheden '{record_id}' kan ikke slettes: "
            + "; ".join(p.message for p in exc.problems),
            exc.problems,
        ) from exc
