"""Search gaps: queries counted as normalised text per day, with their best outcome."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class GapPublic(BaseModel):
    query: str = Field(description="Søgningen, normaliseret: små bogstaver, enkelte mellemrum")
    count: int = Field(description="Hvor mange gange den er søgt i perioden")
    hits: int = Field(description="Flest resultater, én søgning fik")
    outcome: Literal["none", "weak"]
    best_cosine: float
    best_coverage: float
    last_day: dt.date


class SearchGapsPublic(BaseModel):
    enabled: bool = Field(description="Falsk: optællingen er slået fra (TVAERS_SEARCH_GAPS)")
    days: int
    retention_days: int
    gaps: list[GapPublic]


class ErasedPublic(BaseModel):
    deleted: int
