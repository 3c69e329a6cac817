"""GET /api/search: free-text search with filters; GET /api/facets: the filter values."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status

from engine.results import Filters
from engine.search import MAX_QUERY_CHARS
from service.api.deps import StateDep
from service.api.hits import facet_counts_public, hit_public, with_confirmed
from service.api.schemas.search import FacetsPublic, SearchPublic

router = APIRouter(prefix="/api", tags=["søgning"])
FacetText = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/search", response_model=SearchPublic, summary="Søg efter enheder, kolleger og prøvehandlinger"
)
def search(
    state: StateDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Fri tekst på dansk")] = "",
    kind: Literal["unit", "person", "trial"] | None = None,
    organisation: FacetText = None,
    sector: FacetText = None,
    area: FacetText = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    facet_counts: Annotated[
        bool, Query(description="false: uden antal pr. filterværdi (sparer en søgning pr. filter)")
    ] = True,
    counted: Annotated[
        bool,
        Query(description="false: not a person's search (the page while typing); not counted"),
    ] = True,
) -> SearchPublic:
    """Hits with why they matched (highlight spans in the snippet), the total and the time taken.

    An offset past the ranked results (`available`) is refused with 422, naming the last one;
    offset 0 always answers, also with no results."""
    filters = Filters(kind, organisation or None, sector or None, area or None)
    with state.reading() as searcher:
        results = searcher.search_by_text(
            q, filters, limit=limit, offset=offset, with_facet_counts=facet_counts
        )
        hits = [hit_public(h, searcher.index) for h in results.hits]
        hits = with_confirmed(hits, state.freshness)
        nearest = [hit_public(h, searcher.index) for h in results.nearest]
        counts = facet_counts_public(results, state.facets) if facet_counts else None
    if offset and offset >= results.available:
        last = max(0, results.available - 1)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"offset {offset} er efter det sidste resultat: søgningen har {results.available} "
            f"resultater, der kan vises. Brug en offset fra 0 til {last}.",
        )
    state.on_search(results.took_ms)
    if counted:
        state.gaps.count(q, results, offset=offset)
    return SearchPublic(
        query=results.query,
        total=results.total,
        total_relation=results.total_relation,
        available=results.available,
        took_ms=results.took_ms,
        limit=limit,
        offset=offset,
        corrections=results.corrections,
        hits=hits,
        nothing_fits=results.nothing_fits,
        nearest=nearest,
        facet_counts=counts,
    )


@router.get("/facets", response_model=FacetsPublic, summary="Værdierne, der kan filtreres på")
def facets(state: StateDep) -> FacetsPublic:
    return state.facets
