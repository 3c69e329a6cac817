"""An Embedder wrapper that remembers vectors in the store, by model, role and content.

Indexing has its own cache (`embed_documents`); this one serves callers that embed free texts
again and again, such as a coordinator re-running the week's pairing around a few locked pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from indexer.embedders import Embedder
from indexer.records import content_hash
from indexer.store import Store


class CachedEmbedder:
    def __init__(self, inner: Embedder, store: Store) -> None:
        self.inner = inner
        self.store = store

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=False)

    def token_count(self, text: str) -> int:
        return self.inner.token_count(text)

    def _embed(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        # Passages share keys with the index's cache; queries are embedded in another role.
        keys = [content_hash(f"\x00query\x00{t}" if is_query else t) for t in texts]
        cached = self.store.cached_vectors(self.model_id, keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in cached}
        if missing:
            embed = self.inner.embed_queries if is_query else self.inner.embed_passages
            fresh = embed(list(missing.values()))
            new = dict(zip(missing, fresh, strict=True))
            self.store.cache_vectors(self.model_id, new)
            cached.update(new)
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # A blob the index cached holds the text's pieces' vectors after its own: the first.
        return np.vstack([cached[k][: self.dimension] for k in keys]).astype(np.float32)
