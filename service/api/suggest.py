"""GET /api/suggest: unit names, people and competencies that start like what is being typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from engine.suggest import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_CHARS, Suggestion
from service.api.deps import StateDep
from service.api.hits import KIND_LABELS, record_url
from service.api.schemas.suggest import SuggestionPublic, SuggestPublic

router = APIRouter(prefix="/api", tags=["søgning"])
SUGGESTION_LABELS = {**KIND_LABELS, "competency": "Kompetence"}


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
    url = None  # a competency is searched for, not opened
    if suggestion.kind != "competency" and suggestion.id is not None:
        url = record_url(suggestion.kind, suggestion.id, suggestion.unit_id)
    return SuggestionPublic(
        text=suggestion.text,
        kind=suggestion.kind,
        kind_label=SUGGESTION_LABELS[suggestion.kind],
        id=suggestion.id,
        unit_name=suggestion.unit_name,
        url=url,
        count=suggestion.count,
    )
