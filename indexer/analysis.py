"""Danish text analysis for the lexical index: fold, tokenise, drop stop words, stem.

Folding (æ→ae, ø→oe, å→aa, accents dropped) happens *before* stemming, so "ældrepleje" and
"aeldrepleje" always reduce to the same term.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_TOKEN = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*", re.UNICODE)
# A Snowball stemmer keeps the word it works on in itself: one per thread, or concurrent
# searches and writes corrupt each other's words (an IndexError inside the stemmer).
_STEMMERS = threading.local()

MIN_HYPHEN_PART = 2  # "it" in "it-afdeling"; single letters ("e-boks") are no words

# Snowball's Danish stop words, folded the same way as the text.
STOP_WORDS = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om
    vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her
    alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit
    også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive
    mange ad bliver hendes været thi jer sådan hvem kan ved""".split()
)


def fold(text: str) -> str:
    """Lower-case and fold Danish and accented letters to plain ASCII-ish forms.

    æ/ø/å are mapped before decomposition (which would turn å into a) and again after it,
    because some letters only become æ or ø once their accent is stripped (ǽ, ǿ).
    """
    text = text.lower().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.lower().translate(_FOLD)


_FOLDED_STOP_WORDS = frozenset(fold(w) for w in STOP_WORDS)


@dataclass(frozen=True)
class Token:
    """A word as it stands in the text (for highlighting) and the term it indexes as."""

    surface: str
    start: int
    end: int
    term: str


def stem(folded_word: str) -> str:
    stemmer = getattr(_STEMMERS, "danish", None)
    if stemmer is None:
        stemmer = _STEMMERS.danish = snowballstemmer.stemmer("danish")
    return str(stemmer.stemWord(folded_word))


@lru_cache(maxsize=200_000)
def term_of(word: str) -> str | None:
    """The index term for one word, or None for stop words.

    Cached as a whole: folding (Unicode decomposition) costs more than stemming, and the same
    words recur in every snippet. An erasure clears it (`forget_words`).
    """
    folded = fold(word).replace("'", "")
    if folded in _FOLDED_STOP_WORDS:
        return None
    # Hyphenated words and abbreviations ("power-bi", "k.m.d.") index as one word.
    folded = re.sub(r"[-'.]", "", folded)
    if not folded:
        return None
    return stem(folded) if folded.isalpha() else folded


def forget_words() -> None:
    """Drop the cache of analysed words, so an erased person's name is not kept in memory."""
    term_of.cache_clear()


def tokens(text: str) -> list[Token]:
    """Words with their character offsets, stop words left out. A hyphenated word is a word
    and also its parts ("SOSU-elever" holds "sosu" and "elever"), so a query for one part
    finds it."""
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    """`tokens` one at a time: a reader that needs only the first few analyses only those."""
    for match in _TOKEN.finditer(text):
        word = match.group()
        term = term_of(word)
        if term:
            yield Token(word, match.start(), match.end(), term)
        if "-" in word:
            offset = match.start()
            for part in word.split("-"):
                part_term = term_of(part) if len(part) >= MIN_HYPHEN_PART else None
                if part_term and part_term != term:
                    yield Token(part, offset, offset + len(part), part_term)
                offset += len(part) + 1


def terms(text: str) -> list[str]:
    return [t.term for t in tokens(text)]
