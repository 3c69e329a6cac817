"""Suggestions while typing: what each one is and where it leads. Never contact details."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SuggestionPublic(BaseModel):
    text: str
    kind: Literal["unit", "person", "competency"]
    kind_label: str
    id: str | None = Field(description="Enhedens eller kollegaens id; tom for en kompetence")
    unit_name: str | None = Field(description="Kollegaens enhed, så navnefæller kan skelnes")
    url: str | None = Field(description="Siden, forslaget åbner; tom for en kompetence")
    count: int = Field(description="Hvor mange enheder og kolleger har kompetencen (ellers 1)")


class SuggestPublic(BaseModel):
    query: str
    took_ms: float
    suggestions: list[SuggestionPublic]
