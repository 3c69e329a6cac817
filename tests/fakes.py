"""A deterministic fake embedder: fast, offline, and it records what it was asked to embed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import numpy as np

from indexer.analysis import terms
from indexer.records import text_pieces


def passages(texts: Sequence[str]) -> list[str]:
    """What indexing embeds for these texts: each text, then its pieces."""
    return [p for text in texts for p in (text, *text_pieces(text))]


class FakeEmbedder:
    """Hashes each Danish term to a few dimensions, so texts sharing words are close in meaning.

    Good enough for engine tests that need sensible neighbours; never for quality claims.
    """

    def __init__(self, dimension: int = 64, model_id: str = "fake/hashing@1") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.calls: list[list[str]] = []  # passages
        self.query_calls: list[list[str]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def embedded_count(self) -> int:
        return sum(len(c) for c in self.calls)

    @property
    def queries_embedded(self) -> int:
        return sum(len(c) for c in self.query_calls)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.query_calls.append(list(texts))
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self._embed(texts)

    def token_count(self, text: str) -> int:
        """A token per word, as a word-piece model counts plain words."""
        return len(text.split())

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text) or ["<empty>"]:
                digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
                for i in range(0, 8, 2):
                    column = digest[i] % self._dimension
                    out[row, column] += 1.0 if digest[i + 1] % 2 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else 1.0 / np.sqrt(self._dimension)
        return out


class ManualClock:
    """A clock the test moves (`clock.now += …`) instead of waiting."""

    def __init__(self, start: dt.datetime = dt.datetime(2027, 5, 1, 9, 0)) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now
