"""Two or more embedders as one: weighted concatenation of their unit vectors.

With parts scaled by sqrt(w_i) and weights summing to 1, the concatenated vectors are unit
length again and their inner product is the weighted sum of the parts' cosines. One FAISS
index, one vector per practice, and the ensemble looks like any other embedder.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from search.embedders.base import Embedder, Progress


class WeightedEnsemble:
    """sum_i w_i * cos_i(query, document) as a single inner product."""

    def __init__(self, parts: Sequence[tuple[Embedder, float]], *, name: str, min_score: float) -> None:
        total = sum(w for _, w in parts)
        if not parts or total <= 0 or any(w <= 0 for _, w in parts):
            raise ValueError("an ensemble needs parts with positive weights")
        self.parts = [(emb, w / total) for emb, w in parts]
        self._scales = [math.sqrt(w) for _, w in self.parts]
        self.name = name
        self.dim = sum(emb.dim for emb, _ in self.parts)
        self.min_score = min_score

    def _join(self, blocks: list[np.ndarray]) -> np.ndarray:
        return np.ascontiguousarray(
            np.hstack([b * s for b, s in zip(blocks, self._scales, strict=False)]), dtype=np.float32
        )

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        # Progress follows the first (slowest) part; the others report nothing.
        blocks = [emb.encode_documents(texts, progress=progress if i == 0 else None)
                  for i, (emb, _) in enumerate(self.parts)]
        return self._join(blocks)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._join([emb.encode_queries(texts) for emb, _ in self.parts])
