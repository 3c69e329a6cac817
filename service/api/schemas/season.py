"""Seasons as the API takes and gives them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from engine.season import PHASES, Phase
from service.season.book import Season
from service.season.labels import PHASE_LABELS


class SeasonCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Innovationspraktik 2027, uge 37"])
    registration_opens: dt.date
    registration_deadline: dt.date
    week_starts: dt.date
    week_ends: dt.date
    current: bool = Field(default=False, description="gør den til den aktuelle sæson")


class PhaseMove(BaseModel):
    """The phase the coordinator saw: the season moves on from there, and only from there."""

    expected: Phase


class PhasePublic(BaseModel):
    phase: Phase
    label: str


class SeasonPublic(BaseModel):
    id: int
    name: str
    phase: Phase
    phase_label: str
    phase_number: int  # 1 … 7
    phases: list[PhasePublic]
    is_current: bool
    registration_opens: dt.date
    registration_deadline: dt.date
    week_starts: dt.date
    week_ends: dt.date
    phase_since: dt.datetime

    @classmethod
    def of(cls, season: Season) -> SeasonPublic:
        d = season.dates
        return cls(
            id=season.id,
            name=season.name,
            phase=season.phase,
            phase_label=PHASE_LABELS[season.phase],
            phase_number=season.phase_number,
            phases=[PhasePublic(phase=p, label=PHASE_LABELS[p]) for p in PHASES],
            is_current=season.is_current,
            registration_opens=d.registration_opens,
            registration_deadline=d.registration_deadline,
            week_starts=d.week_starts,
            week_ends=d.week_ends,
            phase_since=season.phase_since,
        )


class SeasonsPublic(BaseModel):
    data: list[SeasonPublic]
    count: int
    current_id: int | None
