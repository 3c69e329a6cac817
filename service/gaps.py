"""Search gaps in the service: which searches count, batched writes, retention, the report.

A search counts when a person asked it: the page's form and GET /api/search at offset 0, not
the page's requests while typing (it sends counted=false until the typing rests) nor later
pages. The count is kept in memory and written by the service's background thread about once
a second, so a search never waits for the database.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from engine.results import SearchResults
from indexer import search_gaps
from indexer.search_gaps import Asking, Gap, SearchGapLog, Weak, counted_query, days_back
from indexer.store import Store
from service.config import Settings

RETENTION_EVERY_S = 600.0  # rows older than the retention leave at most 10 minutes late


class SearchGaps:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.enabled = settings.search_gaps
        self.retention_days = settings.search_gaps_retention_days
        self.weak = Weak(settings.search_gaps_weak_cosine, settings.search_gaps_weak_coverage)
        self.log = SearchGapLog(store.engine, min_askings=settings.search_gaps_min_askings)
        self._last_retention = 0.0
        self._lock = threading.Lock()
        self._erased: set[str] = set()  # words of erased people's names, in memory only

    def count(self, typed: str, results: SearchResults, *, offset: int = 0) -> None:
        """Count one search a person asked (never later pages) that found nothing or only weak
        results. Searches answered well are not written at all: the page never shows them, and
        people search for colleagues by name."""
        if not self.enabled or offset:
            return
        found = results.total_without_filters  # a filter that leaves nothing is no gap
        if not self.weak.holds(found, results.best_cosine, results.best_coverage):
            return
        query = counted_query(typed)
        words = query.split()
        if any(w in words or (len(w) >= 4 and w in query) for w in self._erased):
            return
        self.log.count(
            Asking(
                query,
                search_gaps.today_utc(),
                found,
                results.best_cosine,
                results.best_coverage,
            )
        )

    def maintain(self) -> None:
        """Write the counts; now and then delete days older than the retention."""
        with self._lock:
            self.log.flush()
            now = time.monotonic()
            if now - self._last_retention >= RETENTION_EVERY_S or not self._last_retention:
                self._last_retention = now
                self.log.forget_before(self.oldest_kept())

    def oldest_kept(self) -> dt.date:
        return days_back(search_gaps.today_utc(), self.retention_days - 1)

    def report(self, days: int, limit: int = 50) -> list[Gap]:
        """The most asked queries of the last `days` days (today included) with no or weak
        results; counts of this process not yet written are written first."""
        self.maintain()
        since = max(days_back(search_gaps.today_utc(), days - 1), self.oldest_kept())
        return self.log.gaps(since, self.weak, limit=limit)

    def erase(self, query: str | None = None) -> int:
        with self._lock:
            return self.log.erase(query)

    def forget_naming(self, *texts: str) -> int:
        """An erased person's name leaves the counted searches too (even with counting off),
        and this process counts no search holding it from then on (the person is gone, so a
        search for them finds little): the words are held in memory only, never on disk."""
        with self._lock:
            self._erased.update(w for t in texts for w in counted_query(t).split() if len(w) >= 2)
            return self.log.forget_naming(*texts)
