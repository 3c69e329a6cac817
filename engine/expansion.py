"""Danish compounds: a query word also matches indexed words that begin or end with it.

"klarsprog" should find "klarsprogsprojekt", and "robot" should find "spiserobot" (Danish
compounds put the head last). Both vocabularies are kept sorted, so a lookup is a bisection.
A compound counts for less than the word itself (`Fusion.compound_weight`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

MIN_PART = 5  # shorter words are parts of too many unrelated compounds
MAX_EXPANSIONS = 30


class CompoundIndex:
    def __init__(self, vocabulary: list[str]) -> None:
        words = [w for w in vocabulary if w.isalpha()]
        self._forward = sorted(words)
        self._backward = sorted(w[::-1] for w in words)

    def expand(self, term: str, *, starting: bool = True, ending: bool = True) -> list[str]:
        """Longer indexed words that start (`starting`) or end (`ending`) with `term`."""
        if len(term) < MIN_PART or not term.isalpha():
            return []
        found = _with_prefix(self._forward, term) if starting else []
        if ending:
            found += [w[::-1] for w in _with_prefix(self._backward, term[::-1])]
        return [w for w in dict.fromkeys(found) if w != term][:MAX_EXPANSIONS]

    def has_compound(self, part: str, *, ending: bool) -> bool:
        """Whether an indexed word longer than `part` ends (`ending`) or starts with it."""
        words, key = (self._backward, part[::-1]) if ending else (self._forward, part)
        start = bisect_left(words, key)
        return any(w != key and w.startswith(key) for w in words[start : start + 2])


# How the index knows a part, if it does: `(part, is_head, as_word)` -> the indexed form or None.
# `as_word` asks for a word of its own; otherwise a part seen only inside compounds will do.
PartLookup = Callable[[str, bool, bool], str | None]


def split_compound(word: str, known_as: PartLookup) -> tuple[str, str] | None:
    """An unknown compound as two known parts, the longest head first ("sprogscreening" ->
    "sprog", "screening"; a linking s or e may join them: "arbejdsmiljø" -> "arbejd", "miljø").

    Parts that are words of their own win over parts seen only inside compounds, which match
    almost any cut: "skærmbesøgsordning" is skærmbesøg + ordning, not skærmbesø- + -gsordning."""
    if len(word) < 2 * MIN_PART or not word.isalpha():
        return None
    for as_word in (True, False):
        shortest = MIN_PART - 1 if as_word else MIN_PART  # "team" in "faldforebyggelsesteam"
        for cut in range(MIN_PART, len(word) - shortest + 1):
            modifier, head = word[:cut], word[cut:]
            head_found = known_as(head, True, as_word)
            if head_found is None:
                continue
            for candidate in (modifier, modifier[:-1] if modifier[-1] in "se" else ""):
                if len(candidate) < MIN_PART - 1:
                    continue
                modifier_found = known_as(candidate, False, as_word)
                if modifier_found is not None:
                    return modifier_found, head_found
    return None


def _with_prefix(words: list[str], prefix: str) -> list[str]:
    start = bisect_left(words, prefix)
    found = []
    for word in words[start : start + MAX_EXPANSIONS + 1]:
        if not word.startswith(prefix):
            break
        found.append(word)
    return found
