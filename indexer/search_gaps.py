"""What people searched for, counted as normalised text per day: no user, no address, no time.

One row per (query, day): how many times it was asked, and the best outcome it had that day
(the most hits, the best evidence), so "no results" and "weak results" can be told apart. The
table lives in the store's database (SQLite or PostgreSQL) beside the records
(`indexer.schema`): it is no part of the log, and the search index never sees it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from indexer.erasure import checkpoint_wal
from indexer.schema import MAX_GAP_QUERY_CHARS, records_table, search_gaps_table

MAX_HELD = 50_000  # queries held in memory below the threshold (~10 MB)
# A CPR-like number (ddmmyy-xxxx, or ten digits) or a phone number (eight digits, maybe after
# +45, in any spacing): a query holding one is never counted.
PERSONAL_NUMBER = re.compile(
    r"(?<!\d)[0-3]\d[01]\d\d\d[\s\-]?\d{4}(?!\d)|(?<!\d)(?:\+?45[\s\-.]?)?(?:\d[\s\-.]?){7}\d(?!\d)"
)
MAX_NAME_WORDS = 4  # the longest run of query words looked up as a person's name


def counted_query(text: str) -> str:
    """The text a search is counted under: NFC, lower case, single spaces, at most 200 chars.

    Not stemmed and not reordered: the page shows it to people, and "hjemmepleje om natten"
    must read as someone typed it. Two askings that differ only in case or spacing are one.
    A query holding an e-mail address, a phone number or a CPR-like number counts as nothing
    (""): those name a person, not a topic. (Names of indexed people are left out at `flush`.)
    """
    text = unicodedata.normalize("NFC", text).casefold()
    if "@" in text or PERSONAL_NUMBER.search(text):
        return ""
    # Control and format characters (NUL, bidi marks) are no part of a question; PostgreSQL
    # would refuse a NUL, and the whole batch with it.
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)
    return " ".join(text.split())[:MAX_GAP_QUERY_CHARS].strip()


@dataclass(frozen=True)
class Asking:
    """One search as a person asked it, with its outcome."""

    query: str  # counted_query() of what was typed
    day: dt.date
    hits: int
    best_cosine: float  # see engine.results.SearchResults
    best_coverage: float


@dataclass(frozen=True)
class Gap:
    """A query over a period: how often, and its best outcome in that period."""

    query: str
    count: int
    hits: int
    best_cosine: float
    best_coverage: float
    last_day: dt.date


@dataclass
class _Tally:
    count: int
    hits: int
    best_cosine: float
    best_coverage: float


class SearchGapLog:
    """Counts askings in memory and writes them in batches (`flush`): a search never waits for
    the database. Several processes on one database add up (an upsert adds counts)."""

    def __init__(self, engine: sa.Engine, *, min_askings: int = 1) -> None:
        self._engine = engine
        # A query reaches the database once this process has seen it asked `min_askings` times
        # that day; until then it is held in memory only (one-off queries: names, case numbers).
        self.min_askings = min_askings
        self._pending: dict[tuple[str, dt.date], _Tally] = {}
        self._written: set[tuple[str, dt.date]] = set()  # keys past the threshold
        self._lock = threading.Lock()

    def count(self, asking: Asking) -> None:
        if not asking.query:
            return
        key = (asking.query, asking.day)
        with self._lock:
            tally = self._pending.get(key)
            if tally is None:
                self._pending[key] = _Tally(
                    1, asking.hits, asking.best_cosine, asking.best_coverage
                )
            else:
                tally.count += 1
                tally.hits = max(tally.hits, asking.hits)
                tally.best_cosine = max(tally.best_cosine, asking.best_cosine)
                tally.best_coverage = max(tally.best_coverage, asking.best_coverage)

    def flush(self) -> int:
        """Write what was counted since the last flush; returns how many rows it touched."""
        with self._lock:
            held = {
                k: t
                for k, t in self._pending.items()
                if t.count < self.min_askings and k not in self._written
            }
            if len(held) > MAX_HELD:  # a flood of distinct one-off queries: forget the oldest
                held = dict(list(held.items())[-MAX_HELD:])
            pending = {k: t for k, t in self._pending.items() if k not in held}
            self._pending = held
            self._written.update(pending)
        if not pending:
            return 0
        with self._engine.connect() as conn:
            naming = queries_naming_people(conn, {q for q, _ in pending})
        pending = {k: t for k, t in pending.items() if k[0] not in naming}
        if not pending:
            return 0
        rows = [
            {
                "query": q,
                "day": d,
                "count": t.count,
                "hits": t.hits,
                "best_cosine": t.best_cosine,
                "best_coverage": t.best_coverage,
            }
            for (q, d), t in pending.items()
        ]
        with self._engine.begin() as conn:
            conn.execute(_upsert(conn.dialect.name), rows)
        return len(rows)

    def forget_before(self, day: dt.date) -> int:
        """Retention: delete every row of a day before `day`; returns how many. Queries of
        past days still held below the threshold are dropped unwritten."""
        with self._lock:
            today = today_utc()
            self._pending = {k: t for k, t in self._pending.items() if k[1] >= today}
            self._written = {k for k in self._written if k[1] >= today}
        with self._engine.begin() as conn:
            result = conn.execute(search_gaps_table.delete().where(search_gaps_table.c.day < day))
        return int(result.rowcount)

    def erase(self, query: str | None = None) -> int:
        """Delete every row, or every row of one query (as typed: it is normalised here),
        pending ones too; returns how many rows left the database."""
        if query is None:
            return self._delete(lambda _: True, None)
        query = counted_query(query)
        return self._delete(lambda q: q == query, search_gaps_table.c.query == query)

    def forget_naming(self, *texts: str) -> int:
        """Delete every query that holds a word of these texts (an erased person's name and
        e-mail): a counted "ingeborg skovsgaard" is a trace of her too. Errs on deleting more."""
        words = sorted({w for t in texts for w in counted_query(t).split() if len(w) >= 2})
        if not words:
            return 0
        column = search_gaps_table.c.query
        return self._delete(
            lambda q: any(w in q for w in words), sa.or_(*(column.contains(w) for w in words))
        )

    def _delete(
        self, pending_matches: Callable[[str], bool], where: sa.ColumnElement[bool] | None
    ) -> int:
        with self._lock:
            self._pending = {k: t for k, t in self._pending.items() if not pending_matches(k[0])}
            self._written = {k for k in self._written if not pending_matches(k[0])}
        statement = search_gaps_table.delete()
        if where is not None:
            statement = statement.where(where)
        with self._engine.begin() as conn:
            deleted = int(conn.execute(statement).rowcount)
        checkpoint_wal(self._engine)  # the deleted rows' old pages leave the WAL too
        return deleted

    def gaps(self, since: dt.date, weak: Weak, *, limit: int = 50) -> list[Gap]:
        """The most asked queries since `since` whose best outcome in the period was no hits
        or weak ones, most asked first."""
        table = search_gaps_table
        hits = sa.func.max(table.c.hits)
        cosine = sa.func.max(table.c.best_cosine)
        coverage = sa.func.max(table.c.best_coverage)
        total = sa.func.sum(table.c.count)
        weak_outcome = sa.and_(cosine < weak.cosine_below, coverage < weak.coverage_below)
        query = (
            sa.select(table.c.query, total, hits, cosine, coverage, sa.func.max(table.c.day))
            .where(table.c.day >= since)
            .group_by(table.c.query)
            .having(sa.or_(hits == 0, weak_outcome))
            .order_by(total.desc(), table.c.query)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Gap(r[0], int(r[1]), int(r[2]), float(r[3]), float(r[4]), _as_date(r[5])) for r in rows
        ]

    def rows(self) -> list[tuple[str, dt.date, int]]:
        """Every stored (query, day, count), oldest first (tests; what is kept)."""
        with self._engine.connect() as conn:
            result = conn.execute(
                sa.select(search_gaps_table).order_by(
                    search_gaps_table.c.day, search_gaps_table.c.query
                )
            ).all()
        return [(str(r[0]), _as_date(r[1]), int(r[2])) for r in result]


def queries_naming_people(conn: sa.Connection, queries: set[str]) -> set[str]:
    """The queries holding the whole name of a person in the records (runs of 2-4 words are
    looked up, in the background flush, never in a search)."""
    runs: dict[str, set[str]] = {}
    for query in queries:
        words = query.split()
        for size in range(2, MAX_NAME_WORDS + 1):
            for start in range(len(words) - size + 1):
                runs.setdefault(" ".join(words[start : start + size]), set()).add(query)
    if not runs:
        return set()
    text = sa.func.lower(records_table.c.fields)
    naming: set[str] = set()
    # People whose fields hold a run's last word (names are compared whole below, in Python).
    candidates = sorted({run.split()[-1] for run in runs})
    for start in range(0, len(candidates), 200):
        chunk = candidates[start : start + 200]
        found = conn.execute(
            sa.select(records_table.c.fields).where(
                records_table.c.kind == "person",
                sa.or_(*(text.contains(word, autoescape=True) for word in chunk)),
            )
        ).scalars()
        for fields in found:
            name = " ".join(str(json.loads(fields).get("name", "")).casefold().split())
            naming.update(runs.get(name, ()))
    return naming


@dataclass(frozen=True)
class Weak:
    """Results are weak when no hit is close in meaning and none holds much of the query's
    words (both below these); chosen on the labelled query sets (service/config.py)."""

    cosine_below: float
    coverage_below: float

    def holds(self, hits: int, best_cosine: float, best_coverage: float) -> bool:
        """No results, or only weak ones."""
        return hits == 0 or (
            best_cosine < self.cosine_below and best_coverage < self.coverage_below
        )


def _upsert(dialect: str) -> sa.Insert:
    """Insert, or add to the row another flush (or process) wrote first."""
    table = search_gaps_table
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    larger = sa.func.greatest if dialect == "postgresql" else sa.func.max
    excluded = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=[table.c.query, table.c.day],
        set_={
            "count": table.c.count + excluded["count"],
            "hits": larger(table.c.hits, excluded.hits),
            "best_cosine": larger(table.c.best_cosine, excluded.best_cosine),
            "best_coverage": larger(table.c.best_coverage, excluded.best_coverage),
        },
    )


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def today_utc() -> dt.date:
    """Days in UTC: one boundary for every replica (tests pin it to cross no midnight)."""
    return dt.datetime.now(dt.UTC).date()


def days_back(today: dt.date, days: int) -> dt.date:
    return today - dt.timedelta(days=days)
