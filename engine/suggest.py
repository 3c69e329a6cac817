"""Suggestions while typing: unit names, people's names and competencies that start like the query.

Each typed word must be the start of a word of the suggestion ("plejec sol" finds "Plejecenter
Solgården"), case- and accent-folded like search ("aeldre" finds "ældre"). Every word start of a
suggestion is a key in one sorted list, so a lookup is a bisection and a range.

The index changes with every write, and a new version shares a base block with the last (see
`indexer.index`). The suggestions of the base block are worked out once per block; rows written
since go into small sorted runs, merged as they grow (each row is sorted in about log n runs), so
a write costs the size of the write. Dead rows are tombstones in the index: a deleted or renamed
record's suggestion is left out at once, however long ago its block was built.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from indexer.analysis import fold
from indexer.index import SearchIndex
from indexer.records import Document, split_list

SuggestionKind = Literal["unit", "person", "competency"]
_KINDS: tuple[SuggestionKind, ...] = ("unit", "person", "competency")

DEFAULT_LIMIT = 8
MAX_LIMIT = 20
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 6
# Expertise is sometimes a sentence ("Har indført tidsbestilling og ..."): not a suggestion.
MAX_ITEM_WORDS = 5
MAX_ITEM_CHARS = 48
# A range of at most this many keys is ranked whole; a wider one (a letter or two typed) is
# answered from the best keys of each stretch of STRETCH keys, kept when the block is built.
SCAN_LIMIT = 4096
STRETCH = 1024
STRETCH_BEST = 64
# Runs stop merging at this many rows, so no write waits for a large merge (a merge of 300 rows
# took 36 ms); until compaction a tail of 20k rows is then ~80 runs, each a bisection.
MAX_RUN_ROWS = 256
CANDIDATES_PER_LIMIT = 2  # entries of each kind taken per suggestion asked for, per block
MANY_ROWS = 16

_WORD = re.compile(r"[^\W_]+")
_CONTACT = re.compile(r"@|\d[\d ]{5,}")  # an e-mail address or phone number is never suggested
_END = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: a unit or person to open (`id`), or a competency to search for."""

    text: str
    kind: SuggestionKind
    id: str | None  # the unit's or person's id; None for a competency
    unit_id: str | None  # a person's unit (their page), or the unit itself
    unit_name: str | None  # tells namesakes apart
    count: int  # live records carrying a competency; 1 for a unit or person


@dataclass(frozen=True)
class Suggestions:
    query: str
    suggestions: list[Suggestion]
    took_ms: float


def query_words(query: str) -> list[str]:
    """The folded words typed, at most MAX_QUERY_WORDS of the first MAX_QUERY_CHARS letters."""
    return _WORD.findall(fold(query[:MAX_QUERY_CHARS]))[:MAX_QUERY_WORDS]


def suggestion_items(document: Document) -> Iterator[tuple[SuggestionKind, str]]:
    """What a record offers as suggestions: its name, and its short competencies or expertise."""
    if document.kind == "trial":
        return
    yield document.kind, document.title
    field = "competencies" if document.kind == "unit" else "expertise"
    for item in split_list(document.metadata.get(field, "")):
        short = len(item) <= MAX_ITEM_CHARS and len(item.split()) <= MAX_ITEM_WORDS
        if short and not _CONTACT.search(item):
            yield "competency", item


@dataclass(frozen=True)
class _Entry:
    kind: SuggestionKind
    text: str
    words: tuple[str, ...]  # folded
    rows: tuple[int, ...]  # the records that carry it (namesakes share an entry)
    folded: str  # the text folded, for ties in the ranking
    # The rows as an array when there are many (a common competency): counting the live ones
    # row by row was a third of a one-letter request after writes.
    row_array: np.ndarray | None = None


@dataclass(frozen=True)
class _Candidate:
    entry: _Entry
    first: bool  # a typed word is a whole word of it, or the first typed word starts it


