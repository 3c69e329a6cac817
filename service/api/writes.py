"""Create, update and delete for every kind: the same rules, one place."""

from __future__ import annotations

from pydantic import BaseModel

from indexer.errors import DataError
from indexer.records import Kind, Record
from service.api.convert import record_from_create, record_with_update
from service.api.errors import ConflictError
from service.api.state import ServiceState


def create_record(state: ServiceState, kind: Kind, body: BaseModel) -> Record:
    """A taken id is refused in the write's own transaction (409), whoever took it."""
    return state.save(record_from_create(kind, body), new=True)


def update_record(state: ServiceState, kind: Kind, record_id: str, body: BaseModel) -> Record:
    return state.save(record_with_update(state.record(kind, record_id), body))


def delete_any(state: ServiceState, kind: Kind, record_id: str) -> None:
    try:
        state.delete(kind, record_id)
    except DataError as exc:  # a unit that still has people or trial actions
        raise ConflictError(
            f"Enheden '{record_id}' kan ikke slettes: "
            + "; ".join(p.message for p in exc.problems),
            exc.problems,
        ) from exc
