"""The embedder protocol: a name, a dimension, and L2-normalised float32 document/query vectors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

Progress = Callable[[int], None]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; documents and queries may be encoded differently (e5 prompts)."""

    @property
    def name(self) -> str:
        """Identifies the model in index stamps: an index made by another model is refused."""

    @property
    def dim(self) -> int: ...

    @property
    def min_score(self) -> float:
        """The query gate, calibrated per model: when even the best dense hit of a query scores
        below this, the model did not understand the query and semantic search returns nothing."""

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as contiguous float32."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def batched(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    dim: int,
    *,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> np.ndarray:
    """Encode in batches, reporting progress after each batch."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start:start + batch_size])
        out[start:start + len(chunk)] = normalise(encode(chunk))
        if progress:
            progress(len(chunk))
    return out
