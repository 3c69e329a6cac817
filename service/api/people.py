"""People: read and writes. Deleting a person erases every trace of them (GDPR)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from indexer.records import Record
from service.api.convert import person_public
from service.api.deps import StateDep, Writer
from service.api.schemas.records import (
    ClearedPublic,
    PersonCreate,
    PersonDeleted,
    PersonPublic,
    PersonUpdate,
)
from service.api.state import Saved, ServiceState
from service.api.writes import (
    IfMatch,
    create_record,
    delete_any,
    if_match,
    put_record,
    with_etag,
)

router = APIRouter(prefix="/api/people", tags=["kolleger"])
KIND_NAMES = {"unit": "enheden", "person": "personen", "trial": "prøvehandlingen"}
PersonId = Annotated[
    str, Path(min_length=1, max_length=200, description="Personens id", examples=["p001"])
]


def _public(state: ServiceState, person: Record) -> PersonPublic:
    return person_public(
        person,
        state.record("unit", person.get("unit_id")),
        state.freshness.get("person", person.id),
    )


def _saved(saved: Saved) -> PersonPublic:
    return person_public(saved.record, saved.unit, saved.confirmed)


@router.get("/{person_id}", response_model=PersonPublic, summary="En kollega")
def read_person(state: StateDep, person_id: PersonId, response: Response) -> PersonPublic:
    public = _public(state, state.record("person", person_id))
    with_etag(response, public.version)
    return public


@router.post(
    "",
    response_model=PersonPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Opret en kollega",
)
def create_person(state: StateDep, writer: Writer, body: PersonCreate) -> PersonPublic:
    return _saved(create_record(state, writer, "person", body))


@router.put(
    "/{person_id}",
    response_model=PersonPublic,
    summary="Opret eller ret en kollega",
)
def put_person(
    state: StateDep,
    writer: Writer,
    person_id: PersonId,
    body: PersonUpdate,
    response: Response,
    if_match_header: IfMatch = None,
) -> PersonPublic:
    """Creates the record when the id is new (with every field POST needs); otherwise the fields
    sent replace theirs and the others keep their value. Sending the same PUT again changes
    nothing, so a lost answer can be retried."""
    return _saved(
        put_record(
            state,
            writer,
            "person",
            person_id,
            body,
            PersonCreate,
            response,
            if_match(if_match_header),
        )
    )


@router.delete(
    "/{person_id}",
    response_model=PersonDeleted,
    summary="Slet en kollega og alle spor af dem",
)
def delete_person(state: StateDep, writer: Writer, person_id: PersonId) -> PersonDeleted:
    """Removes the person from the database, the search index and every cache.

    Units and trial actions that name them as contact lose those fields in the same write, and
    pairing proposals that name them are deleted; the answer lists both."""
    erasure = delete_any(state, writer, "person", person_id)
    cleared = [ClearedPublic(kind=c.kind, id=c.id, fields=list(c.fields)) for c in erasure.cleared]
    message = f"Personen '{person_id}' og alle spor af dem er slettet."
    if cleared:
        where = "; ".join(f"{KIND_NAMES[c.kind]} {c.id} ({', '.join(c.fields)})" for c in cleared)
        message += f" De er fjernet som kontakt på: {where}."
    if erasure.proposals_dropped:
        message += f" Praktikforslag, der nævnte dem, er slettet: {erasure.proposals_dropped}."
    return PersonDeleted(
        id=person_id,
        message=message,
        cleared=cleared,
        proposals_dropped=erasure.proposals_dropped,
    )
