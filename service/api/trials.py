"""Trial actions: read and writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from indexer.records import Record
from service.api.convert import trial_public
from service.api.deps import StateDep, Writer
from service.api.schemas.records import Deleted, TrialCreate, TrialPublic, TrialUpdate
from service.api.state import Saved, ServiceState
from service.api.writes import (
    IfMatch,
    create_record,
    delete_any,
    if_match,
    put_record,
    with_etag,
)

router = APIRouter(prefix="/api/trials", tags=["prøvehandlinger"])
TrialId = Annotated[
    str, Path(min_length=1, max_length=200, description="Prøvehandlingens id", examples=["t001"])
]


def _public(state: ServiceState, trial: Record) -> TrialPublic:
    return trial_public(
        trial,
        state.record("unit", trial.get("unit_id")),
        state.freshness.get("trial", trial.id),
    )


def _saved(saved: Saved) -> TrialPublic:
    return trial_public(saved.record, saved.unit, saved.confirmed)


@router.get("/{trial_id}", response_model=TrialPublic, summary="En prøvehandling")
def read_trial(state: StateDep, trial_id: TrialId, response: Response) -> TrialPublic:
    public = _public(state, state.record("trial", trial_id))
    with_etag(response, public.version)
    return public


@router.post(
    "",
    response_model=TrialPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Opret en prøvehandling",
)
def create_trial(state: StateDep, writer: Writer, body: TrialCreate) -> TrialPublic:
    return _saved(create_record(state, writer, "trial", body))


@router.put(
    "/{trial_id}",
    response_model=TrialPublic,
    summary="Opret eller ret en prøvehandling",
)
def put_trial(
    state: StateDep,
    writer: Writer,
    trial_id: TrialId,
    body: TrialUpdate,
    response: Response,
    if_match_header: IfMatch = None,
) -> TrialPublic:
    """Creates the record when the id is new (with every field POST needs); otherwise the fields
    sent replace theirs and the others keep their value. Sending the same PUT again changes
    nothing, so a lost answer can be retried."""
    return _saved(
        put_record(
            state, writer, "trial", trial_id, body, TrialCreate, response, if_match(if_match_header)
        )
    )


@router.delete(
    "/{trial_id}",
    response_model=Deleted,
    summary="Slet en prøvehandling",
)
def delete_trial(state: StateDep, writer: Writer, trial_id: TrialId) -> Deleted:
    """Removes the trial action from the database and the search index."""
    delete_any(state, writer, "trial", trial_id)
    return Deleted(id=trial_id, message=f"Prøvehandlingen '{trial_id}' er slettet.")
