"""A season's phases, in the one order coordinators move through them, and its dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from indexer.errors import TvaersError

Phase = Literal[
    "registration_open",
    "registration_closed",
    "review",
    "published",
    "week",
    "evaluation",
    "archived",
]
PHASES: tuple[Phase, ...] = get_args(Phase)


class SeasonError(TvaersError):
    """A season asked to do what its phase or dates do not allow (the message says what)."""


def next_phase(phase: Phase) -> Phase:
    """The phase after `phase`; an archived season goes nowhere."""
    at = PHASES.index(phase)
    if at + 1 >= len(PHASES):
        raise SeasonError("Sæsonen er arkiveret og kan ikke flyttes videre.")
    return PHASES[at + 1]


@dataclass(frozen=True)
class SeasonDates:
    """Registration opens and closes (the deadline), then the week runs from start to end."""

    registration_opens: dt.date
    registration_deadline: dt.date
    week_starts: dt.date
    week_ends: dt.date

    def __post_init__(self) -> None:
        if self.registration_deadline < self.registration_opens:
            raise SeasonError("Tilmeldingsfristen kan ikke ligge før tilmeldingen åbner.")
        if self.week_starts <= self.registration_deadline:
            raise SeasonError("Praktikugen skal begynde efter tilmeldingsfristen.")
        if self.week_ends < self.week_starts:
            raise SeasonError("Praktikugen kan ikke slutte, før den begynder.")
