"""tvaers engine: search by text, similar units, evaluation (and pairing, in engine.pairing)."""

from engine.fusion import DEFAULT_FUSION, Fusion
from engine.results import Explanation, Filters, Hit, SearchResults
from engine.search import Searcher

__all__ = [
    "DEFAULT_FUSION",
    "Explanation",
    "Filters",
    "Fusion",
    "Hit",
    "SearchResults",
    "Searcher",
]
