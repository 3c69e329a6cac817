"""Host–intern pairing for the Innovationspraktik week: load, propose, explain, report."""

from engine.pairing.fit import PairingWeights
from engine.pairing.loading import Host, Intern, Lock, Week, load_week, week_from_tables
from engine.pairing.propose import (
    MODES,
    Mode,
    Pair,
    PairingProposal,
    PairingStats,
    UnmatchedIntern,
    propose_pairings,
)
from engine.pairing.report import pairs_table, proposal_bytes, unmatched_table, write_proposal

__all__ = [
    "MODES",
    "Host",
    "Intern",
    "Lock",
    "Mode",
    "Pair",
    "PairingProposal",
    "PairingStats",
    "PairingWeights",
    "UnmatchedIntern",
    "Week",
    "load_week",
    "pairs_table",
    "proposal_bytes",
    "propose_pairings",
    "unmatched_table",
    "week_from_tables",
    "write_proposal",
]
