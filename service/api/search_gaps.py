"""GET /api/search-gaps: what people search for and do not find; DELETE: erase the counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.api.deps import StateDep
from service.api.schemas.search_gaps import ErasedPublic, GapPublic, SearchGapsPublic
from service.auth import Role, require_role

router = APIRouter(prefix="/api", tags=["søgehuller"])
Days = Annotated[int, Query(ge=1, le=3650, description="Perioden: de seneste så mange dage")]


@router.get(
    "/search-gaps",
    response_model=SearchGapsPublic,
    summary="De hyppigste søgninger uden resultater eller med svage resultater",
    dependencies=[Depends(require_role(Role.coordinator))],
)
def search_gaps(
    state: StateDep, days: Days = 30, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> SearchGapsPublic:
    gaps = state.gaps
    return SearchGapsPublic(
        enabled=gaps.enabled,
        days=days,
        retention_days=gaps.retention_days,
        gaps=[
            GapPublic(
                query=g.query,
                count=g.count,
                hits=g.hits,
                outcome="none" if g.hits == 0 else "weak",
                best_cosine=round(g.best_cosine, 4),
                best_coverage=round(g.best_coverage, 4),
                last_day=g.last_day,
            )
            for g in gaps.report(days, limit)
        ],
    )


@router.delete(
    "/search-gaps",
    response_model=ErasedPublic,
    summary="Slet de talte søgninger: alle, eller én søgnings (q)",
    dependencies=[Depends(require_role(Role.admin))],
)
def erase_search_gaps(
    state: StateDep,
    q: Annotated[str | None, Query(max_length=500, description="Kun denne søgning")] = None,
) -> ErasedPublic:
    return ErasedPublic(deleted=state.gaps.erase(q or None))
