"""One-line Danish reasons: the themes a wish and an offer share, in the host's own words.

Shared themes are shared word stems, the rarest first (a word in every offer says nothing).
When a pair matched only in meaning, the reason names what the offer is about instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from engine.pairing.loading import Host, Intern
from indexer.analysis import term_of, tokens

MIN_WORD_CHARS = 4
MAX_THEMES = 2
MIN_COMPOUND_PART = 5  # shorter stems are parts of too many unrelated compounds
COMMON_SHARE = 0.08  # words in more than this share of the week's texts are not themes
# Words that carry no theme however rare they are in one week: verbs of wanting, seeing and
# taking part, and the adverbs and adjectives every wish and offer is built from.
FILLER_WORDS = """
    andre anden ansvaret arbejde arbejder arbejdet balancerer bedre blive bliver bruge bruger
    bygge bygger både dag dage deltage egen egne erfaring erfaringer faktisk finde flere flytte
    forberedes forstå følg følge følger gerne give gode godt gøre hele hjælpe hjælper holde
    hvordan hvornår høre indblik især kombinerer komme kommer kontakt lave laver lille lokale lære
    mange mere måde måder møde møder nysgerrige også offentlige oplev opleve praksis rigtige
    rigtigt sammen samme selv sidde stiller stor store tage tilbage tværs uden uge ugen vise
    viser vores ønsker åbent
""".split()
FILLER_TERMS = frozenset(t for t in map(term_of, FILLER_WORDS) if t)


class ReasonWriter:
    """Knows every offer and wish of the week, so it can tell distinctive words from filler."""

    def __init__(self, interns: Sequence[Intern], hosts: Sequence[Host]) -> None:
        self._offer_words = {h.id: _words(h.offer) for h in hosts}
        self._wish_words = {i.id: _words(i.wish) for i in interns}
        texts = [*self._offer_words.values(), *self._wish_words.values()]
        counts: Counter[str] = Counter()
        for words in texts:
            counts.update(words.keys())
        self._idf = {t: math.log((1 + len(texts)) / (1 + n)) for t, n in counts.items()}
        self._common = {t for t, n in counts.items() if n > max(2, COMMON_SHARE * len(texts))}

    def themes(self, intern: Intern, host: Host) -> list[str]:
        """Words of the offer whose stems the wish shares, most distinctive first."""
        offer = self._offer_words.get(host.id) or _words(host.offer)
        wish = self._wish_words.get(intern.id) or _words(intern.wish)
        shared = [t for t in offer if t not in self._common and _shares_stem(t, wish)]
        shared.sort(key=lambda t: (t not in wish, -self._idf.get(t, 0.0), -len(offer[t])))
        return [offer[t] for t in shared[:MAX_THEMES]]

    def key_phrases(self, host: Host) -> list[str]:
        """The offer's most distinctive words, for pairs that match in meaning only."""
        offer = self._offer_words.get(host.id) or _words(host.offer)
        ranked = sorted(
            (t for t in offer if t not in self._common),
            key=lambda t: (-self._idf.get(t, 0.0), -len(offer[t])),
        )
        return [offer[t] for t in ranked[:MAX_THEMES]]

    def for_pair(self, intern: Intern, host: Host, *, wished_rank: int | None, locked: bool) -> str:
        themes = self.themes(intern, host)
        if themes:
            text = f"Begge handler om {_joined(themes)}"
        else:
            phrases = self.key_phrases(host)
            about = f" om {_joined(phrases)}" if phrases else ""
            text = f"Ønsket ligner i betydning værtens tilbud{about}"
        extras = []
        if locked:
            extras.append("låst af koordinatoren")
        if wished_rank is not None:
            extras.append(f"ønsket vært nr. {wished_rank}")
        if intern.sector and host.sector and intern.sector != host.sector:
            extras.append(f"på tværs af sektorer ({intern.sector} → {host.sector})")
        return "; ".join([text, *extras])


def _shares_stem(term: str, wish: dict[str, str]) -> bool:
    """The wish has the stem, or one half of a compound ("skærm" in "skærmbesøg", either way)."""
    if term in wish:
        return True
    return any(
        len(short) >= MIN_COMPOUND_PART and (long.startswith(short) or long.endswith(short))
        for other in wish
        for short, long in ((other, term), (term, other))
        if len(short) < len(long) and short.isalpha()
    )


def _words(text: str) -> dict[str, str]:
    """Stem → the first surface form in the text, lower-cased, for words long enough to mean."""
    found: dict[str, str] = {}
    for token in tokens(text):
        if (
            len(token.surface) >= MIN_WORD_CHARS
            and not token.surface.isdigit()
            and token.term not in FILLER_TERMS
        ):
            found.setdefault(token.term, token.surface.lower())
    return found


def _joined(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} og {words[-1]}"


def unmatched_reason(
    intern: Intern, offering: int, offering_elsewhere: int, feasible: int, *, mode: str
) -> str:
    """Why an intern got no place: no host the rules allow, or every allowed host is full.

    offering: hosts offering the intern's duration; offering_elsewhere: of those, hosts outside
    the intern's own organisation; feasible: of those, hosts the intern has not excluded.
    """
    days = f"{intern.duration} {'dag' if intern.duration == 1 else 'dage'}"
    if offering == 0:
        return f"Ingen vært tilbyder besøg på {days}"
    if offering_elsewhere == 0:
        return f"De værter, der tilbyder {days}, hører alle til praktikantens egen organisation"
    if feasible == 0:
        return f"Praktikanten har selv udelukket alle værter, der tilbyder {days}"
    noun = "vært" if feasible == 1 else "værter"
    if mode == "stable":
        return (
            f"Alle {feasible} mulige {noun} ({days}) er fyldt op med praktikanter, "
            "de passer bedre til"
        )
    return f"Alle {feasible} mulige {noun} ({days}) er fyldt op"
