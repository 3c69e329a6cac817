"""GET /api/suggest: unit names, people and competencies that start like what is being typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from engine.suggest import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_CHARS, Suggestion
from service.api.deps import StateDep
from service.api.schemas.suggest import SuggestionPublic, SuggestPublic

router = APIRouter(prefix="/api", tags=["søgning"])
KIND_LABELS = {"unit": "Enhed", "person": "Kollega", "competency": "Kompetence"}


@router.get("/suggest", response_model=SuggestPublic, summary="Forslag, mens der skrives")
def suggest(
    state: StateDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="De første bogstaver")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> SuggestPublic:
    """Every typed word starts a word of the suggestion; a unit or person opens its page, a
    competency is searched for."""
    with state.reading() as searcher:
        found = state.suggester.suggest(searcher.index, q, limit)
    return SuggestPublic(
        query=found.query,
        took_ms=found.took_ms,
        suggestions=[_public(s) for s in found.suggestions],
    )


def _public(suggestion: Suggestion) -> SuggestionPublic:
    if suggestion.kind == "unit":
        url: str | None = f"/enheder/{suggestion.id}"
    elif suggestion.kind == "person":
        url = f"/enheder/{suggestion.unit_id}#person-{suggestion.id}"
    else:
        url = None
    return SuggestionPublic(
        text=suggestion.text,
        kind=suggestion.kind,
        kind_label=KIND_LABELS[suggestion.kind],
        id=suggestion.id,
        unit_name=suggestion.unit_name,
        url=url,
        count=suggestion.count,
    )
