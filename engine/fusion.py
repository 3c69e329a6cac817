"""How dense (meaning) and lexical (words) evidence combine into one score.

Equal-weight reciprocal rank fusion lets weak word overlaps pull unrelated documents up on
paraphrase queries. Instead the cosine similarity is kept as the base score and the lexical
evidence adds a bonus proportional to how much of the query's word weight (idf mass) a document
covers. Paraphrases keep their dense ranking; exact names and terms, which cover all of the
query, rise to the top. The weights were chosen on tests/data/queries.csv (see README).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fusion:
    lexical_weight: float = 0.10
    # Dense-only hits below `best cosine - dense_margin` are too far in meaning to show at all.
    dense_margin: float = 0.06

    def combine(self, cosine: np.ndarray, coverage: np.ndarray) -> np.ndarray:
        fused: np.ndarray = cosine + self.lexical_weight * coverage
        return fused


DEFAULT_FUSION = Fusion()
