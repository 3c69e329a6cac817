"""The derived search index: documents, vectors, FAISS and BM25, saved together with metadata
that proves what built it (model, dimension, index type, the store it came from)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import terms
from indexer.dense import (
    EXACT_SEARCH_LIMIT,
    DenseSpec,
    build_dense,
    choose_spec,
    load_dense,
    save_dense,
)
from indexer.errors import IndexNotFoundError, TvaersError
from indexer.lexical import LexicalIndex
from indexer.records import Document

FORMAT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class IndexMeta:
    model_id: str
    dimension: int
    dense: DenseSpec
    count: int
    store_fingerprint: str
    built_at: float
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexMeta:
        dense = DenseSpec(**data.pop("dense"))
        return cls(dense=dense, **data)


class SearchIndex:
    """Everything a search needs, in memory. Rows are positions shared by all parts."""

    def __init__(
        self,
        documents: list[Document],
        vectors: np.ndarray,
        lexical: LexicalIndex,
        meta: IndexMeta,
        dense: Any = None,
    ) -> None:
        self.documents = documents
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.lexical = lexical
        self.meta = meta
        self.dense = dense if dense is not None else build_dense(self.vectors, meta.dense)
        self.rows = {d.key: i for i, d in enumerate(documents)}

    @classmethod
    def build(
        cls,
        documents: list[Document],
        vectors: np.ndarray,
        *,
        model_id: str,
        store_fingerprint: str,
        exact_search_limit: int = EXACT_SEARCH_LIMIT,
    ) -> SearchIndex:
        meta = IndexMeta(
            model_id=model_id,
            dimension=int(vectors.shape[1]),
            dense=choose_spec(len(documents), exact_search_limit),
            count=len(documents),
            store_fingerprint=store_fingerprint,
            built_at=time.time(),
        )
        lexical = LexicalIndex.from_terms([terms(d.text) for d in documents])
        return cls(documents, vectors, lexical, meta)

    def document(self, key: str) -> Document | None:
        row = self.rows.get(key)
        return None if row is None else self.documents[row]

    def replace(
        self,
        remove_keys: Sequence[str],
        add_documents: Sequence[Document],
        add_vectors: np.ndarray,
        *,
        store_fingerprint: str,
    ) -> None:
        """Remove and add documents without re-embedding the rest (an upsert removes first)."""
        gone = set(remove_keys) | {d.key for d in add_documents}
        keep = np.array([d.key not in gone for d in self.documents], dtype=bool)
        self.documents = [d for d, k in zip(self.documents, keep, strict=True) if k]
        self.documents.extend(add_documents)
        vectors = self.vectors[keep]
        if len(add_documents):
            vectors = np.vstack([vectors, add_vectors.astype(np.float32)])
        self.vectors = np.ascontiguousarray(vectors)
        self.lexical.replace_rows(keep, [terms(d.text) for d in add_documents])
        spec = choose_spec(len(self.documents))
        self.meta = dataclasses.replace(
            self.meta, dense=spec, count=len(self.documents), store_fingerprint=store_fingerprint
        )
        self.dense = build_dense(self.vectors, spec)
        self.rows = {d.key: i for i, d in enumerate(self.documents)}

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then swap it in: readers never see half an index."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        (staging / "meta.json").write_text(json.dumps(self.meta.to_json(), indent=2))
        documents = [dataclasses.asdict(d) for d in self.documents]
        (staging / "documents.json").write_text(
            json.dumps(documents, ensure_ascii=False), encoding="utf-8"
        )
        np.save(staging / "vectors.npy", self.vectors)
        save_dense(self.dense, staging / "dense.faiss")
        self.lexical.save(staging)
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        meta_path = folder / "meta.json"
        if not meta_path.exists():
            raise IndexNotFoundError(str(folder.parent))
        meta = IndexMeta.from_json(json.loads(meta_path.read_text()))
        if meta.format_version != FORMAT_VERSION:
            raise TvaersError(f"Indekset i {folder} har et ældre format. Kør `tvaers reindex`.")
        documents = [
            Document(**d) for d in json.loads((folder / "documents.json").read_text("utf-8"))
        ]
        vectors = np.load(folder / "vectors.npy")
        dense = load_dense(folder / "dense.faiss", meta.dense)
        return cls(documents, vectors, LexicalIndex.load(folder), meta, dense)
