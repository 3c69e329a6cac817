"""Engine hits as API hits: a kind label, a page to open, and a contact to reach."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

import numpy as np

from engine.results import Hit, SearchResults, Via
from indexer.analysis import fold
from indexer.freshness import Freshness
from indexer.index import SearchIndex
from indexer.records import Document
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


FACETS = ("organisation", "sector", "area")


def facets_of(index: SearchIndex) -> FacetsPublic:
    return _public(_unit_values(index.live_documents()))


def _unit_values(documents: Iterable[Document | None], sign: int = 1) -> Counter[tuple[str, str]]:
    """(facet, value) → how many live units show it."""
    found: Counter[tuple[str, str]] = Counter()
    for d in documents:
        if d is not None and d.kind == "unit":
            for facet in FACETS:
                value = getattr(d, facet).strip()
                if value:
                    found[(facet, value)] += sign
    return found


def _public(values: Counter[tuple[str, str]]) -> FacetsPublic:
    def distinct(facet: str) -> list[str]:
        return sorted((v for (f, v), n in values.items() if f == facet and n > 0), key=str.casefold)

    return FacetsPublic(
        organisations=distinct("organisation"), sectors=distinct("sector"), areas=distinct("area")
    )


class FacetValues:
    """The filter values of the newest index version, told each version (`LiveIndex.subscribe`)
    and brought up to date from its changed rows, not from all its documents: at 100k documents
    the full pass, once per write, was a quarter of a busy server's CPU (py-spy)."""

    def __init__(self, index: SearchIndex) -> None:
        self._lock = threading.Lock()
        self._index = index
        self._values = _unit_values(index.live_documents())
        self._facets: FacetsPublic | None = None

    def new_version(self, index: SearchIndex) -> None:
        with self._lock:
            old = self._index
            if index.size < old.size or index.lexical.base_terms is not old.lexical.base_terms:
                values = _unit_values(index.live_documents())  # rebuilt or compacted
            else:
                gone = np.flatnonzero(old.alive & ~index.alive[: old.size])
                values = self._values.copy()
                values.update(_unit_values((old.documents[int(r)] for r in gone), sign=-1))
                values.update(_unit_values(index.documents[old.size :]))
            if +values != +self._values:
                self._facets = None
            self._index, self._values = index, values

    @property
    def public(self) -> FacetsPublic:
        with self._lock:
            if self._facets is None:
                self._facets = _public(self._values)
            return self._facets


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
