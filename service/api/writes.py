"""Create, update and delete for every kind: the same rules, one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Header, HTTPException, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from indexer.errors import DataError
from indexer.records import Kind, Record
from service.api.convert import record_from_create, record_with_update
from service.api.errors import ConflictError
from service.api.state import Erasure, Saved, ServiceState, actor_of
from service.auth import Role, User, check_can_edit


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


def check_new_unit(user: User, kind: Kind, record_id: str) -> None:
    """Only admins create units: an editor (or a key) bound to an id that is not a unit yet acts
    on nothing, rather than on a unit it makes up."""
    if kind == "unit" and user.role is not Role.admin:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Der er ingen enhed med id '{record_id}', og kun en administrator kan oprette "
            "enheder. Bed en administrator om at oprette den.",
        )


def create_record(state: ServiceState, user: User, kind: Kind, body: BaseModel) -> Saved:
    """A taken id is refused in the write's own transaction (409), whoever took it."""
    record = record_from_create(kind, body)
    check_write(user, kind, record.id, record.fields)
    check_new_unit(user, kind, record.id)
    return state.save(record, new=True, actor=actor_of(user))


def if_match(header: str | None) -> str | None:
    """The version an If-Match header names (an ETag, quoted or weak), or None (`*`, none)."""
    if header is None:
        return None
    value = header.strip()
    if value in ("", "*"):
        return None
    value = value.removeprefix("W/").strip('"')
    return value


def put_record(
    state: ServiceState,
    user: User,
    kind: Kind,
    record_id: str,
    body: BaseModel,
    create_schema: type[BaseModel],
    response: Response,
    expected: str | None = None,
) -> Saved:
    """PUT creates (201) or updates (200), so a client that lost the answer can just retry.

    An update keeps the fields left out; a create needs every field POST needs. Both are built
    inside the write, on the record it replaces (read once), and checked there.
    """
    created = False

    def build(existing: Record | None) -> Record:
        nonlocal created
        created = existing is None
        if existing is not None:
            updated = record_with_update(existing, body)
            check_write(user, kind, record_id, existing.fields, updated.fields)
            return updated
        sent = body.model_dump(exclude_unset=True)
        try:
            complete = create_schema.model_validate({**sent, "id": record_id})
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            raise RequestValidationError(errors) from exc
        record = record_from_create(kind, complete)
        check_write(user, kind, record_id, record.fields)
        check_new_unit(user, kind, record_id)
        return record

    saved = state.update(kind, record_id, build, actor=actor_of(user), expected=expected)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return saved


def delete_any(
    state: ServiceState, user: User, kind: Kind, record_id: str, expected: str | None = None
) -> Erasure:
    def check(existing: Record) -> None:
        check_write(user, kind, record_id, existing.fields)

    try:
        return state.delete(kind, record_id, actor=actor_of(user), expected=expected, check=check)
    except DataError as exc:  # a unit that still has people or trial actions
        raise ConflictError(
            f"Enheden '{record_id}' kan ikke slettes: "
            + "; ".join(p.message for p in exc.problems),
            exc.problems,
        ) from exc


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Versionen (ETag fra GET), ændringen bygger på: 409, hvis posten er ændret",
    ),
]


def with_etag(response: Response, version: str) -> None:
    response.headers["ETag"] = f'"{version}"'
