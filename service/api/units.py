"""Units: read (with people and trial actions), similar units, and writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from engine.recommend import Reason, Recommendation, recommend_for_unit
from indexer.index import SearchIndex
from service.api.convert import person_public, trial_public, unit_public
from service.api.deps import StateDep, Writer
from service.api.hits import hit_public
from service.api.schemas.records import Deleted, UnitCreate, UnitDetail, UnitPublic, UnitUpdate
from service.api.schemas.search import (
    ReasonPublic,
    RecommendationPublic,
    RecommendationsPublic,
    SimilarPublic,
)
from service.api.state import ServiceState
from service.api.writes import (
    IfMatch,
    create_record,
    delete_any,
    if_match,
    put_record,
    with_etag,
)

router = APIRouter(prefix="/api/units", tags=["enheder"])
UnitId = Annotated[
    str, Path(min_length=1, max_length=200, description="Enhedens id", examples=["u001"])
]


def unit_detail(state: ServiceState, unit_id: str) -> UnitDetail:
    unit = state.record("unit", unit_id)
    records = state.store.records_of_unit(unit_id)
    confirmed = state.freshness.of([("unit", unit_id), *((r.kind, r.id) for r in records)])
    people = [
        person_public(p, unit, confirmed.get(("person", p.id)))
        for p in records
        if p.kind == "person"
    ]
    trials = [
        trial_public(t, unit, confirmed.get(("trial", t.id))) for t in records if t.kind == "trial"
    ]
    public = unit_public(unit, confirmed.get(("unit", unit_id)))
    return UnitDetail(**public.model_dump(), people=people, trials=trials)


@router.get("/{unit_id}", response_model=UnitDetail, summary="En enheds visitkort")
def read_unit(state: StateDep, unit_id: UnitId, response: Response) -> UnitDetail:
    """The unit with its people and its trial actions; the ETag is the unit's version."""
    detail = unit_detail(state, unit_id)
    with_etag(response, detail.version)
    return detail


@router.get("/{unit_id}/similar", response_model=SimilarPublic, summary="Lignende enheder")
def similar_units(
    state: StateDep,
    unit_id: UnitId,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    other_organisations: bool = False,
) -> SimilarPublic:
    with state.reading() as searcher:
        hits = searcher.similar_units(unit_id, limit=limit, other_organisations=other_organisations)
        public = [hit_public(h, searcher.index) for h in hits]
    return SimilarPublic(unit_id=unit_id, other_organisations=other_organisations, hits=public)


@router.get(
    "/{unit_id}/recommendations",
    response_model=RecommendationsPublic,
    summary="Prøvehandlinger og kolleger at lære af",
)
def recommendations(
    state: StateDep, unit_id: UnitId, limit: Annotated[int, Query(ge=1, le=20)] = 5
) -> RecommendationsPublic:
    """Trial actions of similar units (other organisations first) and people in other units who
    know about the same, each with its reason, from the item's own text."""
    with state.reading() as searcher:
        found = recommend_for_unit(searcher, unit_id, limit=limit)
        return RecommendationsPublic(
            unit_id=found.unit_id,
            trials=[recommendation_public(r, searcher.index) for r in found.trials],
            people=[recommendation_public(r, searcher.index) for r in found.people],
        )


def recommendation_public(item: Recommendation, index: SearchIndex) -> RecommendationPublic:
    return RecommendationPublic(
        hit=hit_public(item.hit, index),
        reason=ReasonPublic(
            competencies=item.reason.competencies,
            words=item.reason.words,
            nearest_competency=item.reason.nearest_competency,
            text=reason_text(item.reason),
        ),
        other_organisation=item.other_organisation,
    )


def reason_text(reason: Reason) -> str:
    """The reason in Danish, as the unit page shows it."""
    parts = []
    if reason.competencies:
        parts.append("Fælles kompetencer: " + ", ".join(reason.competencies))
    if reason.words:
        parts.append("fælles ord: " + ", ".join(reason.words))
    if not parts and reason.nearest_competency:
        return f"Nærmest enhedens kompetence »{reason.nearest_competency}« i betydning."
    if not parts:
        return "Ligner enheden i betydning."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


@router.post(
    "",
    response_model=UnitPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Opret en enhed",
)
def create_unit(state: StateDep, writer: Writer, body: UnitCreate) -> UnitPublic:
    saved = create_record(state, writer, "unit", body)
    return unit_public(saved.record, saved.confirmed)


@router.put(
    "/{unit_id}",
    response_model=UnitPublic,
    summary="Opret eller ret en enhed",
)
def put_unit(
    state: StateDep,
    writer: Writer,
    unit_id: UnitId,
    body: UnitUpdate,
    response: Response,
    if_match_header: IfMatch = None,
) -> UnitPublic:
    """Creates the unit when the id is new (with every field POST needs); otherwise the fields
    sent replace theirs and the others keep their value. Its people and trial actions follow a
    new name. Sending the same PUT again changes nothing, so a lost answer can be retried."""
    saved = put_record(
        state, writer, "unit", unit_id, body, UnitCreate, response, if_match(if_match_header)
    )
    return unit_public(saved.record, saved.confirmed)


@router.delete("/{unit_id}", response_model=Deleted, summary="Slet en enhed")
def delete_unit(state: StateDep, writer: Writer, unit_id: UnitId) -> Deleted:
    """Only a unit without people and trial actions can be deleted (409 otherwise)."""
    delete_any(state, writer, "unit", unit_id)
    return Deleted(id=unit_id, message=f"Enheden '{unit_id}' er slettet.")
