"""Search and similar-units answers: hits that explain themselves, and how to reach them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class ViaPublic(BaseModel):
    kind: Literal["person", "trial"]
    id: str
    title: str
    url: str


class ExplanationPublic(BaseModel):
    matched_by: Literal["meaning", "words", "both"]
    matched_terms: list[str]
    snippet: str
    highlights: list[tuple[int, int]]  # character spans in `snippet`
    via: ViaPublic | None = Field(
        default=None,
        description="Ved en søgning efter enheder: kollegaen eller prøvehandlingen, som enheden "
        "blev fundet gennem (ordene og uddraget er deres)",
    )


class ContactPublic(BaseModel):
    name: str
    email: str
    phone: str


class HitPublic(BaseModel):
    id: str
    kind: Literal["unit", "person", "trial"]
    kind_label: str
    title: str
    score: float
    organisation: str
    sector: str
    area: str
    unit_id: str | None
    unit_name: str | None
    url: str  # the unit page that shows this hit
    contact: ContactPublic
    explanation: ExplanationPublic
    metadata: dict[str, str]
    confirmed_at: dt.datetime | None = Field(
        None, description="Hvornår posten sidst blev bekræftet (UTC)"
    )
    confirmed_by: str | None = None


class FacetCountsPublic(BaseModel):
    """Per filter value, the results of this query with the other filters (not its own): the
    total that choosing the value gives."""

    kind: dict[str, int]
    organisation: dict[str, int]
    sector: dict[str, int]
    area: dict[str, int]
    relation: Literal["eq", "gte"] = Field(
        description="»eq«: tallene er præcise; »gte«: der er mindst så mange (søgningen uden "
        "filtre har flere resultater, end der kan tælles præcist)"
    )


class SearchPublic(BaseModel):
    query: str
    total: int = Field(
        description="Alle dokumenter, der matcher: et ord fra søgningen (eller et sammensat ord "
        "med det), eller en betydning over tærsklen. Med total_relation »gte« er det en nedre "
        "grænse (mindst så mange)"
    )
    total_relation: Literal["eq", "gte"] = Field(
        description="»eq«: total er præcis; »gte«: der er mindst total resultater"
    )
    available: int = Field(
        description="De rangerede resultater, som sider kan nå: offset skal være under dette "
        "tal (ellers 422)"
    )
    took_ms: float
    limit: int
    offset: int
    corrections: dict[str, str]
    hits: list[HitPublic]
    nothing_fits: bool = Field(
        default=False,
        description="Intet passer til søgningen: hits er tom, og nearest viser de nærmeste poster",
    )
    nearest: list[HitPublic] = Field(
        default_factory=list,
        description="Kun når nothing_fits: de nærmeste poster, som ikke er gode træf",
    )
    facet_counts: FacetCountsPublic | None = Field(
        description="Antal resultater pr. filterværdi: hver med de andre filtre, ikke sit eget, "
        "altså den total, man får ved at vælge værdien (null med facet_counts=false)"
    )


class SimilarPublic(BaseModel):
    unit_id: str
    other_organisations: bool
    hits: list[HitPublic]


class ReasonPublic(BaseModel):
    """Why an item is recommended, from the item's own text: the unit's competencies it names
    and the rare words both share; where neither, the unit's competency nearest in meaning."""

    competencies: list[str] = Field(
        description="Enhedens kompetencer, som emnets egen tekst nævner"
    )
    words: list[str] = Field(
        description="Sjældne ord, som emnets egen tekst og enheden deler (aldrig hverdagsord)"
    )
    nearest_competency: str | None = Field(
        description="Enhedens kompetence nærmest emnet i betydning, når der hverken er fælles "
        "kompetencer eller ord"
    )
    text: str = Field(description="Begrundelsen på dansk")


class RecommendationPublic(BaseModel):
    hit: HitPublic
    reason: ReasonPublic
    other_organisation: bool


class RecommendationsPublic(BaseModel):
    unit_id: str
    trials: list[RecommendationPublic] = Field(
        description="Prøvehandlinger fra lignende enheder (andre organisationer først)"
    )
    people: list[RecommendationPublic] = Field(
        description="Kolleger andre steder, der ved noget om det samme"
    )


class FacetsPublic(BaseModel):
    """Filter values present in the index."""

    organisations: list[str]
    sectors: list[str]
    areas: list[str]


class HealthPublic(BaseModel):
    status: Literal["ok"]
    documents: int
    units: int
    people: int
    trials: int
    model_id: str
    writes_enabled: bool
    revision: int = Field(description="Databasens revision, som søgeindekset viser")
