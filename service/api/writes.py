"""Create, update and delete for every kind: the same rules, one place."""

from __future__ import annotations

from fastapi import Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from indexer.errors import DataError
from indexer.records import Kind, Record
from service.api.convert import record_from_create, record_with_update
from service.api.errors import ConflictError
from service.api.state import Erasure, ServiceState


def create_record(state: ServiceState, kind: Kind, body: BaseModel) -> Record:
    """A taken id is refused in the write's own transaction (409), whoever took it."""
    return state.save(record_from_create(kind, body), new=True)


def put_record(
    state: ServiceState,
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
        return state.save(record_with_update(existing, body))
    sent = body.model_dump(exclude_unset=True)
    try:
        complete = create_schema.model_validate({**sent, "id": record_id})
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    response.status_code = status.HTTP_201_CREATED
    return state.save(record_from_create(kind, complete))


def delete_any(state: ServiceState, kind: Kind, record_id: str) -> Erasure:
    try:
        return state.delete(kind, record_id)
    except DataError as exc:  # a unit that still has people or trial actions
        raise ConflictError(
            f"Enheden '{record_id}' kan ikke slettes: "
            + "; ".join(p.message for p in exc.problems),
            exc.problems,
        ) from exc
