"""The Innovationspraktik season: its phases and dates, and the fairness of a proposal."""

from engine.season.fairness import (
    CAUSES,
    CROSS_SECTOR_REFERENCE,
    FairnessReport,
    Group,
    LeftOut,
    fairness_report,
)
from engine.season.phases import (
    PHASES,
    Phase,
    SeasonDates,
    SeasonError,
    next_phase,
)

__all__ = [
    "CAUSES",
    "CROSS_SECTOR_REFERENCE",
    "PHASES",
    "FairnessReport",
    "Group",
    "LeftOut",
    "Phase",
    "SeasonDates",
    "SeasonError",
    "fairness_report",
    "next_phase",
]
