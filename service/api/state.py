"""The service's state: the store, the live index that follows it, and the searcher over it.

Searches take the newest index version and never wait: versions are immutable and a write gives
a new one. A write commits to the database (the log), then waits until this process's index
shows it, so its answer and the next search read the write. Other processes follow the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from engine import lexicon, thesaurus
from engine.search import LiveSearcher, Searcher
from engine.suggest import Suggester
from engine.synonyms import SynonymTable, import_synonyms_file
from engine.typos import typo_index
from indexer.audit import AuditLog
from indexer.build import Home
from indexer.caching import CachedEmbedder
from indexer.embedders import Embedder
from indexer.erasure import ErasedPerson
from indexer.errors import NotFoundError
from indexer.freshness import Confirmation, Freshness
from indexer.index import SearchIndex
from indexer.live import LiveIndex, LivePolicy
from indexer.plans import IMPORT, Actor
from indexer.records import Kind, Record
from indexer.store import Written
from indexer.updates import Cleared, confirm_record, delete_record, update_record
from service.api.hits import FacetValues
from service.api.proposals import ProposalShelf
from service.api.schemas.search import FacetsPublic
from service.auth.roles import User
from service.config import Settings
from service.gaps import SearchGaps
from service.mail import MailSender, Outbox, SmtpTransport
from service.season.book import SeasonBook
from service.season.evaluation import SeasonEvaluation
from service.season.publish import SeasonPublishing
from service.season.registration import Registrations
from service.season.retention import SeasonRetention
from service.season.review import SeasonReview

log = logging.getLogger("tvaers.service")
WARM_INTERVAL = 1.0  # seconds between looks for a new base block (after a compaction)
MODEL_BATCH = 1  # passages per model call: the most a write or pairing run delays a query
QUERIES_PER_PASSAGE_BATCH = 3


class ServiceState:
    """Opened once per app: opens (or heals) the index and follows the database from then on."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.home = Home(settings.home, settings.database_url)
        self.embedder: Embedder = SerializedEmbedder(embedder)
        self.store = self.home.open_store()
        # Coordinators re-run the week around new locks: offers and wishes are embedded once.
        self.pairing_embedder = CachedEmbedder(self.embedder, self.store)
        try:
            self.live = LiveIndex.open(
                self.store, self.embedder, self.home.index_dir, _policy(settings)
            )
        except BaseException:
            self.store.close()
            raise
        self.store.forget_unused_vectors()  # a crash's leftovers, earlier pairing runs'
        self.synonyms = SynonymTable(self.store.engine)
        if import_synonyms_file(self.home.synonyms_file, self.synonyms):
            log.info("the admins' synonym list moved from %s into the database", self.home.path)
        self.searchers = LiveSearcher(self.live, self.embedder, synonyms=self.synonyms.current)
        self.suggester = Suggester()
        self.proposals = ProposalShelf(self.store.engine, settings.proposal_ttl_hours * 3600)
        self.gaps = SearchGaps(settings, self.store)
        self.freshness = Freshness(self.store.engine)
        self.audit = AuditLog(self.store.engine)
        self.seasons = SeasonBook(self.store.engine)
        self.season_review = SeasonReview(self.store.engine)
        self.registrations = Registrations(self.store.engine)
        self.outbox = Outbox(
            self.store.engine,
            max_attempts=settings.mail_max_attempts,
            retry_seconds=settings.mail_retry_seconds,
        )
        self.season_publishing = SeasonPublishing(
            self.store.engine, self.season_review, self.outbox
        )
        self.season_evaluation = SeasonEvaluation(
            self.store.engine, self.season_review, self.season_publishing, self.outbox
        )
        self.season_retention = SeasonRetention(
            self.store.engine, self.season_review, self.season_evaluation
        )
        self._drop_expired_season_data(settings.season_retention_months)
        smtp = settings.smtp_settings()
        self.mail = MailSender(
            self.outbox, SmtpTransport(smtp) if smtp else None, settings.mail_poll_seconds
        )
        # Told each search's engine time (GET /metrics); nothing until the app sets it.
        self.on_search: Callable[[float], None] = _ignore
        self._facets = FacetValues(self.live.current)
        self.live.subscribe(self._facets.new_version)
        self._warmer: threading.Thread | None = None
        self._stop_warming = threading.Event()
        # Set once the first warming has run: what waits on it (a test timing replication, a
        # health check) knows that no request will be slowed by it.
        self.warmed = threading.Event()

    def _drop_expired_season_data(self, months: int) -> None:
        """At start: a failure is logged, not fatal (search must come up; the next start or
        `tvaers season retention` tries again)."""
        try:
            for dropped in self.season_retention.drop_personal_data(months):
                log.info(
                    "season %s: personal data dropped after %s months", dropped.season_id, months
                )
        except Exception:
            log.exception("dropping archived seasons' personal data failed")

    @property
    def index(self) -> SearchIndex:
        return self.live.current

    def follow(self) -> None:
        """While serving: follow the database (other writers, snapshots, compaction), and keep
        ready what each new base block needs, in the background rather than in a request."""
        self.live.follow()
        self._warmer = threading.Thread(target=self._keep_warm, name="tvaers-warm", daemon=True)
        self._warmer.start()
        self.mail.start()

    def warm(self) -> None:
        """The Danish lexicon and thesaurus (once, ~2 s and ~1.5 s), and suggestions, unit
        profiles and the typo index of the newest version (at 100k documents a new base block's
        suggestions take ~6 s, its unit profiles ~0.3 s, its typo index 0.05 s, about 25 µs a
        distinct word): no request waits for them."""
        lexicon.warm()
        thesaurus.bundled()
        index = self.live.current
        self.suggester.warm(index)
        self.searchers.caches.profiles_of(index)
        typo_index(index.lexical)

    def _keep_warm(self) -> None:
        while True:
            try:
                self.warm()
            except Exception:
                log.exception("warming suggestions failed; retrying")
            self.warmed.set()
            try:
                self.gaps.maintain()
            except Exception:
                log.exception("writing search counts failed; retrying")
            if self._stop_warming.wait(WARM_INTERVAL):
                return

    def close(self) -> None:
        self._stop_warming.set()
        self.mail.stop()
        if self._warmer is not None:
            self._warmer.join(timeout=10)
        try:
            self.gaps.maintain()  # the last counts
        except Exception:
            log.exception("writing search counts failed at close")
        self.live.close()
        self.store.close()

    @contextmanager
    def reading(self) -> Iterator[Searcher]:
        """One index version for the whole request; nothing is locked."""
        yield self.searchers.current()

    @property
    def facets(self) -> FacetsPublic:
        """The filter values change only with the index: kept up to date by each version."""
        return self._facets.public

    # Reads: the database is the truth ----------------------------------------------------

    def record(self, kind: Kind, record_id: str) -> Record:
        record = self.store.get(kind, record_id)
        if record is None:
            raise NotFoundError(kind, record_id)
        return record

    def records_of_unit(self, unit_id: str, kind: Kind) -> list[Record]:
        return [r for r in self.store.records_of_unit(unit_id) if r.kind == kind]

    # Writes: one owner (indexer.build.commit_plan → Store.commit runs every dependent step) ----

    def save(
        self,
        record: Record,
        *,
        new: bool = False,
        actor: Actor = IMPORT,
        expected: str | None = None,
    ) -> Saved:
        """Create (`new`) or replace a record; returns it as stored, already in search.

        With `expected` (its version), a record changed meanwhile raises VersionConflictError.
        The audit row and the confirmation by `actor` land in the write's own transaction."""
        return self.update(
            record.kind, record.id, lambda _stored: record, new=new, actor=actor, expected=expected
        )

    def update(
        self,
        kind: Kind,
        record_id: str,
        build: Callable[[Record | None], Record],
        *,
        new: bool = False,
        actor: Actor = IMPORT,
        expected: str | None = None,
    ) -> Saved:
        """As `save`, with the record built from the stored one (None: none yet), read once."""
        written = update_record(
            self.store,
            self.embedder,
            kind,
            record_id,
            build,
            new=new,
            expected=expected,
            actor=actor,
        )
        self._shown(written)
        return Saved.of(written, kind, record_id)

    def confirm(
        self,
        kind: Kind,
        record_id: str,
        actor: Actor,
        check: Callable[[Record], None] | None = None,
    ) -> Written:
        """ "Det passer stadig": the record is confirmed as it is, and the log says so; `check`
        is told the record in the write (the caller's own rule)."""
        return confirm_record(self.store, kind, record_id, actor, check)

    def delete(
        self,
        kind: Kind,
        record_id: str,
        *,
        actor: Actor = IMPORT,
        expected: str | None = None,
        check: Callable[[Record], None] | None = None,
    ) -> Erasure:
        """Delete a record and every trace of it (GDPR erasure for people); `check` is told the
        record in the write, before it goes (the caller's own rule).

        A person's name, e-mail and phone also leave the records that named them (in the same
        revision) and every other table (`indexer.erasure.SINKS`), and the snapshot on disk is
        written without them before this returns.
        """
        deletion = delete_record(
            self.store,
            self.embedder,
            kind,
            record_id,
            expected=expected,
            actor=actor,
            check=check,
        )
        self._shown(deletion.written)
        record = deletion.written.before.get((kind, record_id))
        if kind == "person" and record is not None:
            # The database forgot them in the delete's transaction (indexer.erasure); what this
            # process holds goes now: counts not yet written, and the snapshot on disk.
            person = ErasedPerson.of(record)
            self.gaps.forget_naming(person.name, person.email, person.phone_digits)
            self.live.snapshot()
        assert record is not None  # the delete read it
        return Erasure(record, deletion.cleared, deletion.erased.get("pairing_proposals", 0))

    def _shown(self, written: Written) -> None:
        """Wait until search shows the write (its answer and the next search read it); the
        index applies what the write stored, and its subscribers (cached queries) are told."""
        self.live.offer(written)
        self.live.wait_for(written.revision)


