"""An embedder that loads its model on first use, so commands that never embed stay fast."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from search.embedders.base import Embedder, Progress


class LazyEmbedder:
    """The Embedder protocol over a factory called once, on the first attribute that needs the model."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self._factory = factory
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Embedder:
        """The embedder itself, loaded now if it was not yet."""
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._factory()
        return self._loaded

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def dim(self) -> int:
        return self.model.dim

    @property
    def min_score(self) -> float:
        return self.model.min_score

    def name_if_loaded(self) -> str:
        """The model's name without loading it ('' before the first use)."""
        return self._loaded.name if self._loaded is not None else ""

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        return self.model.encode_documents(texts, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.encode_queries(texts)

    def __getattr__(self, attribute: str) -> Any:
        # Model-specific extras (an ensemble's `parts`) come from the model itself.
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self.model, attribute)
