"""Engine hits as API hits: a kind label, a page to open, and a contact to reach."""

from __future__ import annotations

from engine.results import Hit, SearchResults, Via
from indexer.analysis import fold
from indexer.freshness import Freshness
from indexer.index import SearchIndex
from service.api.schemas.search import (
    ContactPublic,
    ExplanationPublic,
    FacetCountsPublic,
    FacetsPublic,
    HitPublic,
    ViaPublic,
)
from service.auth.contact import shown, without_contact

KIND_LABELS = {"unit": "Enhed", "person": "Kollega", "trial": "Prøvehandling"}
PHONE_KEYS = ("phone", "telefon", "tlf", "contact_phone")


def record_url(kind: str, record_id: str, unit_id: str | None) -> str:
    """The page that shows a record: a unit's own, or its unit's with the record in view."""
    if kind == "unit":
        return f"/enheder/{record_id}"
    return f"/enheder/{unit_id}#{'person' if kind == 'person' else 'trial'}-{record_id}"


def hit_public(hit: Hit, index: SearchIndex) -> HitPublic:
    """Trial actions have no contact of their own: their unit's contact is shown."""
    meta = hit.metadata
    if hit.kind == "unit":
        contact = _unit_contact(meta)
    elif hit.kind == "person":
        contact = ContactPublic(
            name=hit.title, email=shown(meta.get("email", "")), phone=shown(_phone(meta))
        )
    else:
        unit = index.document(f"unit:{hit.unit_id}")
        contact = _unit_contact(unit.metadata if unit is not None else {})
    explanation = hit.explanation
    return HitPublic(
        id=hit.id,
        kind=hit.kind,
        kind_label=KIND_LABELS[hit.kind],
        title=hit.title,
        score=hit.score,
        organisation=hit.organisation,
        sector=hit.sector,
        area=hit.area,
        unit_id=hit.unit_id,
        unit_name=hit.unit_name,
        url=record_url(hit.kind, hit.id, hit.unit_id),
        contact=contact,
        explanation=ExplanationPublic(
            matched_by=explanation.matched_by,
            matched_terms=list(explanation.matched_terms),
            snippet=explanation.snippet,
            highlights=[(int(a), int(b)) for a, b in explanation.highlights],
            via=_via_public(explanation.via, hit),
        ),
        metadata=without_contact(meta),
        confirmed_at=None,
    )


def _via_public(via: Via | None, hit: Hit) -> ViaPublic | None:
    """The member a unit was found through, with a link to them on the unit's page."""
    if via is None or via.kind == "unit":
        return None
    return ViaPublic(
        kind=via.kind, id=via.id, title=via.title, url=record_url(via.kind, via.id, hit.id)
    )


def _unit_contact(meta: dict[str, str]) -> ContactPublic:
    return ContactPublic(
        name=meta.get("contact_name", ""),
        email=shown(meta.get("contact_email", "")),
        phone=shown(_phone(meta)),
    )


def _phone(meta: dict[str, str]) -> str:
    return next((meta[k] for k in PHONE_KEYS if meta.get(k)), "")


def facets_of(index: SearchIndex) -> FacetsPublic:
    units = [d for d in index.live_documents() if d.kind == "unit"]

    def distinct(values: list[str]) -> list[str]:
        return sorted({v.strip() for v in values if v.strip()}, key=str.casefold)

    return FacetsPublic(
        organisations=distinct([d.organisation for d in units]),
        sectors=distinct([d.sector for d in units]),
        areas=distinct([d.area for d in units]),
    )


def facet_counts_public(results: SearchResults, facets: FacetsPublic) -> FacetCountsPublic:
    """The engine's counts (by folded value) under the values the filters show, 0 included."""
    counts = results.facet_counts or {}

    def shown(facet: str, values: list[str]) -> dict[str, int]:
        found = counts.get(facet, {})
        return {v: found.get(fold(v.strip()), 0) for v in values}

    kinds = counts.get("kind", {})
    return FacetCountsPublic(
        kind={k: kinds.get(k, 0) for k in KIND_LABELS},
        organisation=shown("organisation", facets.organisations),
        sector=shown("sector", facets.sectors),
        area=shown("area", facets.areas),
        relation=results.relation_without_filters,
    )


def with_confirmed(hits: list[HitPublic], freshness: Freshness) -> list[HitPublic]:
    """Each hit with its record's last confirmation, looked up in one batch."""
    found = freshness.of((h.kind, h.id) for h in hits)
    out = []
    for hit in hits:
        confirmed = found.get((hit.kind, hit.id))
        if confirmed is not None:
            hit = hit.model_copy(
                update={
                    "confirmed_at": confirmed.confirmed_at,
                    "confirmed_by": confirmed.confirmed_by,
                }
            )
        out.append(hit)
    return out