class SerializedEmbedder:
    """One model call at a time (models are not promised to be thread-safe), queries first.

    Passages (a write's texts, a pairing run's offers) go a few at a time, and a waiting query
    goes before the next few, so a search waits for one small batch at most. After
    `QUERIES_PER_PASSAGE_BATCH` queries have gone ahead, the passages get their turn: a stream
    of searches slows writes down but never stops them.
    """

    def __init__(self, inner: Embedder, batch: int = MODEL_BATCH) -> None:
        self.inner = inner
        self.batch = batch
        self._turns = threading.Condition()
        self._busy = False
        self._queries_waiting = 0
        self._passages_waiting = 0
        self._queries_ahead = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def waiting(self) -> int:
        """Model calls waiting for their turn (a snapshot for /metrics; no lock needed)."""
        return self._queries_waiting + self._passages_waiting

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._turn(is_query=True):
            return self.inner.embed_queries(texts)

    def token_count(self, text: str) -> int:
        return self.inner.token_count(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), self.batch):
            with self._turn(is_query=False):
                parts.append(self.inner.embed_passages(list(texts[start : start + self.batch])))
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(parts).astype(np.float32)

    @contextmanager
    def _turn(self, *, is_query: bool) -> Iterator[None]:
        with self._turns:
            if is_query:
                self._queries_waiting += 1
                while self._busy:
                    self._turns.wait()
                self._queries_waiting -= 1
            else:
                self._passages_waiting += 1
                while self._busy or (
                    self._queries_waiting and self._queries_ahead < QUERIES_PER_PASSAGE_BATCH
                ):
                    self._turns.wait()
                self._passages_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            with self._turns:
                self._busy = False
                self._queries_ahead = self._queries_ahead + 1 if is_query else 0
                self._turns.notify_all()


