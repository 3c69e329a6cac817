"""/api/seasons: the Innovationspraktik seasons, where each stands, and moving them on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from engine.season import SeasonDates
from service.api.deps import StateDep
from service.api.schemas.season import PhaseMove, SeasonCreate, SeasonPublic, SeasonsPublic
from service.api.state import actor_of
from service.auth import Coordinator

router = APIRouter(prefix="/api/seasons", tags=["praktik"])
SeasonId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an SQL INTEGER
NO_CURRENT = "Der er ingen aktuel sæson. En koordinator opretter den under /praktik/saesoner."


@router.get("", response_model=SeasonsPublic, summary="Alle sæsoner, nyeste først")
def list_seasons(state: StateDep, _: Coordinator) -> SeasonsPublic:
    seasons = state.seasons.all()
    current = next((s.id for s in seasons if s.is_current), None)
    return SeasonsPublic(
        data=[SeasonPublic.of(s) for s in seasons], count=len(seasons), current_id=current
    )


@router.post(
    "",
    response_model=SeasonPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Opret en sæson (tilmeldingen åbner)",
)
def create_season(body: SeasonCreate, state: StateDep, user: Coordinator) -> SeasonPublic:
    dates = SeasonDates(
        body.registration_opens, body.registration_deadline, body.week_starts, body.week_ends
    )
    season = state.seasons.create(body.name, dates, actor_of(user), current=body.current)
    return SeasonPublic.of(season)


@router.get("/current", response_model=SeasonPublic, summary="Den aktuelle sæson")
def current_season(state: StateDep, _: Coordinator) -> SeasonPublic:
    season = state.seasons.current()
    if season is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_CURRENT)
    return SeasonPublic.of(season)


@router.get("/{season_id}", response_model=SeasonPublic, summary="Én sæson")
def get_season(season_id: SeasonId, state: StateDep, _: Coordinator) -> SeasonPublic:
    return SeasonPublic.of(state.seasons.get(season_id))


@router.post(
    "/{season_id}/phase", response_model=SeasonPublic, summary="Flyt sæsonen til næste fase"
)
def advance_season(
    season_id: SeasonId, body: PhaseMove, state: StateDep, user: Coordinator
) -> SeasonPublic:
    return SeasonPublic.of(state.seasons.advance(season_id, body.expected, actor_of(user)))


@router.post(
    "/{season_id}/current", response_model=SeasonPublic, summary="Gør sæsonen til den aktuelle"
)
def make_current(season_id: SeasonId, state: StateDep, user: Coordinator) -> SeasonPublic:
    return SeasonPublic.of(state.seasons.make_current(season_id, actor_of(user)))