class _Block:
    """The suggestions of some rows, sorted by every word start: never changed once made."""

    def __init__(self, rows: Iterable[tuple[int, Document]]) -> None:
        grouped: dict[tuple[SuggestionKind, str], tuple[str, list[int]]] = {}
        for row, document in rows:
            for kind, text in suggestion_items(document):
                folded = " ".join(fold(text).split())
                if _WORD.search(folded):
                    grouped.setdefault((kind, folded), (text, []))[1].append(row)
        self.entries: list[_Entry] = []
        keyed: list[tuple[str, int, int]] = []
        for (kind, folded), (text, entry_rows) in grouped.items():
            number = len(self.entries)
            starts = [m.start() for m in _WORD.finditer(folded)]
            words = tuple(_WORD.findall(folded))
            unique = tuple(dict.fromkeys(entry_rows))
            array = np.array(unique, dtype=np.int64) if len(unique) > MANY_ROWS else None
            self.entries.append(_Entry(kind, text, words, unique, folded, array))
            keyed += [(folded[start:], number, position) for position, start in enumerate(starts)]
        keyed.sort()
        self.keys = [k for k, _, _ in keyed]
        self.entry_of = np.array([e for _, e, _ in keyed], dtype=np.int64)
        # Rank once: the first word before later ones, then more records, then shorter.
        order = sorted(
            range(len(keyed)),
            key=lambda i: (
                keyed[i][2] > 0,
                -len(self.entries[keyed[i][1]].rows),
                len(self.entries[keyed[i][1]].text),
                self.keys[i],
            ),
        )
        self.rank = np.empty(len(keyed), dtype=np.int64)
        self.rank[np.array(order, dtype=np.int64)] = np.arange(len(keyed))
        kinds = np.array([_KINDS.index(self.entries[e].kind) for e in self.entry_of.tolist()])
        self.kind_of = kinds.astype(np.int8)
        self.best = [
            self._best(start, min(start + STRETCH, len(keyed)))
            for start in range(0, len(keyed), STRETCH)
        ]

    def __len__(self) -> int:
        return len(self.keys)

    def _ranked(self, lo: int, hi: int) -> np.ndarray:
        keys: np.ndarray = np.arange(lo, hi)[np.argsort(self.rank[lo:hi], kind="stable")]
        return keys

    def _best(self, lo: int, hi: int) -> np.ndarray:
        """The best STRETCH_BEST keys of each kind: a mix survives a letter or two typed."""
        ranked = self._ranked(lo, hi)
        kinds = self.kind_of[ranked]
        parts = [ranked[kinds == k][:STRETCH_BEST] for k in range(len(_KINDS))]
        return np.sort(np.concatenate(parts))

    def ranked_range(self, lo: int, hi: int) -> np.ndarray:
        """Key numbers in [lo, hi), best first; for a wide range only each stretch's best."""
        if hi - lo <= SCAN_LIMIT:
            return self._ranked(lo, hi)
        first, last = -(-lo // STRETCH), hi // STRETCH  # stretches wholly inside the range
        parts = [self._ranked(lo, first * STRETCH), self._ranked(last * STRETCH, hi)]
        parts += self.best[first:last]
        keys = np.concatenate(parts)
        ranked: np.ndarray = keys[np.argsort(self.rank[keys], kind="stable")]
        return ranked

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        return bisect_left(self.keys, prefix), bisect_left(self.keys, prefix + _END)

    def candidates(self, words: list[str], wanted: int) -> Iterator[_Candidate]:
        """Entries every typed word starts a word of, best first: those where the anchor (the
        typed word with the fewest keys) is a whole word, then the rest of its range."""
        ranges = [self.prefix_range(w) for w in words]
        anchor = min(range(len(words)), key=lambda i: ranges[i][1] - ranges[i][0])
        lo, hi = ranges[anchor]
        whole = bisect_left(self.keys, words[anchor] + "!", lo, hi)  # "w" and "w ..." sort first
        seen: set[int] = set()
        # A kind with no key in the range cannot be found: without this, every run (written
        # units, no people) was scanned to its end looking for people, after 2,000 writes
        # ~200 candidates per letter instead of ~50 (bench/bench_suggest.py).
        present = np.bincount(self.kind_of[lo:hi], minlength=len(_KINDS))
        wanted_of = {k: wanted if present[n] else 0 for n, k in enumerate(_KINDS)}
        if not any(wanted_of.values()):
            return
        for part in (self.ranked_range(lo, whole), self.ranked_range(whole, hi)):
            for key in part.tolist():
                number = int(self.entry_of[key])
                if number in seen:
                    continue
                seen.add(number)
                entry = self.entries[number]
                if not all(any(ew.startswith(w) for ew in entry.words) for w in words):
                    continue
                first = entry.words[0].startswith(words[0]) or any(w in entry.words for w in words)
                if wanted_of[entry.kind] <= 0:
                    continue
                yield _Candidate(entry, first)
                wanted_of[entry.kind] -= 1
                if not any(wanted_of.values()):
                    return


class _Runs:
    """The rows after a base block, in sorted runs that merge as they grow (binary-counter style,
    up to MAX_RUN_ROWS): a write sorts its own rows, and a row takes part in a few merges."""

    def __init__(self, start: int, end: int, runs: tuple[tuple[int, int, _Block], ...]) -> None:
        self.start = start
        self.end = end  # rows [start, end) are covered
        self.runs = runs

    def extended(self, index: SearchIndex) -> _Runs:
        if index.size <= self.end:
            return self
        runs = list(self.runs)
        runs.append((self.end, index.size, _block_of(index, self.end, index.size)))
        while (
            len(runs) >= 2
            and runs[-2][1] - runs[-2][0] <= runs[-1][1] - runs[-1][0]
            and runs[-1][1] - runs[-2][0] <= MAX_RUN_ROWS
        ):
            (start, _, _), (_, end, _) = runs[-2], runs[-1]
            runs[-2:] = [(start, end, _block_of(index, start, end))]
        return _Runs(self.start, index.size, tuple(runs))


def _block_of(index: SearchIndex, start: int, end: int) -> _Block:
    """Rows dead by now are left out: they are dead in every later version too."""
    documents = index.documents
    return _Block((row, d) for row in range(start, end) if (d := documents[row]) is not None)


class Suggester:
    """Suggestions over successive versions of one live index (one per process, thread-safe):
    the base block's suggestions are built once, rows since then in runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._base: tuple[object, _Block] | None = None
        self._runs: tuple[object, _Runs] | None = None

    def warm(self, index: SearchIndex) -> None:
        """Build what this version needs now (in the background), not in a user's request."""
        self._blocks(index)

    def is_warm(self, index: SearchIndex) -> bool:
        """Whether this version's base block is built (its runs are cheap either way)."""
        base = self._base
        return base is not None and base[0] is index.lexical.base_terms

    def suggest(self, index: SearchIndex, query: str, limit: int = DEFAULT_LIMIT) -> Suggestions:
        started = time.perf_counter()
        limit = max(1, min(limit, MAX_LIMIT))
        words = query_words(query)
        found: list[Suggestion] = []
        if words:
            blocks = self._blocks(index)
            found = _chosen(_ranked(index, blocks, words, limit), limit)
        took = (time.perf_counter() - started) * 1000
        return Suggestions(query, found, round(took, 2))

    def _blocks(self, index: SearchIndex) -> list[_Block]:
        """The base block of this version (built on first sight) and its runs since."""
        lexical = index.lexical
        identity = lexical.base_terms  # one object for every version sharing the base block
        with self._lock:
            base = self._base
            if base is None or base[0] is not identity:
                base = self._base = (identity, _block_of(index, 0, lexical.base_size))
                self._runs = None
            runs = self._runs
            if runs is None or runs[0] is not identity:
                runs = (identity, _Runs(lexical.base_size, lexical.base_size, ()))
            runs = self._runs = (identity, runs[1].extended(index))
        return [base[1], *(block for _, _, block in runs[1].runs)]


def _ranked(
    index: SearchIndex, blocks: list[_Block], words: list[str], limit: int
) -> list[tuple[tuple[int, int, int, str], Suggestion]]:
    """Live suggestions from every block, merged (a competency's records are summed) and
    ranked: first-word or whole-word matches, then more records, then shorter."""
    alive, documents, size = index.alive, index.documents, index.size
    competencies: dict[str, tuple[bool, str, int, str]] = {}
    named: dict[tuple[str, str], tuple[bool, Suggestion, str]] = {}
    for block in blocks:
        for candidate in block.candidates(words, limit * CANDIDATES_PER_LIMIT):
            entry = candidate.entry
            if entry.kind == "competency":
                live_count = _live_count(entry, alive, size)
                if not live_count:
                    continue
                key = " ".join(entry.words)
                first, text, count, folded = competencies.get(
                    key, (False, entry.text, 0, entry.folded)
                )
                competencies[key] = (first or candidate.first, text, count + live_count, folded)
                continue
            live = [r for r in entry.rows if r < size and alive[r]]
            if not live:
                continue
            for row in live[:limit]:
                document = documents[row]
                assert document is not None  # a live row
                unit_id = document.id if document.kind == "unit" else document.unit_id
                suggestion = Suggestion(
                    entry.text, entry.kind, document.id, unit_id, document.unit_name, 1
                )
                named.setdefault(
                    (entry.kind, document.id), (candidate.first, suggestion, entry.folded)
                )
    ranked = [
        (_order(first, s, folded), s)
        for first, s, folded in [
            *named.values(),
            *(
                (first, Suggestion(text, "competency", None, None, None, count), folded)
                for first, text, count, folded in competencies.values()
            ),
        ]
    ]
    ranked.sort(key=lambda pair: pair[0])
    return ranked


def _live_count(entry: _Entry, alive: np.ndarray, size: int) -> int:
    if entry.row_array is None:
        return sum(1 for r in entry.rows if r < size and alive[r])
    rows = entry.row_array
    return int(np.count_nonzero(alive[rows[rows < size]]))


def _order(first: bool, suggestion: Suggestion, folded: str) -> tuple[int, int, int, str]:
    """First-word or whole-word matches, then more records, then shorter; `folded` breaks ties
    (the block folded it once: folding here was a fifth of a one-letter request)."""
    return (0 if first else 1, -suggestion.count, len(suggestion.text), folded)


def _chosen(
    ranked: list[tuple[tuple[int, int, int, str], Suggestion]], limit: int
) -> list[Suggestion]:
    """At most `limit`, a mix of kinds: each kind first gets an equal share; then
    grouped by kind, the groups in the order of their best suggestion."""
    kinds = {s.kind for _, s in ranked}
    cap = -(-limit // max(1, len(kinds)))  # an equal share each, then the rest by rank
    picked: list[int] = []
    taken: dict[str, int] = {}
    for number, (_, suggestion) in enumerate(ranked):
        if len(picked) == limit:
            break
        if taken.get(suggestion.kind, 0) < cap:
            picked.append(number)
            taken[suggestion.kind] = taken.get(suggestion.kind, 0) + 1
    for number in range(len(ranked)):
        if len(picked) >= limit:
            break
        if number not in picked:
            picked.append(number)
    picked.sort()
    group_rank: dict[str, int] = {}
    for number in picked:
        group_rank.setdefault(ranked[number][1].kind, len(group_rank))
    picked.sort(key=lambda n: (group_rank[ranked[n][1].kind], n))
    return [ranked[n][1] for n in picked]
