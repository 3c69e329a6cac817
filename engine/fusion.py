"""How dense (meaning) and lexical (words) evidence combine into one score.

Equal-weight reciprocal rank fusion lets weak word overlaps pull unrelated documents up on
paraphrase queries. Instead the dense ranking is the base: cosine similarity, rescaled over the
candidate pool to [0, 1] so the weights mean the same for every model. Lexical evidence adds a
bonus proportional to how much of the query's word weight (idf mass) a document covers, so
paraphrases keep their dense order while exact names and terms, covering all of the query, rise
to the top. The weights were chosen with `make tune` on both labelled query sets (see
docs/udvikling.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fusion:
    lexical_weight: float = 0.5
    # Dense-only candidates must reach this share of the unfiltered pool's similarity range to
    # be shown (filters narrow that set); documents that share words with the query always are.
    dense_floor: float = 0.5
    # A compound holding a query word counts for this share of the word: "hjælp" in a question
    # ("hjælp til at …") says little about "hjælpemiddeldepotet".
    compound_weight: float = 0.4
    # Unless the query's own word is in no document and was split into parts ("sprogscreening"):
    # then the compounds of its parts ("sprogvurdering") count as the parts themselves.
    split_compound_weight: float = 1.0

    def combine(
        self, cosine: np.ndarray, coverage: np.ndarray, scale: tuple[float, float] | None = None
    ) -> np.ndarray:
        """`scale`: the (low, high) cosine to rescale by, by default these scores' own."""
        fused: np.ndarray = rescaled(cosine, scale) + self.lexical_weight * coverage
        return fused


def rescaled(scores: np.ndarray, scale: tuple[float, float] | None = None) -> np.ndarray:
    """Scores mapped to [0, 1] over their own range, or over another's (`scale`, clipped)."""
    if not len(scores):
        return scores
    low, high = scale or (float(scores.min()), float(scores.max()))
    if high - low < 1e-9:
        return np.ones_like(scores)
    result: np.ndarray = np.clip((scores - low) / (high - low), 0.0, 1.0)
    return result


DEFAULT_FUSION = Fusion()
