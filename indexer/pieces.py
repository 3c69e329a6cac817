"""Piece vectors: a document's sentences embedded beside it (`records.text_pieces`).

The embedding cache keeps one blob per text and model: the text's vector, then its pieces'
vectors, flattened ((1 + k) × dimension floats). One blob per content hash keeps the cache's
clean-up and erasure as they are, since both go by the records' content hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np


class Pieces(NamedTuple):
    """Piece vectors of consecutive documents: `counts[i]` rows of `vectors` each, in order."""

    vectors: np.ndarray  # (sum(counts), dimension) float32
    counts: np.ndarray  # (documents,) int64

    @classmethod
    def none(cls, documents: int, dimension: int) -> Pieces:
        """Documents without pieces: their similarity is their own vector's."""
        return cls(np.zeros((0, dimension), np.float32), np.zeros(documents, np.int64))

    def first(self, documents: int) -> Pieces:
        """The pieces of the first `documents` documents."""
        counts = self.counts[:documents]
        return Pieces(self.vectors[: int(counts.sum())], counts)


# Blobs a data folder may ship beside its tables, for one model (see `load_bundle`).
BUNDLED_VECTORS = "vectors.npz"


def save_bundle(path: Path, model_id: str, blobs: dict[str, np.ndarray]) -> None:
    hashes = sorted(blobs)
    np.savez_compressed(
        path,
        model_id=np.array(model_id),
        hashes=np.array(hashes),
        sizes=np.array([blobs[h].size for h in hashes], dtype=np.int64),
        floats=np.concatenate([blobs[h] for h in hashes]).astype(np.float32),
    )


def load_bundle(path: Path, model_id: str) -> dict[str, np.ndarray]:
    """The blobs a data folder ships, by content hash: what embedding its texts with this model
    gives, so that a first `tvaers index` of the bundled sample embeds nothing (2,000 passages,
    minutes on two cores). None for another model, or without the file."""
    if not path.is_file():
        return {}
    with np.load(path) as data:
        if str(data["model_id"]) != model_id:
            return {}
        sizes, floats = data["sizes"], data["floats"]
        ends = np.cumsum(sizes)
        return {
            str(h): floats[end - size : end]
            for h, size, end in zip(data["hashes"], sizes, ends, strict=True)
        }


def blob_of(vector: np.ndarray, piece_vectors: np.ndarray) -> np.ndarray:
    """What the cache stores for a text: its vector, then its pieces', flattened."""
    rows = np.vstack([np.asarray(vector, np.float32)[None, :], piece_vectors.astype(np.float32)])
    flat: np.ndarray = rows.reshape(-1)
    return flat


def blob_rows(blob_size: int, dimension: int) -> int:
    """How many vectors a blob of this many floats holds (its text's, then its pieces')."""
    return blob_size // dimension


def split_blobs(blobs: Sequence[np.ndarray], dimension: int) -> tuple[np.ndarray, Pieces]:
    """Document vectors (one per blob) and the pieces behind them, in the blobs' order."""
    matrix = np.zeros((len(blobs), dimension), dtype=np.float32)
    counts = np.zeros(len(blobs), dtype=np.int64)
    parts = []
    for row, blob in enumerate(blobs):
        rows = np.asarray(blob, np.float32).reshape(-1, dimension)
        matrix[row] = rows[0]
        counts[row] = len(rows) - 1
        parts.append(rows[1:])
    vectors = np.vstack(parts) if parts else np.zeros((0, dimension), np.float32)
    return matrix, Pieces(vectors.astype(np.float32, copy=False), counts)
