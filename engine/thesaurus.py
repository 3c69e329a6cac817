"""A Danish thesaurus: everyday words find the words the records use ("sukkersyge" finds
"diabetes", "firmaer" finds "virksomheder", "glemsom" finds "dement").

People ask in their own words, and a small organisation's records use few of them. The team's
synonym list (`engine/data/synonyms.txt`) covers the public sector's abbreviations and terms; this
covers the language around them. It is the Danish thesaurus of LibreOffice (`th_da_DK`, from
Foreningen for frit tilgængelige sprogværktøjer, Debian's `mythes-da`), cut down by `build` to
what is safe to add to a query: plain synonyms (no narrower terms, which the source marks
"underbegreb"), single words, from short sense lines (a long line is a loose cluster: "skrald"
lists "lort", "møg", "skidt" …), and only headwords with few senses, so "falde" (38 senses) adds
nothing. The search reads only words that no record holds by it (`Fusion.thesaurus_weight`): a
thesaurus does not know which sense a query means, so a word the records use is left as typed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.resources import files

from indexer.analysis import terms

MAX_ADDED = 12  # terms a query gains from the thesaurus at most
MAX_SENSES = 2  # a headword with more plain senses is too ambiguous to read
MAX_LINE_WORDS = 4  # a sense line listing more words is a loose cluster
DATA_FILE = "data/thesaurus_da.txt"


class Thesaurus:
    """Headword term -> the terms of its synonyms (by the index's analysis, so "firmaer" and
    "firma" look up the same entry)."""

    def __init__(self, entries: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._by_term: dict[str, list[str]] = {}
        for headword, synonyms in entries:
            head = terms(headword)
            if len(head) != 1:
                continue
            found = self._by_term.setdefault(head[0], [])
            for synonym in synonyms:
                for term in terms(synonym):
                    if term != head[0] and term not in found:
                        found.append(term)

    @property
    def vocabulary(self) -> frozenset[str]:
        """The terms that have synonyms here."""
        return frozenset(self._by_term)

    def expand(self, query_terms: Sequence[str], weight: float) -> dict[str, float]:
        """Terms the query's words add, at `weight` (none of the query's own)."""
        present = set(query_terms)
        added: dict[str, float] = {}
        for term in query_terms:
            for synonym in self._by_term.get(term, ()):
                if synonym not in present:
                    added.setdefault(synonym, weight)
        return dict(list(added.items())[:MAX_ADDED])


def parse(text: str) -> list[tuple[str, list[str]]]:
    """The bundled format: `headword: synonym, synonym`, `#` starting a comment."""
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        headword, _, rest = line.partition(":")
        entries.append((headword.strip(), [w.strip() for w in rest.split(",") if w.strip()]))
    return entries


@lru_cache(maxsize=1)
def bundled() -> Thesaurus:
    text = files("engine").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return Thesaurus(parse(text))


def from_mythes(text: str) -> list[tuple[str, list[str]]]:
    """The entries of a MyThes file (`th_da_DK.dat`) that are safe to add to a query (see the
    module's docstring)."""
    lines = text.split("\n")[1:]  # the first line names the encoding
    entries = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        headword, _, count = lines[i].rpartition("|")
        senses = lines[i + 1 : i + 1 + int(count)]
        i += 1 + int(count)
        if " " in headword:
            continue
        # Narrower terms are not synonyms; a word marked as slang or jargon is left out alone.
        plain = [
            [w.strip() for w in sense.split("|") if w.strip() and "(" not in w]
            for sense in senses
            if "(underbegreb)" not in sense
        ]
        plain = [words for words in plain if words]
        if len(plain) > MAX_SENSES:
            continue
        synonyms: list[str] = []
        for words in plain:
            if len(words) <= MAX_LINE_WORDS:  # a longer line is a loose cluster
                synonyms += [w for w in words if re.fullmatch(r"[a-zæøåéü]+", w)]
        synonyms = [w for w in dict.fromkeys(synonyms) if w != headword]
        if synonyms:
            entries.append((headword, synonyms))
    return entries


HEADER = """\
# A Danish thesaurus for tvaers, cut down from LibreOffice's th_da_DK (Debian: mythes-da) by
# `python -m engine.thesaurus /usr/share/mythes/th_da_DK.dat > engine/data/thesaurus_da.txt`.
# Source: Foreningen for frit tilgængelige sprogværktøjer <info@stavekontrolden.dk>, 2007-2014.
# License of this file: LGPL-2.1 or GPL-2 or MPL-1.1 (as its source), not tvaers' MIT.
# One headword a line: `headword: synonym, synonym`.
"""


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as source:
        entries = from_mythes(source.read())
    sys.stdout.write(HEADER)
    for headword, synonyms in entries:
        sys.stdout.write(f"{headword}: {', '.join(synonyms)}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
