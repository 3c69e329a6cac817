"""Danish compounds: a query word also matches indexed words that begin or end with it.

"klarsprog" should find "klarsprogsprojekt", and "robot" should find "spiserobot" (Danish
compounds put the head last). Both vocabularies are kept sorted, so a lookup is a bisection.
A compound counts for less than the word itself (`Fusion.compound_weight`).
"""

from __future__ import annotations

from bisect import bisect_left

MIN_PART = 5  # shorter words are parts of too many unrelated compounds
MAX_EXPANSIONS = 30


class CompoundIndex:
    def __init__(self, vocabulary: list[str]) -> None:
        words = [w for w in vocabulary if w.isalpha()]
        self._forward = sorted(words)
        self._backward = sorted(w[::-1] for w in words)

    def expand(self, term: str) -> list[str]:
        """Longer indexed words that start or end with `term`."""
        if len(term) < MIN_PART or not term.isalpha():
            return []
        found = _with_prefix(self._forward, term)
        found += [w[::-1] for w in _with_prefix(self._backward, term[::-1])]
        return [w for w in dict.fromkeys(found) if w != term][:MAX_EXPANSIONS]


def _with_prefix(words: list[str], prefix: str) -> list[str]:
    start = bisect_left(words, prefix)
    found = []
    for word in words[start : start + MAX_EXPANSIONS + 1]:
        if not word.startswith(prefix):
            break
        found.append(word)
    return found
