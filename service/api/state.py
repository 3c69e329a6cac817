"""The service's state: the store, the index and the searcher, behind one lock.

FastAPI runs sync endpoints in a thread pool and `SearchIndex.replace` mutates in place, so every
read and every write of the index holds `ServiceState.lock`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from engine.pairing import PairingProposal
from engine.search import Searcher
from indexer.build import Home
from indexer.caching import CachedEmbedder
from indexer.embedders import Embedder
from indexer.errors import IndexOutOfDateError
from indexer.index import SearchIndex
from indexer.records import Document, Kind, Record
from indexer.updates import delete_record, upsert_record
from service.api.hits import facets_of
from service.config import Settings

KEPT_PROPOSALS = 20


class ServiceState:
    """Opened once per app; refuses to open an index that does not match the database."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.home = Home(settings.home, settings.database_url)
        self.embedder = embedder
        self.lock = threading.RLock()
        self.store = self.home.open_store()
        # Coordinators re-run the week around new locks: offers and wishes are embedded once.
        self.pairing_embedder = CachedEmbedder(embedder, self.store)
        try:
            index = SearchIndex.load(self.home.index_dir)
            if index.meta.store_fingerprint != self.store.fingerprint():
                raise IndexOutOfDateError()
            self.searcher = Searcher(index, embedder)
        except BaseException:
            self.store.close()
            raise
        self.proposals: OrderedDict[str, PairingProposal] = OrderedDict()
        # The filter values change only with the index: worked out here, not on every page.
        self.facets = facets_of(index)

    @property
    def index(self) -> SearchIndex:
        return self.searcher.index

    def close(self) -> None:
        self.store.close()

    @contextmanager
    def reading(self) -> Iterator[Searcher]:
        with self.lock:
            yield self.searcher

    # Reads (callers hold the lock) -------------------------------------------------------

    def record(self, kind: Kind, record_id: str) -> Record:
        """A record as the index shows it (the index mirrors the store after every write)."""
        document = self.searcher.document(kind, record_id)
        return record_of(document)

    def records_of_unit(self, unit_id: str, kind: Kind) -> list[Record]:
        return [
            record_of(d) for d in self.index.documents if d.kind == kind and d.unit_id == unit_id
        ]

    def exists(self, kind: Kind, record_id: str) -> bool:
        return self.index.document(f"{kind}:{record_id}") is not None

    # Writes ------------------------------------------------------------------------------

    def save(self, record: Record) -> None:
        """Create or replace a record; the next search sees it."""
        with self.lock:
            upsert_record(self.store, self.index, self.embedder, record)
            self._after_write()

    def delete(self, kind: Kind, record_id: str) -> None:
        """Delete a record and every trace of it (GDPR erasure for people)."""
        with self.lock:
            delete_record(self.store, self.index, kind, record_id)
            self._after_write()

    def _after_write(self) -> None:
        # The index drops a removed text's terms itself; a cached search may still name a person.
        self.searcher.forget_queries()
        self.searcher.refresh()
        self.facets = facets_of(self.index)
        self.index.save(self.home.index_dir)

    # Pairing proposals, kept for download ------------------------------------------------

    def keep_proposal(self, proposal_id: str, proposal: PairingProposal) -> None:
        with self.lock:
            self.proposals[proposal_id] = proposal
            while len(self.proposals) > KEPT_PROPOSALS:
                self.proposals.popitem(last=False)

    def proposal(self, proposal_id: str) -> PairingProposal | None:
        with self.lock:
            return self.proposals.get(proposal_id)


def record_of(document: Document) -> Record:
    return Record(document.kind, document.id, {"id": document.id, **document.metadata})
