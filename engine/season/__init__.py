"""The Innovationspraktik season: its phases and dates, and the fairness of a proposal."""

from engine.season.phases import (
    PHASES,
    Phase,
    SeasonDates,
    SeasonError,
    next_phase,
)

__all__ = ["PHASES", "Phase", "SeasonDates", "SeasonError", "next_phase"]
