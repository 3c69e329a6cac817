"""Danish reasons in whole sentences: the themes a wish and an offer share, in the host's own words.

Shared themes are shared word stems, the rarest first (a word in every offer says nothing).
When a pair matched only in meaning, the reason names what the offer is about instead.
"""

from __future__ import annotations

import math
import re
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
        """Whole Danish sentences a coordinator can send as they are: what wish and offer have
        in common (the shared words, quoted, and the host's own sentence about them), then the
        wish, the crossing of sectors and the lock."""
        themes = self.themes(intern, host)
        if themes:
            noun = "ordet" if len(themes) == 1 else "ordene"
            quoted = _joined([f"»{t}«" for t in themes])
            sentences = [f"Ønsket og værtens tilbud har {noun} {quoted} til fælles."]
            anchor = themes[0]
        else:
            sentences = ["Ønsket ligner værtens tilbud i indhold, selv om ordene er andre."]
            phrases = self.key_phrases(host)
            anchor = phrases[0] if phrases else ""
        quote = offer_excerpt(host.offer, anchor)
        if quote:
            sentences.append(f"Værten skriver: »{quote}«.")
        if wished_rank is not None:
            sentences.append(f"Værten var praktikantens {_ordinal(wished_rank)} ønske.")
        if intern.sector and host.sector and intern.sector != host.sector:
            sentences.append(
                f"Besøget går på tværs af sektorer, fra {_sector_phrase(intern.sector)} "
                f"til {_sector_phrase(host.sector)}."
            )
        if locked:
            sentences.append("Parret er låst af koordinatoren.")
        return " ".join(sentences)


ORDINALS = ("første", "andet", "tredje", "fjerde", "femte")
SECTOR_PHRASES = {"kommune": "en kommune", "region": "en region", "stat": "staten"}
MAX_EXCERPT_CHARS = 140


def _ordinal(rank: int) -> str:
    return ORDINALS[rank - 1] if 1 <= rank <= len(ORDINALS) else f"{rank}."


def _sector_phrase(sector: str) -> str:
    return SECTOR_PHRASES.get(sector.strip().lower(), sector.strip())


def offer_excerpt(offer: str, word: str) -> str:
    """The offer's sentence holding `word` (else its first), without its full stop, cut at a
    word before MAX_EXCERPT_CHARS; quoting the host keeps the reason in good Danish."""
    sentences = _sentences(offer)
    if not sentences:
        return ""
    folded = word.casefold()
    chosen = next((s for s in sentences if folded and folded in s.casefold()), sentences[0])
    chosen = chosen.rstrip(".!? ")
    if len(chosen) <= MAX_EXCERPT_CHARS:
        return chosen
    cut = chosen[:MAX_EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return f"{cut} …"


# Abbreviations that end in a full stop without ending the sentence.
ABBREVIATIONS = (
    "bl.a.",
    "fx.",
    "f.eks.",
    "mv.",
    "m.v.",
    "osv.",
    "ca.",
    "inkl.",
    "evt.",
    "dvs.",
    "jf.",
    "nr.",
    "pga.",
    "mht.",
    "ift.",
    "bl.",
    "mfl.",
    "m.fl.",
    "etc.",
)


def _sentences(text: str) -> list[str]:
    """Sentences split at . ! ? before a space, not after a Danish abbreviation."""
    sentences: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+", text.strip()):
        if sentences and sentences[-1].casefold().endswith(ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece.strip():
            sentences.append(piece.strip())
    return sentences


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
