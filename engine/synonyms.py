"""Synonyms and abbreviations: a query word also matches the other members of its group.

"PPR" finds "pædagogisk psykologisk rådgivning" and the other way round, "plejehjem" finds
"plejecenter". Two lists apply together: the bundled one (`engine/data/synonyms.txt`, written by
the team) and the admins' (a table in the database, shared by every process). Both have one
group per line, comma-separated, `#` starting a comment. A member is a word or a phrase; a
phrase fires when every word of it is in the query. The other members' words are added at
`WEIGHT` of a query word, shared among a phrase's words, so a synonym never outweighs what the
user typed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import sqlalchemy as sa

from indexer.analysis import terms, tokens
from indexer.schema import synonyms_table

WEIGHT = 0.6
MAX_ADDED = 24  # terms a query gains from synonyms at most
MAX_GROUP_CHARS = 2000
MAX_GROUPS = 5000
CHECK_EVERY_S = 0.25  # how stale another process's change may be in this one, at most


@dataclass(frozen=True)
class _Member:
    group: int
    terms: tuple[str, ...]


class Synonyms:
    """Groups of members; each member is the tuple of index terms its words give."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self.groups: list[list[str]] = []
        self._members: list[list[_Member]] = []
        self._by_term: dict[str, list[_Member]] = {}
        self._surfaces: dict[str, str] = {}
        for group in groups:
            members = [m for m in (_member_terms(w) for w in group) if m]
            members = list(dict.fromkeys(members))
            if len(members) < 2:
                continue
            number = len(self.groups)
            self.groups.append([w.strip() for w in group if w.strip()])
            for word in group:
                for token in tokens(word):
                    self._surfaces.setdefault(token.term, token.surface)
            made = [_Member(number, m) for m in members]
            self._members.append(made)
            for member in made:
                for term in member.terms:
                    self._by_term.setdefault(term, []).append(member)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every index term some member holds (typo correction reads unknown words as these)."""
        return frozenset(self._by_term)

    def surface(self, term: str) -> str | None:
        """The term as the lists write it ("ppr" → "PPR")."""
        return self._surfaces.get(term)

    def expand(self, query_terms: Sequence[str]) -> dict[str, float]:
        """Terms the query's synonyms add, with their weights (none of the query's own)."""
        present = set(query_terms)
        added: dict[str, float] = {}
        fired: set[int] = set()
        for term in query_terms:
            for member in self._by_term.get(term, ()):
                if member.group in fired or not present.issuperset(member.terms):
                    continue
                fired.add(member.group)
                for other in self._members[member.group]:
                    if other.terms == member.terms:
                        continue
                    share = WEIGHT / len(other.terms)
                    for word in other.terms:
                        if word not in present:
                            added[word] = max(added.get(word, 0.0), share)
        return dict(list(added.items())[:MAX_ADDED])

    def phrases(self, query_terms: Sequence[str]) -> list[tuple[str, ...]]:
        """The phrases of several words that the query's synonyms add ("social- og
        sundhedsassistent" for "SOSU"): a document matches one only when it holds every word of
        it, so "social" alone is no match for "SOSU"."""
        present = set(query_terms)
        found: dict[tuple[str, ...], None] = {}
        for term in query_terms:
            for member in self._by_term.get(term, ()):
                if not present.issuperset(member.terms):
                    continue
                for other in self._members[member.group]:
                    if len(other.terms) > 1 and other.terms != member.terms:
                        found[other.terms] = None
        return list(found)

    def __add__(self, other: Synonyms) -> Synonyms:
        return Synonyms([*self.groups, *other.groups])


def _member_terms(words: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms(words)))


def parse(text: str) -> list[list[str]]:
    """Groups from the list format; raises ValueError (Danish) naming the line that is wrong."""
    groups: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_GROUP_CHARS:
            raise ValueError(f"Linje {number} er for lang (højst {MAX_GROUP_CHARS} tegn).")
        members = [m.strip() for m in line.split(",") if m.strip()]
        if len(members) < 2:
            raise ValueError(
                f"Linje {number} har kun ét ord: skriv mindst to ord adskilt af komma, "
                f"fx 'plejehjem, plejecenter'."
            )
        if not all(_member_terms(m) for m in members):
            raise ValueError(
                f"Linje {number} har et led uden søgbare ord (kun fyldord som 'og', 'i')."
            )
        groups.append(members)
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"Listen har {len(groups)} grupper; højst {MAX_GROUPS}.")
    return groups


def format_groups(groups: Sequence[Sequence[str]]) -> str:
    return "".join(", ".join(group) + "\n" for group in groups)


@lru_cache(maxsize=1)
def bundled() -> Synonyms:
    """The team's list, installed with the package."""
    text = files("engine").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
    return Synonyms(parse(text))


class SynonymTable:
    """The admins' list in the database (one row, `indexer.schema.synonyms_table`), merged with
    the bundled one.

    Every process on the database sees a change: `current()` looks at the row's revision at
    most every `check_every` seconds (one small query), and reads the list again when it moved.
    The process that saves sees its change at once.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        with_bundled: bool = True,
        check_every: float = CHECK_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._base = bundled() if with_bundled else Synonyms([])
        self.check_every = check_every
        self._clock = clock
        self._checked: float | None = None
        self._revision: int | None = None
        self._current = self._base
        self._lock = threading.Lock()

    def current(self) -> Synonyms:
        now = self._clock()
        if self._checked is None or now - self._checked >= self.check_every:
            with self._lock:
                if self._checked is None or now - self._checked >= self.check_every:
                    self._checked = now
                    revision = self._read_revision()
                    if revision != self._revision:
                        self._current = self._base + Synonyms(self.read())
                        self._revision = revision
        return self._current

    def read(self) -> list[list[str]]:
        """The admins' groups ([] without a list; a broken list counts as empty)."""
        try:
            return parse(self.text())
        except ValueError:
            return []

    def text(self) -> str:
        with self._engine.connect() as conn:
            found = conn.execute(
                sa.select(synonyms_table.c.text).where(synonyms_table.c.id == 1)
            ).scalar_one_or_none()
        return found or ""

    def write(self, text: str) -> list[list[str]]:
        """Check and save the admins' list whole (ValueError in Danish if a line is wrong)."""
        groups = parse(text)
        text = text if text.endswith("\n") or not text else text + "\n"
        with self._engine.begin() as conn:
            done = conn.execute(
                synonyms_table.update()
                .where(synonyms_table.c.id == 1)
                .values(text=text, revision=synonyms_table.c.revision + 1)
            )
            if done.rowcount == 0:
                conn.execute(synonyms_table.insert(), {"id": 1, "text": text, "revision": 1})
        with self._lock:
            self._checked = None  # this process sees its own change at its next search
        return groups

    def is_empty(self) -> bool:
        return self._read_revision() is None

    def _read_revision(self) -> int | None:
        with self._engine.connect() as conn:
            found = conn.execute(
                sa.select(synonyms_table.c.revision).where(synonyms_table.c.id == 1)
            ).scalar_one_or_none()
        return None if found is None else int(found)


def import_synonyms_file(path: Path, table: SynonymTable) -> bool:
    """A home from before the table kept the list in `synonyms.txt`: it moves into the table
    (unless the table has a list already) and the file is renamed `synonyms.txt.imported`.
    Returns whether it was imported."""
    if not path.exists():
        return False
    imported = False
    if table.is_empty():
        try:
            table.write(path.read_text(encoding="utf-8"))
            imported = True
        except ValueError:
            return False  # a broken file stays where it is; the admins' page shows the table
    path.replace(path.with_name(path.name + ".imported"))
    return imported
