"""A season's review: its participants (bulk import), locks with a reason, and scenarios with
their fairness reports, under /api/seasons/{id}."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from engine.pairing import Mode, PairingWeights, proposal_bytes
from indexer.errors import DataError, Problem
from indexer.tables import read_table_bytes
from service.api.deps import StateDep
from service.api.pairing_input import (
    MEDIA_TYPES,
    UPLOAD_EXCEL_LIMITS,
    Format,
    UploadTooLargeError,
    read_week_form,
)
from service.api.state import actor_of
from service.auth import Coordinator
from service.season.review import Scenario, ScenarioSpec

router = APIRouter(prefix="/api/seasons/{season_id}", tags=["praktik"])
SeasonId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an SQL INTEGER


class ParticipantsPublic(BaseModel):
    hosts: int
    interns: int


class LockIn(BaseModel):
    intern_id: str = Field(min_length=1, max_length=200)
    host_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=500, description="hvorfor parret låses")


class LockPublic(LockIn):
    locked_by: str
    locked_at: dt.datetime


class ScenarioIn(BaseModel):
    name: str = Field(default="", max_length=200)
    mode: Mode = "optimal"
    semantic: float = Field(default=1.0, ge=0, le=10)
    wished_host_bonus: list[float] = Field(default=[1.0, 0.7, 0.5], max_length=3)
    cross_sector_bonus: float = Field(default=0.1, ge=0, le=10)


class ScenarioPublic(BaseModel):
    id: str
    name: str
    made_at: dt.datetime
    chosen: bool
    mode: Mode
    weights: dict[str, Any]
    stats: dict[str, Any]
    fairness: dict[str, Any]
    pairs: list[dict[str, Any]]

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioPublic:
        proposal = scenario.proposal
        stats = proposal.stats.as_dict()
        stats.pop("places_used", None)
        return cls(
            id=scenario.id,
            name=scenario.name,
            made_at=scenario.made_at,
            chosen=scenario.chosen,
            mode=proposal.stats.mode,
            weights=asdict(proposal.weights),
            stats=stats,
            fairness=scenario.fairness.as_dict(),
            pairs=[asdict(p) for p in proposal.pairs],
        )


@router.post("/participants", response_model=ParticipantsPublic, summary="Hent deltagere ind")
async def import_participants(
    season_id: SeasonId, request: Request, state: StateDep, user: Coordinator
) -> ParticipantsPublic:
    """hosts.csv and interns.csv (or .xlsx) as multipart files replace the season's participants."""
    try:
        form = await read_week_form(request)
    except UploadTooLargeError as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from exc
    if form.missing:
        raise DataError([Problem(key, "mangler") for key in form.missing])
    tables = {
        key: read_table_bytes(data, name=name, excel_limits=UPLOAD_EXCEL_LIMITS)
        for key, (name, data) in form.files.items()
    }
    week = state.season_review.import_participants(
        season_id, tables["hosts"], tables["interns"], actor_of(user)
    )
    return ParticipantsPublic(hosts=len(week.hosts), interns=len(week.interns))


@router.get("/participants", response_model=ParticipantsPublic, summary="Antal deltagere")
def participants(season_id: SeasonId, state: StateDep, _: Coordinator) -> ParticipantsPublic:
    counts = state.season_review.participant_counts(season_id)
    return ParticipantsPublic(hosts=counts["host"], interns=counts["intern"])


@router.get("/locks", response_model=list[LockPublic], summary="Låste par")
def locks(season_id: SeasonId, state: StateDep, _: Coordinator) -> list[LockPublic]:
    return [LockPublic(**asdict(lk)) for lk in state.season_review.locks(season_id)]


@router.post("/locks", response_model=list[LockPublic], summary="Lås et par med en begrundelse")
def lock(season_id: SeasonId, body: LockIn, state: StateDep, user: Coordinator) -> list[LockPublic]:
    state.season_review.lock(season_id, body.intern_id, body.host_id, body.reason, actor_of(user))
    return [LockPublic(**asdict(lk)) for lk in state.season_review.locks(season_id)]


@router.delete("/locks/{intern_id}", response_model=list[LockPublic], summary="Løs et par op")
def unlock(
    season_id: SeasonId, intern_id: str, state: StateDep, user: Coordinator
) -> list[LockPublic]:
    if not state.season_review.unlock(season_id, intern_id, actor_of(user)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Praktikanten har intet låst par.")
    return [LockPublic(**asdict(lk)) for lk in state.season_review.locks(season_id)]


@router.post(
    "/scenarios",
    response_model=ScenarioPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Kør et scenarie (alle låste par holdes)",
)
async def run_scenario(
    season_id: SeasonId, body: ScenarioIn, state: StateDep, user: Coordinator
) -> ScenarioPublic:
    spec = ScenarioSpec(
        body.name,
        body.mode,
        PairingWeights(body.semantic, tuple(body.wished_host_bonus), body.cross_sector_bonus),
    )
    scenario = await run_in_threadpool(
        state.season_review.run, season_id, spec, state.pairing_embedder, actor_of(user)
    )
    return ScenarioPublic.of(scenario)


@router.get("/scenarios", response_model=list[ScenarioPublic], summary="Sæsonens scenarier")
def scenarios(season_id: SeasonId, state: StateDep, _: Coordinator) -> list[ScenarioPublic]:
    return [ScenarioPublic.of(s) for s in state.season_review.scenarios(season_id)]


@router.get("/scenarios/{scenario_id}/download", summary="Hent et scenarie som CSV eller Excel")
def download(
    season_id: SeasonId,
    scenario_id: Annotated[str, Path(min_length=1, max_length=64)],
    state: StateDep,
    _: Coordinator,
    format: Annotated[Format, Query(description="csv eller xlsx")] = "xlsx",
) -> Response:
    scenario = state.season_review.scenario(season_id, scenario_id)
    return Response(
        proposal_bytes(scenario.proposal, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="scenarie.{format}"'},
    )
