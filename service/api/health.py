"""GET /health: is the service up, and what does its index hold."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from service.api.deps import StateDep
from service.api.schemas.search import HealthPublic

router = APIRouter(tags=["drift"])


@router.get("/health", response_model=HealthPublic, summary="Status")
def health(state: StateDep) -> HealthPublic:
    with state.reading() as searcher:
        counts = Counter(d.kind for d in searcher.index.documents)
        model_id = searcher.index.meta.model_id
    return HealthPublic(
        status="ok",
        documents=sum(counts.values()),
        units=counts["unit"],
        people=counts["person"],
        trials=counts["trial"],
        model_id=model_id,
        writes_enabled=state.settings.writes_enabled,
    )
