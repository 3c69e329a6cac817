"""GET /health: is the service up, and what does its index hold."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.api.deps import StateDep
from service.api.schemas.search import HealthPublic

router = APIRouter(tags=["drift"])


@router.get("/health", response_model=HealthPublic, summary="Status")
def health(request: Request, state: StateDep) -> HealthPublic:
    index = state.index  # never waits: not for writes, embedding or a pairing run
    counts = index.counts
    model_id = index.meta.model_id
    return HealthPublic(
        status="ok",
        documents=index.meta.count,
        units=counts.get("unit", 0),
        people=counts.get("person", 0),
        trials=counts.get("trial", 0),
        model_id=model_id,
        writes_enabled=request.app.state.auth.writes_enabled,
        revision=index.revision,
    )
