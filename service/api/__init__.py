"""The HTTP API, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from service.api import (
    audit,
    health,
    pairings,
    people,
    registration,
    search,
    search_gaps,
    season_publish,
    season_review,
    seasons,
    suggest,
    trials,
    units,
)

__all__ = ["api_router"]

api_router = APIRouter()
for _module in (
    health,
    search,
    search_gaps,
    suggest,
    units,
    people,
    trials,
    pairings,
    seasons,
    season_review,
    registration,
    season_publish,
    audit,
):
    api_router.include_router(_module.router)