@dataclass(frozen=True)
class Saved:
    """A record as a write stored it, with its unit and its confirmation, as the write saw
    them: the answer needs no second read."""

    record: Record
    unit: Record
    confirmed: Confirmation | None

    @classmethod
    def of(cls, written: Written, kind: Kind, record_id: str) -> Saved:
        record = written.record(kind, record_id)
        assert record is not None  # the write stored it
        unit = record if kind == "unit" else written.record("unit", record.get("unit_id"))
        assert unit is not None  # the write checked it
        return cls(record, unit, written.confirmations.get((kind, record_id)))


@dataclass(frozen=True)
class Erasure:
    """What a delete did besides removing the record itself."""

    deleted: Record  # as it was
    cleared: list[Cleared]  # fields of other records that named the person, now empty
    proposals_dropped: int


def actor_of(user: User) -> Actor:
    """The audit log's "who": a person's subject and name, or the API key's name."""
    if user.via == "api_key":
        return Actor(f"key:{user.name}", user.name)
    return Actor(user.subject, user.name)


def _ignore(took_ms: float) -> None:
    pass


def _policy(settings: Settings) -> LivePolicy:
    return LivePolicy(
        follow_interval=settings.follow_interval,
        erasure_snapshot_delay=settings.erasure_snapshot_delay,
    )
