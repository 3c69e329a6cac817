"""Danish as people write it, beyond the words one organisation's index holds.

A small organisation's index knows a few thousand words, so "any word the index lacks is a typo"
reads real Danish ("sørger") as a slip of an indexed one ("søge"). The lexicon is the `wordfreq`
package's Danish word frequencies (about 29,000 words from subtitles, web text and Wikipedia,
on the Zipf scale: 7 for "og", 3 for a word seen once per million words), shipped with the
package, so nothing is downloaded. It has few compounds, Danish builds them freely, so a word
also counts as Danish when it splits into two lexicon words ("barselsdagpenge").

Uses: typo correction leaves Danish words alone; compound splitting checks its parts; words
as common as "omkring" never count as a reason two things belong together.
"""

from __future__ import annotations

from functools import lru_cache

from indexer.analysis import fold, stem, term_of

# From this Zipf frequency up a word is everyday Danish (about 1 in 30,000 words or more:
# "hjælpe", "arbejde", "omkring"): it says little about what a text is about.
EVERYDAY_ZIPF = 4.5
MIN_PART = 3  # "is" in "isbjørn"; shorter parts are nearly always a misreading
# Prefixes that make verbs, not compounds: "forebygge" is no "for" + "ebygge", "opsøge" no
# "op" + "søge", "undersøge" no "under" + "søge" in the sense of a head word.
VERB_PREFIXES = frozenset(
    fold(p)
    for p in "af be for fra på op ud ind ned over under efter sammen frem til mod mis gen".split()
)
LINKING_LETTERS = "se"  # "arbejdsmiljø", "børnehave": a modifier may end with one


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """Folded word → Zipf frequency (the largest where several words fold alike)."""
    from wordfreq import get_frequency_dict, zipf_frequency  # 0.1 s, on first use

    frequencies: dict[str, float] = {}
    for word in get_frequency_dict("da"):
        if word.isalpha():
            folded = fold(word)
            zipf = zipf_frequency(word, "da")
            if zipf > frequencies.get(folded, 0.0):
                frequencies[folded] = zipf
    return frequencies


@lru_cache(maxsize=1)
def _term_frequencies() -> dict[str, float]:
    """Index term (folded stem) → the Zipf frequency of its most frequent word."""
    terms: dict[str, float] = {}
    for word, zipf in _frequencies().items():
        term = stem(word)
        if zipf > terms.get(term, 0.0):
            terms[term] = zipf
    return terms


@lru_cache(maxsize=1)
def _inflection_frequencies() -> dict[str, float]:
    """Index term → the Zipf frequency of its most frequent word other than the bare stem, where
    unrelated words collide ("dem" the pronoun is the stem of "demens")."""
    terms: dict[str, float] = {}
    for word, zipf in _frequencies().items():
        term = stem(word)
        if term != word and zipf > terms.get(term, 0.0):
            terms[term] = zipf
    return terms


def warm() -> None:
    """Load the lexicon now (a service does at start), not in the first search that needs it."""
    _frequencies()
    _term_frequencies()


def zipf(word: str) -> float:
    """How common a word is in Danish (Zipf scale; 0 for a word the lexicon lacks)."""
    return _frequencies().get(fold(word), 0.0)


def term_zipf(term: str) -> float:
    """How common the most common word of an index term (a folded stem) is in Danish."""
    return _term_frequencies().get(term, 0.0)


def is_everyday(word: str) -> bool:
    return zipf(word) >= EVERYDAY_ZIPF


def is_everyday_term(term: str) -> bool:
    return term_zipf(term) >= EVERYDAY_ZIPF


def is_everyday_word(word: str) -> bool:
    """Everyday Danish as written ("omkring") or as an inflection of an everyday word
    ("eleverne", "skolens", "tages"), judged by the commonest word of its stem but the bare stem
    itself: "demens", whose stem is the pronoun "dem", stays a rare word."""
    if zipf(word) >= EVERYDAY_ZIPF:
        return True
    term = term_of(word)
    return term is not None and _inflection_frequencies().get(term, 0.0) >= EVERYDAY_ZIPF


@lru_cache(maxsize=4096)
def is_danish(word: str) -> bool:
    """A lexicon word, or a compound of two ("barselsdagpenge", "børnetandpleje")."""
    folded = fold(word)
    if not folded.isalpha():
        return False
    return folded in _frequencies() or compound_parts(folded) is not None


def compound_parts(folded: str) -> tuple[str, str] | None:
    """A folded word as two lexicon words, modifier and head, the longest head first; a
    linking s or e may join them. A verb prefix is no modifier."""
    words = _frequencies()
    for cut in range(MIN_PART, len(folded) - MIN_PART + 1):
        modifier, head = folded[:cut], folded[cut:]
        if head not in words:
            continue
        for candidate in (modifier, modifier[:-1] if modifier[-1] in LINKING_LETTERS else ""):
            if len(candidate) >= MIN_PART and candidate in words and candidate not in VERB_PREFIXES:
                return candidate, head
    return None
